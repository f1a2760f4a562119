package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// An image pod builds is pushed to a real registry and read by a
// third-party client (skopeo): its layers and config come through.
func TestBuildPushReadBySkopeo(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := withImage(t)
	dir := e.buildContext("multistage")
	e.build("-t", "built:1", dir)
	ref := r.ref("e2e/built:1")
	e.ok("tag", "built:1", ref)
	e.ok("push", ref)
	var info struct {
		Layers []string
		Os     string
	}
	out := skopeo(t, "inspect", "--tls-verify=false", "docker://"+ref)
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("skopeo inspect: %v\n%s", err, out)
	}
	layers := strings.Fields(strings.Trim(inspectField(e, "built:1", "{{.RootFS.Layers}}"), "[]"))
	if len(info.Layers) != len(layers) || len(layers) == 0 || info.Os != "linux" {
		t.Fatalf("skopeo sees %d layers (os %q), pod built %d", len(info.Layers), info.Os, len(layers))
	}
	e.ok("rmi", "built:1", ref)
	e.ok("pull", ref)
	if e.pod("run", "--rm", ref, "true").code != 0 {
		t.Fatalf("the pulled build does not run")
	}
}
