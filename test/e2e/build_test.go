package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// buildContext copies testdata/build/NAME into a directory the test user
// owns and returns it.
func (e *env) buildContext(name string) string {
	e.t.Helper()
	src := filepath.Join("testdata", "build", name)
	dst := e.mkdirUser("ctx-" + name)
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		} else {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(target, b, 0o644); err != nil {
				return err
			}
		}
		e.chown(target)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return dst
}

var builtID = regexp.MustCompile(`(?m)^[0-9a-f]{64}$`)

// build runs pod build and returns its output; the last line is the ID.
func (e *env) build(args ...string) (out, id string) {
	e.t.Helper()
	out = e.ok(append([]string{"build"}, args...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	id = lines[len(lines)-1]
	if !builtID.MatchString(id) {
		e.t.Fatalf("pod build printed %q last, want the image ID:\n%s", id, out)
	}
	return out, id
}

func (e *env) imageConfig(ref string) map[string]any {
	e.t.Helper()
	var v []struct{ Config map[string]any }
	if err := json.Unmarshal([]byte(e.ok("image", "inspect", ref)), &v); err != nil || len(v) != 1 {
		e.t.Fatalf("image inspect %s: %v", ref, err)
	}
	return v[0].Config
}

func TestBuildInstructions(t *testing.T) {
	e := withImage(t)
	dir := e.buildContext("basic")
	out, id := e.build("-t", "app:1", "--build-arg", "VERSION=2", dir)
	for _, want := range []string{"STEP 1/", "STEP 3/", "home /srv/app", "Successfully tagged docker.io/library/app:1", "syntax directive"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	cfg := e.imageConfig("app:1")
	js, _ := json.Marshal(cfg)
	for _, want := range []string{
		`"User":"user"`, `"WorkingDir":"/srv/app"`, `"StopSignal":"SIGINT"`, `"53/udp":{}`, `"8080/tcp":{}`,
		`"/data":{}`, `"GREETING=hello world"`, `"APP_HOME=/srv/app"`, `"version":"2"`, `"org.example.name":"app"`,
		`"Entrypoint":["/bin/sh","-c"]`, `"Cmd":["cat /version.txt"]`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("config lacks %s: %s", want, js)
		}
	}
	expect(t, e.pod("run", "--rm", "app:1"), 0, "version 2\n")
	expect(t, e.pod("run", "--rm", "--user", "0", "app:1",
		"cat /heredoc.txt; stat -c '%u:%g %a %n' /owned/main.py /srv/app/main.py; ls -A /ctx; id -un"), 0,
		"from-heredoc\n1000:1000 600 /owned/main.py\n0:0 644 /srv/app/main.py\n.dockerignore\nContainerfile\napp\nroot\n")
	// Base layer + COPY, COPY, COPY, RUN, RUN.
	expect(t, e.pod("image", "inspect", "--format", "{{len .RootFS.Layers}}", "app:1"), 0, "6\n")
	hist := e.ok("history", "--no-trunc", "app:1")
	for _, want := range []string{"HEALTHCHECK", "RUN /bin/sh -c echo \"version $VERSION\"", "COPY app/ ./"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	// ONBUILD runs in a build FROM this image; the health check came along.
	child := e.mkdirUser("child")
	e.writeFile("child/Containerfile", "FROM app:1\nUSER 0\n")
	e.build("-q", "-t", "child:1", child)
	expect(t, e.pod("run", "--rm", "child:1", "cat /tmp/onbuild.txt"), 0, "child\n")
	// The steps' images are intermediate: listed with -a only.
	expect(t, e.pod("images", "--format", "{{.Repository}}"), 0, "child\napp\nlocalhost/e2e/busybox\n")
	if n := strings.Count(e.ok("images", "-a", "-q"), "\n"); n < 15 {
		t.Errorf("images -a lists %d images, want the steps' too", n)
	}
	if !strings.Contains(e.ok("images", "-a", "-q", "--no-trunc"), id) {
		t.Errorf("images -a lacks the built image %s", id)
	}
}

func TestBuildCache(t *testing.T) {
	e := withImage(t)
	dir := e.buildContext("basic")
	_, id1 := e.build("-t", "app:1", dir)
	out, id2 := e.build("-t", "app:1", dir)
	if id1 != id2 || strings.Count(out, "--> Using cache") != 18 || strings.Contains(out, "cache miss") {
		t.Fatalf("rebuild: id %s then %s, want all steps cached:\n%s", id1, id2, out)
	}
	// An ignored file changes nothing.
	e.writeFile("ctx-basic/notes.txt", "changed\n")
	if _, id := e.build("-q", dir); id != id1 {
		t.Fatalf("changing an ignored file: %s, want the cached %s", id, id1)
	}
	e.writeFile("ctx-basic/app/main.py", "print('changed')\n")
	out, id3 := e.build(dir)
	if id3 == id1 || !strings.Contains(out, "cache miss: app/main.py changed") {
		t.Fatalf("after changing app/main.py:\n%s", out)
	}
	out, _ = e.build("--build-arg", "VERSION=5", dir)
	if !strings.Contains(out, "cache miss: build arg VERSION changed") {
		t.Fatalf("after a new build arg:\n%s", out)
	}
	out, _ = e.build("--no-cache", dir)
	if strings.Contains(out, "Using cache") {
		t.Fatalf("--no-cache used the cache:\n%s", out)
	}
	// A new base image under the same name misses from the first step.
	e.ok("rmi", testImage)
	e.importImage(testImage, "--change", "ENV NEW=1")
	out, _ = e.build(dir)
	if !strings.Contains(out, "cache miss: base image changed") {
		t.Fatalf("after a new base image:\n%s", out)
	}
}

func TestBuildMultiStage(t *testing.T) {
	e := withImage(t)
	dir := e.buildContext("multistage")
	out, _ := e.build("-t", "ms:1", dir)
	if strings.Contains(out, "broken stage ran") {
		t.Fatalf("a stage the target does not need was built:\n%s", out)
	}
	expect(t, e.pod("run", "--rm", "ms:1"), 0, "built\n")
	expect(t, e.pod("run", "--rm", "ms:1", "stat", "-c", "%u", "/result"), 0, "1000\n")
	expect(t, e.pod("image", "inspect", "--format", "{{len .RootFS.Layers}}", "ms:1"), 0, "2\n")
	r := e.pod("build", "--target", "broken", dir)
	if r.code != 9 || !strings.Contains(r.stdout, "broken stage ran") {
		t.Fatalf("--target broken: want exit 9 and the step's output:\n%s", r)
	}
	expectError(t, r, 9, "Containerfile:4", "non-zero code: 9")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	iid := filepath.Join(e.dir, "iid")
	_, id := e.build("-q", "--target", "builder", "--iidfile", iid, dir)
	if b, err := os.ReadFile(iid); err != nil || string(b) != "sha256:"+id {
		t.Fatalf("--iidfile holds %q (%v), want sha256:%s", b, err, id)
	}
}

func TestBuildErrors(t *testing.T) {
	e := withImage(t)
	dir := e.mkdirUser("errs")
	e.writeFile("errs/present", "x\n")
	for _, tt := range []struct {
		name, dockerfile string
		code             int
		words            []string
	}{
		{"unknown instruction", "FROM " + testImage + "\nFORM x\n", 125, []string{"Containerfile:2", "unknown instruction"}},
		{"missing source", "FROM " + testImage + "\nCOPY absent /x\n", 125, []string{"Containerfile:2", "absent", "no such file"}},
		{"context escape", "FROM " + testImage + "\nCOPY ../present /x\n", 125, []string{"Containerfile:2", "outside the build context"}},
		{"bad arg", "FROM " + testImage + "\nARG A=${B\n", 125, []string{"Containerfile:2", "ARG"}},
		{"bad env", "FROM " + testImage + "\nENV A\n", 125, []string{"Containerfile:2", "ENV"}},
		{"failing run", "FROM " + testImage + "\nRUN echo out-line; exit 3\n", 3, []string{"Containerfile:2", "non-zero code: 3"}},
		{"no from", "RUN true\n", 125, []string{"FROM"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.writeFile("errs/Containerfile", tt.dockerfile)
			r := e.pod("build", dir)
			expectError(t, r, tt.code, tt.words...)
			if tt.code == 3 && !strings.Contains(r.stdout, "out-line") {
				t.Fatalf("the failing step's output is not shown:\n%s", r)
			}
		})
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

func TestBuildSquashAll(t *testing.T) {
	e := withImage(t)
	dir := e.buildContext("basic")
	e.build("-q", "--squash-all", "-t", "flat:1", dir)
	expect(t, e.pod("image", "inspect", "--format", "{{len .RootFS.Layers}}", "flat:1"), 0, "1\n")
	expect(t, e.pod("run", "--rm", "flat:1"), 0, "version 1\n")
}

func TestBuildOptionsAndMounts(t *testing.T) {
	e := withImage(t)
	dir := e.mkdirUser("opts")
	e.mkdirUser("opts/t")
	e.writeFile("opts/t/x", "bound\n")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "in/tar.txt", Mode: 0o640, Size: 7, Uid: 1000, Gid: 1000, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("intar!\n"))
	_ = tw.Close()
	e.writeFile("opts/data.tar", buf.String())
	secret := e.writeFile("secret.txt", "s3cr3t\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("served\n")) }))
	defer srv.Close()
	sum := sha256.Sum256([]byte("served\n"))
	e.writeFile("opts/Containerfile", "FROM "+testImage+"\n"+
		"ADD data.tar /x/\n"+
		"ADD --checksum=sha256:"+hex.EncodeToString(sum[:])+" "+srv.URL+"/dl.txt /dl/\n"+
		"RUN --mount=type=secret,id=tok,required cat /run/secrets/tok\n"+
		"RUN --mount=type=cache,target=/cache echo $(($(cat /cache/n 2>/dev/null || echo 0)+1)) > /cache/n && echo cache-$(cat /cache/n)\n"+
		"RUN --mount=type=bind,source=t,target=/t cat /t/x\n"+
		"RUN --mount=type=tmpfs,target=/tm touch /tm/f && echo tmpfs-ok\n"+
		"RUN --network=none echo no-network\n")
	out, _ := e.build("--secret", "id=tok,src="+secret, "--format", "oci", "--label", "extra=yes",
		"--timestamp", "1700000000", "-t", "opts:1", dir)
	for _, want := range []string{"s3cr3t", "cache-1", "bound", "tmpfs-ok", "no-network"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	expect(t, e.pod("run", "--rm", "opts:1", "sh", "-c", "stat -c '%u:%g %a' /x/in/tar.txt; cat /x/in/tar.txt /dl/dl.txt; stat -c %a /dl/dl.txt; ls -A /cache /t /tm 2>/dev/null | wc -l; ls -A /run"),
		0, "1000:1000 640\nintar!\nserved\n600\n0\n.containerenv\n")
	expect(t, e.pod("image", "inspect", "--format", "{{.Created}} {{index .Config.Labels \"extra\"}}", "opts:1"), 0, "2023-11-14T22:13:20Z yes\n")
	// The cache mount keeps its content between builds.
	out, _ = e.build("--no-cache", "--secret", "id=tok,src="+secret, dir)
	if !strings.Contains(out, "cache-2") {
		t.Errorf("the cache mount was not kept:\n%s", out)
	}
	e.writeFile("opts/Containerfile", "FROM "+testImage+"\nADD --checksum=sha256:0000 "+srv.URL+"/dl.txt /dl\n")
	expectError(t, e.pod("build", dir), 125, "checksum")
}

func TestBuildParallel(t *testing.T) {
	e := withImage(t)
	dir := e.buildContext("basic")
	var wg sync.WaitGroup
	results := make([]result, 3)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.pod("build", "-q", "-t", fmt.Sprintf("par:%d", i), dir)
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("a parallel build failed:\n%s", r)
		}
	}
	out, _ := e.build(dir)
	if strings.Contains(out, "cache miss") || !strings.Contains(out, "Using cache") {
		t.Fatalf("after parallel builds the cache does not hit:\n%s", out)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}
