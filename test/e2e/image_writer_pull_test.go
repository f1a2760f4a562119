package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/go-units"
)

// remoteManifest is what skopeo reads of a pushed image's manifest.
type remoteManifest struct {
	Config struct {
		Digest string
		Size   int64
	}
	Layers []struct{ Digest string }
}

func inspectRaw(t *testing.T, ref string) remoteManifest {
	t.Helper()
	var m remoteManifest
	out := skopeo(t, "inspect", "--raw", "--tls-verify=false", "docker://"+ref)
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Config.Digest == "" {
		t.Fatalf("skopeo inspect --raw %s: %v\n%s", ref, err, out)
	}
	return m
}

var (
	accessLine = regexp.MustCompile(`^\S+ - \S+ \[[^]]+\] "[A-Z]+ `)
	blobGet    = regexp.MustCompile(`"GET /v2/[^ ]+/blobs/(sha256:[0-9a-f]{64}) HTTP`)
)

// blobGets returns the digests of the blobs r served (its access log)
// after its first skip requests, and how many requests it has served.
func (r *registry) blobGets(skip int) (gets []string, requests int) {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "registry.log"))
	if err != nil {
		r.t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if !accessLine.MatchString(l) {
			continue
		}
		requests++
		if requests <= skip {
			continue
		}
		if m := blobGet.FindStringSubmatch(l); m != nil {
			gets = append(gets, m[1])
		}
	}
	return gets, requests
}

// allLocalPull is what a pull of an image whose layers are all local
// writes on standard error: every layer skipped, the config fetched.
func allLocalPull(ref string, m remoteManifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Trying to pull %s...\n", ref)
	for _, l := range m.Layers {
		fmt.Fprintf(&b, "Copying blob %s skipped: already exists\n", short(l.Digest))
	}
	fmt.Fprintf(&b, "Copying config %s done (%s)\n", short(m.Config.Digest), units.HumanSizeWithPrecision(float64(m.Config.Size), 3))
	b.WriteString("Writing manifest to image destination\n")
	return b.String()
}

func short(d string) string { return strings.TrimPrefix(d, "sha256:")[:12] }

// expectOnlyConfigFetched fails unless the registry served no blob since
// skip requests but the config.
func expectOnlyConfigFetched(t *testing.T, r *registry, skip int, m remoteManifest, what string) int {
	t.Helper()
	gets, n := r.blobGets(skip)
	for _, g := range gets {
		if g != m.Config.Digest {
			t.Fatalf("%s fetched blob %s, a layer (only the config %s may be fetched); all fetched: %v", what, g, m.Config.Digest, gets)
		}
	}
	return n
}

// A built image pushed, removed and pulled back is the same image on the
// same local layers: the pull fetches no layer blob and says so for each,
// and the image runs. The push says which blob is the config and ends with
// the manifest's digest.
func TestImageWriterBuildPushPull(t *testing.T) {
	r := startRegistry(t, registryOpts{accessLog: true})
	e := withImage(t)
	ref := r.ref("e2e/built:1")
	dir := e.ctxTree("ctx", map[string]string{
		// The last step changes only the config: its layers stay in the
		// store with the earlier steps' images when the image is removed.
		"Containerfile": "FROM " + testImage + "\nRUN echo built > /built\nCOPY hello.txt /hello.txt\nCMD [\"cat\", \"/built\", \"/hello.txt\"]\n",
		"hello.txt":     "hello\n",
	})
	_, id := e.build("-t", ref, dir)
	var diffIDs []string
	if err := json.Unmarshal([]byte(inspectField(e, ref, "{{json .RootFS.Layers}}")), &diffIDs); err != nil || len(diffIDs) != 3 {
		t.Fatalf("built image layers %v (%v), want 3", diffIDs, err)
	}

	digestFile := filepath.Join(e.dir, "digest")
	res := e.pod("push", "--digestfile", digestFile, ref)
	m := inspectRaw(t, ref)
	digest := strings.TrimSpace(skopeoDigest(t, ref))
	if b, err := os.ReadFile(digestFile); err != nil || string(b) != digest {
		t.Fatalf("--digestfile holds %q (%v); skopeo sees %s", b, err, digest)
	}
	lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
	if res.code != 0 || res.stdout != "" || len(lines) != 6 {
		t.Fatalf("push: want exit 0, no stdout, 6 lines on stderr:\n%s", res)
	}
	var pushed []string
	blobLine := regexp.MustCompile(`^Copying blob ([0-9a-f]{12}) done \([0-9.]+[kMG]?B\)$`)
	for _, l := range lines[:3] {
		sm := blobLine.FindStringSubmatch(l)
		if sm == nil {
			t.Fatalf("push: %q is not a blob line:\n%s", l, res)
		}
		pushed = append(pushed, sm[1])
	}
	var want []string
	for _, d := range diffIDs {
		want = append(want, short(d))
	}
	slices.Sort(pushed)
	slices.Sort(want)
	if !slices.Equal(pushed, want) {
		t.Fatalf("push copied blobs %v, the image's layers are %v:\n%s", pushed, want, res)
	}
	tail := fmt.Sprintf("Copying config %s done (%s)\nWriting manifest to image destination\n1: digest: %s size: %d",
		id[:12], units.HumanSizeWithPrecision(float64(m.Config.Size), 3), digest,
		len(strings.TrimSuffix(skopeo(t, "inspect", "--raw", "--tls-verify=false", "docker://"+ref), "\n")))
	if got := strings.Join(lines[3:], "\n"); got != tail {
		t.Fatalf("push ends with\n%s\nwant\n%s", got, tail)
	}
	if m.Config.Digest != "sha256:"+id {
		t.Fatalf("pushed config %s, built image %s", m.Config.Digest, id)
	}

	e.ok("rmi", ref)
	_, seen := r.blobGets(0)
	res = e.pod("pull", ref)
	if res.code != 0 || res.stdout != id+"\n" || res.stderr != allLocalPull(ref, m) {
		t.Fatalf("pull of a removed build whose layers are local: want exit 0, the ID, and\n%s\n%s", allLocalPull(ref, m), res)
	}
	expectOnlyConfigFetched(t, r, seen, m, "pull")
	if got := inspectField(e, ref, "{{json .RepoDigests}}"); !strings.Contains(got, r.ref("e2e/built@"+digest)) {
		t.Fatalf("RepoDigests %s lack the pulled digest %s", got, digest)
	}
	expect(t, e.pod("run", "--rm", ref), 0, "built\nhello\n")

	// On a terminal too, the config is called a config.
	e.ok("tag", ref, r.ref("e2e/built:tty"))
	s := e.startPTY("push", r.ref("e2e/built:tty"))
	if !s.waitFor(30*time.Second, "Writing manifest to image destination") {
		t.Fatalf("push on a terminal did not finish:\n%q", s.output())
	}
	if code := s.wait(30 * time.Second); code != 0 || !strings.Contains(s.output(), "Copying config "+id[:12]+" ") {
		t.Fatalf("push on a terminal: exit %d, want 0 and a \"Copying config %s\" bar:\n%q", code, id[:12], s.output())
	}
}

