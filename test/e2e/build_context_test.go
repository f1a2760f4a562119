package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ctxTree writes files (name -> content; "->target" makes a symlink) under
// e.dir/name, owned by the test user, and returns the directory.
func (e *env) ctxTree(name string, files map[string]string) string {
	e.t.Helper()
	dir := filepath.Join(e.dir, name)
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			e.t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			e.t.Fatal(err)
		}
	}
	e.ctxChownTree(dir)
	return dir
}

// ctxChownTree gives a whole tree to the test user.
func (e *env) ctxChownTree(dir string) {
	e.t.Helper()
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			e.chown(p)
		}
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
}

// ctxBuildRun builds with args (-q added), runs the image with cmd, and
// returns cmd's output.
func (e *env) ctxBuildRun(stdin []byte, buildArgs []string, cmd ...string) string {
	e.t.Helper()
	var in *bytes.Reader
	if stdin != nil {
		in = bytes.NewReader(stdin)
	}
	var r result
	if in != nil {
		r = e.podStdin(in, append([]string{"build", "-q"}, buildArgs...)...)
	} else {
		r = e.pod(append([]string{"build", "-q"}, buildArgs...)...)
	}
	if r.code != 0 {
		e.t.Fatalf("build failed:\n%s", r)
	}
	id := strings.TrimSpace(r.stdout)
	return e.ok(append([]string{"run", "--rm", id}, cmd...)...)
}

