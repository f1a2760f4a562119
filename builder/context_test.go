package builder

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ctxWriteTree creates files (name -> content) under dir; a content starting
// with "->" makes a symlink to the rest.
func ctxWriteTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func ctxOpenDir(t *testing.T, files map[string]string, o ContextOptions) *Context {
	t.Helper()
	dir := t.TempDir()
	ctxWriteTree(t, dir, files)
	c, err := OpenContext(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestContextExcluded(t *testing.T) {
	c := ctxOpenDir(t, map[string]string{
		"Dockerfile": "FROM scratch\n",
		".dockerignore": "# comment\n*.log\ntmp\n!tmp/keep.txt\ndocs/**/*.md\n!docs/README.md\n" +
			"Dockerfile\n.dockerignore\n/abs\nsub/*/deep\nlone\n!lone/x\n",
		"tmp/other": "o", "tmp/keep.txt": "k", "lone": "a file",
	}, ContextOptions{})
	for _, tc := range []struct {
		rel  string
		want bool
	}{
		{"a.log", true},
		{"a.txt", false},
		{"dir/a.log", false}, // *.log matches the root only
		{"tmp", false},       // excluded, but !tmp/keep.txt lies beneath it
		{"lone", true},       // a file: !lone/x cannot re-include anything in it
		{"tmp/other", true},
		{"tmp/keep.txt", false},
		{"./tmp/keep.txt", false},
		{"/tmp/other", true},
		{"docs/a/b.md", true},
		{"docs/x.md", true},
		{"docs/README.md", false},
		{"docs/a/b.txt", false},
		{"Dockerfile", false},    // always kept, though listed
		{".dockerignore", false}, // always kept, though listed
		{"abs", true},
		{"abs/x", true},
		{"sub/a/deep", true},
		{"sub/a/deep/er", true},
		{"sub/deep", false},
		{".", false},
	} {
		got, err := c.Excluded(tc.rel)
		if err != nil || got != tc.want {
			t.Errorf("Excluded(%q) = %v, %v; want %v", tc.rel, got, err, tc.want)
		}
	}
	if _, err := c.Excluded("../x"); !errors.Is(err, ErrContextEscape) {
		t.Errorf("Excluded(../x) = %v, want ErrContextEscape", err)
	}
}

func TestContextIgnoreFile(t *testing.T) {
	files := map[string]string{"Containerfile": "FROM scratch\n", ".dockerignore": "a\n", ".containerignore": "b\n"}
	c := ctxOpenDir(t, files, ContextOptions{})
	if a, _ := c.Excluded("a"); a {
		t.Error(".dockerignore used though .containerignore exists")
	}
	if b, _ := c.Excluded("b"); !b {
		t.Error(".containerignore not used")
	}
	if x, _ := c.Excluded(".containerignore"); x {
		t.Error(".containerignore excluded")
	}
	// A Dockerfile's own ignore file wins.
	files["build/app.Dockerfile"] = "FROM scratch\n"
	files["build/app.Dockerfile.dockerignore"] = "c\n"
	dir := t.TempDir()
	ctxWriteTree(t, dir, files)
	c2, err := OpenContext(context.Background(), dir, ContextOptions{File: filepath.Join(dir, "build/app.Dockerfile")})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if got, _ := c2.Excluded("c"); !got {
		t.Error("<Dockerfile>.dockerignore not used")
	}
	if got, _ := c2.Excluded("b"); got {
		t.Error(".containerignore used though <Dockerfile>.dockerignore exists")
	}
	// No ignore file: nothing excluded.
	c3 := ctxOpenDir(t, map[string]string{"Dockerfile": "FROM scratch\n"}, ContextOptions{})
	if got, err := c3.Excluded("anything"); got || err != nil {
		t.Errorf("Excluded with no ignore file = %v, %v", got, err)
	}
}

func TestContextPath(t *testing.T) {
	outside := t.TempDir()
	ctxWriteTree(t, outside, map[string]string{"secret": "s"})
	c := ctxOpenDir(t, map[string]string{
		"Dockerfile":   "FROM scratch\n",
		"sub/file":     "f",
		"abs":          "->/etc",
		"absdangling":  "->/nonexistent-pod-test",
		"out":          "->" + outside,
		"chain1":       "->chain2",
		"chain2":       "->sub/../../" + filepath.Base(outside),
		"in1":          "->in2",
		"in2":          "->sub/file",
		"sub/up":       "->../sub/file",
		"sub/rootlink": "->/sub/file",
	}, ContextOptions{})
	for _, tc := range []struct {
		rel, want string // want "!" means an escape error
	}{
		{"sub/file", "sub/file"},
		{"/sub/file", "sub/file"},
		{"./sub/../sub/file", "sub/file"},
		{".", ""},
		{"in1", "sub/file"},
		{"sub/up", "sub/file"},
		{"sub/rootlink", "sub/file"}, // absolute symlinks resolve inside the context
		{"absdangling", "nonexistent-pod-test"},
		{"missing/x", "missing/x"},
		{"../x", "!"},
		{"sub/../../x", "!"},
		{"abs/passwd", "!"},
		{"out/secret", "!"},
		{"chain1", "!"},
	} {
		got, err := c.Path(tc.rel)
		switch {
		case tc.want == "!":
			if !errors.Is(err, ErrContextEscape) || !strings.Contains(err.Error(), tc.rel) {
				t.Errorf("Path(%q) = %q, %v; want an escape error naming it", tc.rel, got, err)
			}
		case err != nil:
			t.Errorf("Path(%q): %v", tc.rel, err)
		case got != filepath.Join(c.Dir, tc.want):
			t.Errorf("Path(%q) = %q, want %q", tc.rel, got, filepath.Join(c.Dir, tc.want))
		}
	}
}

func ctxTarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o640, Size: int64(len(c)), Typeflag: tar.TypeReg, ModTime: time.Unix(1e9, 0), Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ctxGzip(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ctxCheck checks the context's Dockerfile content and files.
func ctxCheck(t *testing.T, c *Context, dockerfile string, files map[string]string) {
	t.Helper()
	b, err := os.ReadFile(c.Dockerfile)
	if err != nil || string(b) != dockerfile {
		t.Errorf("Dockerfile %s = %q, %v; want %q", c.Dockerfile, b, err, dockerfile)
	}
	for rel, want := range files {
		p, err := c.Path(rel)
		if err != nil {
			t.Errorf("Path(%q): %v", rel, err)
			continue
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", rel, b, err, want)
		}
	}
}

func TestContextStdinTar(t *testing.T) {
	files := map[string]string{"Dockerfile": "FROM scratch\nCOPY a /\n", "a": "A", "d/b": "B"}
	plain := ctxTarOf(t, files)
	for name, data := range map[string][]byte{"plain": plain, "gzip": ctxGzip(t, plain)} {
		t.Run(name, func(t *testing.T) {
			c, err := OpenContext(context.Background(), "-", ContextOptions{Stdin: bytes.NewReader(data)})
			if err != nil {
				t.Fatal(err)
			}
			ctxCheck(t, c, files["Dockerfile"], map[string]string{"a": "A", "d/b": "B"})
			dir := c.Dir
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("Close left %s: %v", dir, err)
			}
		})
	}
	// A Dockerfile on stdin (no tar) is a context of only that Dockerfile.
	c, err := OpenContext(context.Background(), "-", ContextOptions{Stdin: strings.NewReader("FROM scratch\n")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctxCheck(t, c, "FROM scratch\n", nil)
	// -f names a Dockerfile inside the tar, relative to the context root.
	c2, err := OpenContext(context.Background(), "-", ContextOptions{File: "d/b", Stdin: bytes.NewReader(plain)})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c2.Dockerfile != filepath.Join(c2.Dir, "d/b") {
		t.Errorf("Dockerfile = %s, want d/b in %s", c2.Dockerfile, c2.Dir)
	}
	if _, err := OpenContext(context.Background(), "-", ContextOptions{File: "-", Stdin: bytes.NewReader(plain)}); err == nil {
		t.Error("context and Dockerfile both from stdin: no error")
	}
}

func TestContextDockerfile(t *testing.T) {
	// -f -: read from stdin, kept outside the context.
	c := ctxOpenDir(t, map[string]string{"Dockerfile": "FROM a\n"}, ContextOptions{File: "-", Stdin: strings.NewReader("FROM b\n")})
	ctxCheck(t, c, "FROM b\n", nil)
	if _, inside := c.rel(c.Dockerfile); inside {
		t.Errorf("-f - Dockerfile %s is inside the context %s", c.Dockerfile, c.Dir)
	}
	// Containerfile wins over Dockerfile.
	c = ctxOpenDir(t, map[string]string{"Dockerfile": "FROM a\n", "Containerfile": "FROM c\n"}, ContextOptions{})
	ctxCheck(t, c, "FROM c\n", nil)
	// -f outside the context, absolute and relative to the current directory.
	elsewhere := t.TempDir()
	ctxWriteTree(t, elsewhere, map[string]string{"other/Dockerfile.x": "FROM x\n"})
	c = ctxOpenDir(t, map[string]string{"Dockerfile": "FROM a\n"}, ContextOptions{File: filepath.Join(elsewhere, "other/Dockerfile.x")})
	ctxCheck(t, c, "FROM x\n", nil)
	t.Chdir(elsewhere)
	c = ctxOpenDir(t, map[string]string{"Dockerfile": "FROM a\n"}, ContextOptions{File: "other/Dockerfile.x"})
	ctxCheck(t, c, "FROM x\n", nil)
	// A relative path missing from the current directory is looked up in the context.
	c = ctxOpenDir(t, map[string]string{"Dockerfile": "FROM a\n", "sub/Dockerfile": "FROM s\n"}, ContextOptions{File: "sub/Dockerfile"})
	ctxCheck(t, c, "FROM s\n", nil)

	for name, o := range map[string]ContextOptions{"none": {}, "missing -f": {File: "nope"}, "directory": {File: "sub"}} {
		dir := t.TempDir()
		ctxWriteTree(t, dir, map[string]string{"sub/x": "x"})
		if c, err := OpenContext(context.Background(), dir, o); err == nil {
			c.Close()
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := OpenContext(context.Background(), filepath.Join(elsewhere, "other/Dockerfile.x"), ContextOptions{}); err == nil {
		t.Error("a file as context: no error")
	}
}

func TestContextHTTP(t *testing.T) {
	files := map[string]string{"Dockerfile": "FROM scratch\n", "a": "A"}
	body := ctxGzip(t, ctxTarOf(t, files))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ctx.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	c, err := OpenContext(context.Background(), srv.URL+"/ctx.tar.gz", ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctxCheck(t, c, files["Dockerfile"], map[string]string{"a": "A"})
	c.Close()
	if _, err := OpenContext(context.Background(), srv.URL+"/missing.tar", ContextOptions{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing URL: %v, want an error with 404", err)
	}
}

func TestContextGitURL(t *testing.T) {
	for _, tc := range []struct {
		s                 string
		git               bool
		repo, ref, subdir string
	}{
		{"https://example.com/org/repo.git#main:app", true, "https://example.com/org/repo.git", "main", "app"},
		{"https://example.com/org/repo.git", true, "https://example.com/org/repo.git", "", ""},
		{"https://example.com/ctx.tar.gz", false, "", "", ""},
		{"git://h/r#v1", true, "git://h/r", "v1", ""},
		{"git@github.com:org/repo.git#:sub/dir", true, "git@github.com:org/repo.git", "", "sub/dir"},
		{"github.com/org/repo", true, "https://github.com/org/repo", "", ""},
		{"file:///srv/repo#abc123", true, "file:///srv/repo", "abc123", ""},
		{"ssh://git@h/r.git", true, "ssh://git@h/r.git", "", ""},
		{"./dir", false, "", "", ""},
	} {
		if got := isGitURL(tc.s); got != tc.git {
			t.Errorf("isGitURL(%q) = %v", tc.s, got)
		}
		if !tc.git {
			continue
		}
		if repo, ref, subdir := gitSource(tc.s); repo != tc.repo || ref != tc.ref || subdir != tc.subdir {
			t.Errorf("gitSource(%q) = %q %q %q", tc.s, repo, ref, subdir)
		}
	}
}

// ctxMakeRepo makes a git repository: on main, Dockerfile "FROM main"; on
// branch dev, app/Dockerfile "FROM dev" and app/f. It returns the
// repository's directory and dev's commit ID.
func ctxMakeRepo(t *testing.T) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skipping: no git program (apt-get install git)")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	ctxWriteTree(t, dir, map[string]string{"Dockerfile": "FROM main\n"})
	git("add", ".")
	git("commit", "-q", "-m", "main")
	git("checkout", "-q", "-b", "dev")
	ctxWriteTree(t, dir, map[string]string{"app/Dockerfile": "FROM dev\n", "app/f": "F"})
	git("add", ".")
	git("commit", "-q", "-m", "dev")
	sha := git("rev-parse", "HEAD")
	git("checkout", "-q", "main")
	return dir, sha
}

func TestContextGitFile(t *testing.T) {
	repo, sha := ctxMakeRepo(t)
	ctx := context.Background()
	for _, tc := range []struct{ source, dockerfile string }{
		{"file://" + repo, "FROM main\n"},
		{"file://" + repo + "#dev:app", "FROM dev\n"},
		{"file://" + repo + "#" + sha + ":app", "FROM dev\n"},
	} {
		c, err := OpenContext(ctx, tc.source, ContextOptions{})
		if err != nil {
			t.Errorf("%s: %v", tc.source, err)
			continue
		}
		ctxCheck(t, c, tc.dockerfile, nil)
		if strings.HasSuffix(tc.source, ":app") {
			ctxCheck(t, c, tc.dockerfile, map[string]string{"f": "F"})
		}
		c.Close()
	}
	for _, bad := range []string{"file://" + repo + "#nobranch", "file://" + repo + "#dev:nodir", "file://" + repo + "-missing"} {
		c, err := OpenContext(ctx, bad, ContextOptions{})
		if err == nil {
			c.Close()
			t.Errorf("%s: no error", bad)
			continue
		}
		// git's exit status must not become pod's.
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			t.Errorf("%s: error %v carries exit code %d", bad, err, coded.ExitCode())
		}
	}
}

func TestContextGitDaemon(t *testing.T) {
	repo, _ := ctxMakeRepo(t)
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	daemon := filepath.Join(strings.TrimSpace(string(execPath)), "git-daemon")
	if _, err := os.Stat(daemon); err != nil {
		t.Skipf("skipping: no git daemon (Debian's git package has it): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	base := filepath.Dir(repo)
	// git-daemon itself, not the git wrapper, so that killing it ends it.
	cmd := exec.Command(daemon, "--reuseaddr", "--export-all", "--listen=127.0.0.1",
		fmt.Sprintf("--port=%d", port), "--base-path="+base, base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logFile := filepath.Join(t.TempDir(), "daemon.log")
	logf, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	log := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			break
		}
		if i == 100 {
			t.Fatalf("git daemon did not listen on %s: %s", addr, log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, err := OpenContext(context.Background(), "git://"+addr+"/"+filepath.Base(repo)+"#dev:app", ContextOptions{})
	if err != nil {
		t.Fatalf("%v\ngit daemon: %s", err, log())
	}
	defer c.Close()
	ctxCheck(t, c, "FROM dev\n", map[string]string{"f": "F"})
}

// With a store, every context pod unpacks or clones, and a Dockerfile
// from stdin, live in the store's tmp/ until Close; $TMPDIR stays empty.
func TestContextTempFilesInTheStore(t *testing.T) {
	repo, _ := ctxMakeRepo(t)
	files := map[string]string{"Dockerfile": "FROM scratch\n", "a": "A"}
	body := ctxGzip(t, ctxTarOf(t, files))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	tmpdir := t.TempDir()
	t.Setenv("TMPDIR", tmpdir)
	graph := t.TempDir()
	storeTmp := filepath.Join(graph, "tmp")
	local := t.TempDir()
	ctxWriteTree(t, local, files)
	for _, tc := range []struct {
		source string
		o      ContextOptions
	}{
		{"-", ContextOptions{Stdin: bytes.NewReader(body)}},
		{srv.URL + "/ctx.tar.gz", ContextOptions{}},
		{"file://" + repo, ContextOptions{}},
		{local, ContextOptions{File: "-", Stdin: strings.NewReader("FROM stdin\n")}},
	} {
		tc.o.GraphRoot = graph
		c, err := OpenContext(context.Background(), tc.source, tc.o)
		if err != nil {
			t.Fatalf("%s: %v", tc.source, err)
		}
		inStore := c.Dockerfile
		if tc.source != local {
			inStore = c.Dir
		}
		if !strings.HasPrefix(inStore, storeTmp+"/") {
			t.Errorf("%s: %s is not in the store's %s", tc.source, inStore, storeTmp)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{storeTmp, tmpdir} {
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("%s: left in %s: %v", tc.source, dir, ents)
			}
		}
	}
}