// skopeoDigest is the manifest digest skopeo reads for ref.
func skopeoDigest(t *testing.T, ref string) string {
	t.Helper()
	var info struct{ Digest string }
	out := skopeo(t, "inspect", "--tls-verify=false", "docker://"+ref)
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Digest == "" {
		t.Fatalf("skopeo inspect %s: %v\n%s", ref, err, out)
	}
	return info.Digest
}

// Every way into a pull (a present image, by digest, --all-tags,
// --platform, run --pull=always) stores an image whose layers are local
// without fetching a layer; the signature policy still rejects first.
func TestImageWriterPullPaths(t *testing.T) {
	r := startRegistry(t, registryOpts{accessLog: true})
	e := newEnv(t)
	ref := r.ref("e2e/paths:1")
	id := e.pushed(r, "e2e/paths:1")
	m := inspectRaw(t, ref)
	digest := skopeoDigest(t, ref)

	// The image is here: an imported image pushed is not downloaded back.
	_, seen := r.blobGets(0)
	res := e.pod("pull", ref)
	if res.code != 0 || res.stdout != id+"\n" || res.stderr != allLocalPull(ref, m) {
		t.Fatalf("pull of a present image: want exit 0, the ID, and\n%s\n%s", allLocalPull(ref, m), res)
	}
	seen = expectOnlyConfigFetched(t, r, seen, m, "pull of a present image")

	byDigest := r.ref("e2e/paths@" + digest)
	expect(t, e.pod("pull", "-q", byDigest), 0, id+"\n")
	expect(t, e.pod("image", "exists", byDigest), 0, "")
	seen = expectOnlyConfigFetched(t, r, seen, m, "pull by digest")

	e.ok("tag", ref, r.ref("e2e/paths:2"))
	e.ok("push", "-q", r.ref("e2e/paths:2"))
	e.ok("rmi", r.ref("e2e/paths:2"))
	_, seen = r.blobGets(0)
	expect(t, e.pod("pull", "-q", "--all-tags", r.ref("e2e/paths")), 0, id+"\n")
	expect(t, e.pod("image", "exists", r.ref("e2e/paths:2")), 0, "")
	seen = expectOnlyConfigFetched(t, r, seen, m, "pull --all-tags")

	expect(t, e.pod("pull", "-q", "--platform", "linux/"+runtime.GOARCH, ref), 0, id+"\n")
	seen = expectOnlyConfigFetched(t, r, seen, m, "pull --platform")

	res = e.pod("run", "--rm", "--pull=always", ref, "echo", "ran")
	if res.code != 0 || res.stdout != "ran\n" || !strings.Contains(res.stderr, "Copying blob "+short(m.Layers[0].Digest)+" skipped: already exists\n") {
		t.Fatalf("run --pull=always of a local image: want the layer skipped and the command run:\n%s", res)
	}
	seen = expectOnlyConfigFetched(t, r, seen, m, "run --pull=always")

	// A policy that rejects the image rejects it before anything is stored.
	e.ok("tag", ref, r.ref("e2e/paths:3"))
	e.ok("push", "-q", r.ref("e2e/paths:3"))
	e.ok("rmi", r.ref("e2e/paths:3"))
	policy := e.userConfig("policy.json", `{"default":[{"type":"reject"}]}`)
	expectError(t, e.pod("pull", "--retry=0", r.ref("e2e/paths:3")), 125, "rejected", r.ref("e2e/paths:3"))
	expect(t, e.pod("image", "exists", r.ref("e2e/paths:3")), 1, "")
	if err := os.Remove(policy); err != nil {
		t.Fatal(err)
	}
	_, seen = r.blobGets(0)
	expect(t, e.pod("pull", "-q", r.ref("e2e/paths:3")), 0, id+"\n")
	expectOnlyConfigFetched(t, r, seen, m, "pull after the policy allows it")
}