func TestBuildContextIgnore(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{
		"Dockerfile":    "FROM " + testImage + "\nCOPY . /ctx/\n",
		".dockerignore": "*.log\nsecret\n!secret/keep\nDockerfile\n",
		"a.txt":         "a",
		"b.log":         "b",
		"sub/c.log":     "c",
		"secret/x":      "x",
		"secret/keep":   "k",
	})
	got := e.ctxBuildRun(nil, []string{ctx}, "find", "/ctx", "-type", "f")
	want := []string{"/ctx/.dockerignore", "/ctx/Dockerfile", "/ctx/a.txt", "/ctx/secret/keep", "/ctx/sub/c.log"}
	if lines := sortedLines(strings.Fields(got)...); strings.Join(lines, " ") != strings.Join(want, " ") {
		t.Fatalf("files copied = %q, want %q", lines, want)
	}
	// .containerignore wins over .dockerignore.
	if err := os.WriteFile(filepath.Join(ctx, ".containerignore"), []byte("a.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.chown(filepath.Join(ctx, ".containerignore"))
	got = e.ctxBuildRun(nil, []string{ctx}, "ls", "/ctx")
	if strings.Contains(got, "a.txt") || !strings.Contains(got, "b.log") {
		t.Fatalf("with .containerignore, /ctx holds:\n%s", got)
	}
}

func ctxTar(t *testing.T, files map[string]string, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range ctxSortedKeys(files) {
		c := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if !gz {
		return buf.Bytes()
	}
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(buf.Bytes())
	zw.Close()
	return zb.Bytes()
}

func ctxSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sortedLines(keys...)
}

func TestBuildContextStdinAndURL(t *testing.T) {
	e := withImage(t)
	files := map[string]string{"Dockerfile": "FROM " + testImage + "\nCOPY hello /hello\n", "hello": "from tar"}
	for _, gz := range []bool{false, true} {
		if got := e.ctxBuildRun(ctxTar(t, files, gz), []string{"-"}, "cat", "/hello"); got != "from tar" {
			t.Fatalf("tar on stdin (gzip %v): /hello = %q", gz, got)
		}
	}
	// -f -: the Dockerfile from stdin, the context a directory.
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM scratch\n", "f": "from dir"})
	df := []byte("FROM " + testImage + "\nCOPY f /f\n")
	if got := e.ctxBuildRun(df, []string{"-f", "-", ctx}, "cat", "/f"); got != "from dir" {
		t.Fatalf("-f -: /f = %q", got)
	}
	// -f outside the context.
	other := e.ctxTree("elsewhere", map[string]string{"My.Dockerfile": "FROM " + testImage + "\nCOPY f /g\n"})
	if got := e.ctxBuildRun(nil, []string{"-f", filepath.Join(other, "My.Dockerfile"), ctx}, "cat", "/g"); got != "from dir" {
		t.Fatalf("-f outside: /g = %q", got)
	}
	// An http tarball.
	body := ctxTar(t, files, true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ctx.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	if got := e.ctxBuildRun(nil, []string{srv.URL + "/ctx.tar.gz"}, "cat", "/hello"); got != "from tar" {
		t.Fatalf("http context: /hello = %q", got)
	}
	expectError(t, e.pod("build", srv.URL+"/nothing.tar"), 125, "404")
}

func TestBuildContextEscape(t *testing.T) {
	e := withImage(t)
	e.ctxTree("outside", map[string]string{"secret": "s"})
	ctx := e.ctxTree("ctx", map[string]string{
		"Dockerfile":     "FROM " + testImage + "\nCOPY ../outside/secret /s\n",
		"abs.Dockerfile": "FROM " + testImage + "\nCOPY etc/passwd /p\n",
		"etc":            "->/etc",
		"rel.Dockerfile": "FROM " + testImage + "\nCOPY link/secret /s\n",
		"link":           "->../outside",
	})
	expectError(t, e.pod("build", ctx), 125, "outside the build context")
	expectError(t, e.pod("build", "-f", filepath.Join(ctx, "abs.Dockerfile"), ctx), 125, "outside the build context")
	expectError(t, e.pod("build", "-f", filepath.Join(ctx, "rel.Dockerfile"), ctx), 125, "outside the build context")
	expectError(t, e.pod("build", filepath.Join(e.dir, "missing")), 125, "missing")
}

func TestBuildContextGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skipping: no git program (hack/deps.sh installs it)")
	}
	e := withImage(t)
	repo := e.ctxTree("repo", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN echo main > /which\n"})
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com",
			"-c", "init.defaultBranch=main", "-c", "safe.directory=*"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "main")
	git("checkout", "-q", "-b", "dev")
	if err := os.MkdirAll(filepath.Join(repo, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "app", "Containerfile"), []byte("FROM "+testImage+"\nCOPY f /which\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "app", "f"), []byte("dev"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "dev")
	git("checkout", "-q", "main")
	e.ctxChownTree(repo)

	if got := e.ctxBuildRun(nil, []string{"file://" + repo}, "cat", "/which"); got != "main\n" {
		t.Fatalf("file:// main: /which = %q", got)
	}
	if got := e.ctxBuildRun(nil, []string{"file://" + repo + "#dev:app"}, "cat", "/which"); got != "dev" {
		t.Fatalf("file://#dev:app: /which = %q", got)
	}
	expectError(t, e.pod("build", "file://"+repo+"#nosuchref"), 125, "nosuchref")
}

func TestBuildSquashLayers(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("squash", map[string]string{
		"Dockerfile": "FROM " + testImage + "\nRUN echo a > /a && rm /bin/vi\nENV X=1\nRUN echo b > /b\nRUN rm /a\n",
	})
	check := "test ! -e /a && test ! -e /bin/vi && cat /b && echo $X"
	for _, tc := range []struct {
		flag, tag, layers string
	}{{"--squash", "sqsquash", "2\n"}, {"--squash-all", "sqall", "1\n"}, {"--layers=true", "sqnone", "4\n"}} {
		tag := tc.tag
		e.ok("build", "-q", tc.flag, "-t", tag, ctx)
		expect(t, e.pod("image", "inspect", "--format", "{{len .RootFS.Layers}}", tag), 0, tc.layers)
		expect(t, e.pod("run", "--rm", tag, "sh", "-c", check), 0, "b\n1\n")
	}
	// The squashed image's history ends in one entry for the merged layer.
	out := e.ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", "sqsquash")
	if first := strings.SplitN(out, "\n", 2)[0]; !strings.Contains(first, "squash") {
		t.Fatalf("history of the squashed image starts with %q, want the squash entry:\n%s", first, out)
	}
}
