package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeRegistry answers like a broken registry: 500s, garbage, a manifest
// of an unknown media type, 404 for the rest.
func fakeRegistry(t *testing.T) (addr string, fails *atomic.Int32) {
	fails = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/":
			w.WriteHeader(http.StatusOK)
		case strings.HasPrefix(r.URL.Path, "/v2/e2e/fail500/manifests/"):
			fails.Add(1)
			http.Error(w, "boom", http.StatusInternalServerError)
		case strings.HasPrefix(r.URL.Path, "/v2/e2e/garbage/manifests/"):
			w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
			_, _ = io.WriteString(w, "this is not a manifest {{{")
		case strings.HasPrefix(r.URL.Path, "/v2/e2e/weird/manifests/"):
			w.Header().Set("Content-Type", "application/vnd.example.unknown+json")
			_, _ = io.WriteString(w, `{"schemaVersion":2,"mediaType":"application/vnd.example.unknown+json"}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), fails
}

// Bad references, transports and registry answers: exit 125 and a message
// naming the reference.
func TestRegistryBadInput(t *testing.T) {
	addr, fails := fakeRegistry(t)
	e := newEnv(t)
	expectError(t, e.pod("pull", "Upper/Case:1"), 125, "invalid image reference", "Upper/Case:1")
	expectError(t, e.pod("pull", "bad::ref"), 125, "invalid image reference", "bad::ref")
	expectError(t, e.pod("pull", "ftp://example.com/x"), 125, "ftp://example.com/x", "transport")
	e.importImage(testImage)
	expectError(t, e.pod("push", testImage, "ftp://example.com/x"), 125, "unknown transport")
	expectError(t, e.pod("push", testImage, "nosuch:/tmp/x"), 125, "unknown transport")
	expectError(t, e.pod("push", "no/such:image", addr+"/x:1"), 125, "no such image")
	expectError(t, e.pod("pull", "--platform", "linux", addr+"/x:1"), 125, "--platform")

	missing := addr + "/e2e/missing:1"
	expectError(t, e.pod("pull", "--retry=0", missing), 125, missing, "manifest unknown")
	garbage := addr + "/e2e/garbage:1"
	expectError(t, e.pod("pull", "--retry=0", garbage), 125, garbage)
	weird := addr + "/e2e/weird:1"
	expectError(t, e.pod("pull", "--retry=0", weird), 125, weird, "unsupported")
	// A 500 is retried: once with --retry=1.
	failing := addr + "/e2e/fail500:1"
	expectError(t, e.pod("pull", "--retry=1", "--retry-delay=10ms", failing), 125, failing, "500")
	if n := fails.Load(); n != 2 {
		t.Fatalf("a 500 with --retry=1 was asked %d times, want 2", n)
	}
	expect(t, e.pod("images", "-q", "--filter", "reference="+addr+"/*"), 0, "")
}

// A pull cut off mid-transfer (the registry killed) leaves no image; the
// next pull succeeds.
func TestRegistryInterruptedPull(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := newEnv(t)
	id := e.pushed(r, "e2e/cut:1")
	e.ok("rmi", r.ref("e2e/cut:1"), testImage)

	upstream, _ := url.Parse("http://" + r.addr)
	var once sync.Once
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		out, _ := http.NewRequestWithContext(req.Context(), req.Method, upstream.String()+req.URL.RequestURI(), nil)
		out.Header = req.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		n, _ := strconv.Atoi(resp.Header.Get("Content-Length"))
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/blobs/") && n > 100000 {
			cut := false
			once.Do(func() { cut = true })
			if cut {
				_, _ = io.CopyN(w, resp.Body, int64(n/2))
				w.(http.Flusher).Flush()
				r.stop()
				panic(http.ErrAbortHandler)
			}
		}
		_, _ = io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	ref := strings.TrimPrefix(proxy.URL, "http://") + "/e2e/cut:1"

	expectError(t, e.pod("pull", "--retry=0", ref), 125, ref)
	expect(t, e.pod("images", "-a", "-q"), 0, "")
	r.start()
	res := e.pod("pull", "-q", ref)
	if res.code != 0 || strings.TrimSpace(res.stdout) != id {
		t.Fatalf("second pull after an interrupted one:\n%s", res)
	}
	expect(t, e.pod("run", "--rm", ref, "echo", "whole"), 0, "whole\n")
}

// userConfig writes a file under the test user's ~/.config/containers.
func (e *env) userConfig(name, content string) string {
	e.t.Helper()
	dir := e.home
	for _, d := range []string{".config", "containers"} {
		dir = filepath.Join(dir, d)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			e.t.Fatal(err)
		}
		e.chown(dir)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.chown(p)
	return p
}

// registries.conf (search registries, aliases) and policy.json from the
// user's config are honoured.
func TestRegistryConfigFiles(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := newEnv(t)
	id := e.pushed(r, "e2e/conf:1")
	e.ok("rmi", r.ref("e2e/conf:1"), testImage)

	e.userConfig("registries.conf", "unqualified-search-registries = [\""+r.addr+"\"]\n"+
		"[[registry]]\nlocation = \"mirrored.invalid/team\"\n[[registry.mirror]]\nlocation = \""+r.addr+"/e2e\"\ninsecure = true\n"+
		"[[registry]]\nlocation = \""+r.addr+"/e2e/blocked\"\nblocked = true\n"+
		"[aliases]\n\"myalias\" = \""+r.addr+"/e2e/conf\"\n")
	res := e.pod("pull", "e2e/conf:1")
	if res.code != 0 || strings.TrimSpace(lines(res.stdout)[0]) != id || !strings.Contains(res.stderr, r.ref("e2e/conf:1")) {
		t.Fatalf("pull of a short name with unqualified-search-registries:\n%s", res)
	}
	e.ok("rmi", r.ref("e2e/conf:1"))
	expect(t, e.pod("pull", "-q", "myalias:1"), 0, id+"\n")
	e.ok("rmi", r.ref("e2e/conf:1"))
	// A mirror (plain HTTP: marked insecure, as only the registry's own
	// loopback address is probed) serves a registry that does not exist;
	// a blocked registry is refused.
	expect(t, e.pod("pull", "-q", "mirrored.invalid/team/conf:1"), 0, id+"\n")
	expectError(t, e.pod("pull", "--retry=0", r.ref("e2e/blocked/x:1")), 125, "blocked")

	policy := e.userConfig("policy.json", `{"default":[{"type":"reject"}]}`)
	expectError(t, e.pod("pull", "--retry=0", r.ref("e2e/conf:1")), 125, "rejected")
	if err := os.Remove(policy); err != nil {
		t.Fatal(err)
	}
	expect(t, e.pod("pull", "-q", r.ref("e2e/conf:1")), 0, id+"\n")
}
