package runtime

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
)

func TestSpecNetNSPathAndDomainname(t *testing.T) {
	opts := baseOptions()
	opts.NetNSPath = "/run/pod/ctr/netns"
	s := mustSpec(t, &container.Config{Domainname: "example.org"}, opts)
	if s.Domainname != "example.org" {
		t.Errorf("Domainname %q", s.Domainname)
	}
	found := false
	for _, n := range s.Linux.Namespaces {
		if n.Type == specs.NetworkNamespace {
			found = n.Path == opts.NetNSPath
		}
	}
	if !found {
		t.Errorf("network namespace not joined at %s: %+v", opts.NetNSPath, s.Linux.Namespaces)
	}
	s = mustSpec(t, &container.Config{NetworkMode: "host"}, opts)
	if hasNamespace(s, specs.NetworkNamespace) {
		t.Error("host network got a namespace")
	}
}
