package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// expectOneError asserts a refusal: exit code, nothing on stdout, and
// exactly one line on stderr, "Error: ..." mentioning every one of words.
func expectOneError(t *testing.T, r result, code int, words ...string) {
	t.Helper()
	expectError(t, r, code, words...)
	if r.stdout != "" || !strings.HasPrefix(r.stderr, "Error: ") || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Fatalf("expected one \"Error: \" line on stderr and nothing on stdout:\n%s", r)
	}
}

// abbrevName shortens a subtest's name made of a long value.
func abbrevName(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", s[:30], len(s))
	}
	return s
}

// expectNoContainers fails unless the store has no container at all.
func (e *env) expectNoContainers() {
	e.t.Helper()
	if out := e.ok("ps", "-a", "-q"); out != "" {
		e.t.Fatalf("a refused value left containers:\n%s", out)
	}
}

// TestRuntimeDirUnsafe: an XDG_RUNTIME_DIR that someone else could write
// to (a world-writable one, or another user's) is refused before pod puts
// anything in it, naming the directory, what is wrong and the fix.
func TestRuntimeDirUnsafe(t *testing.T) {
	t.Run("world-writable", func(t *testing.T) {
		e := withImage(t)
		bad := filepath.Join(e.dir, "xdg-0777")
		if err := os.Mkdir(bad, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(bad, 0o777); err != nil {
			t.Fatal(err)
		}
		e.chown(bad)
		e.xdg = bad
		for _, args := range [][]string{{"run", "--rm", testImage, "echo", "ok"}, {"ps", "-a"}, {"images"}} {
			expectOneError(t, e.pod(args...), 125, "XDG_RUNTIME_DIR "+bad+" ", "writable by group or others (mode 0777)", "chmod 0700 "+bad)
		}
		if _, err := os.Lstat(filepath.Join(bad, "pod")); err == nil {
			t.Fatalf("pod made its directory in the refused %s", bad)
		}
		// The fix the message names works.
		if err := os.Chmod(bad, 0o700); err != nil {
			t.Fatal(err)
		}
		expect(t, e.pod("run", "--rm", testImage, "echo", "ok"), 0, "ok\n")
		if pid := e.pausePID(); pid == 0 || !alive(pid) {
			t.Fatalf("no live pause process named in %s", e.pauseFile())
		}
	})
	t.Run("another user's", func(t *testing.T) {
		e := withImage(t)
		// Root's own world-writable directory when the tests run as
		// root; else /tmp, which is root's too.
		foreign := "/tmp"
		if !e.user.self {
			foreign = filepath.Join(e.dir, "xdg-root")
			if err := os.Mkdir(foreign, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(foreign, 0o777); err != nil {
				t.Fatal(err)
			}
		}
		e.xdg = foreign
		r := e.pod("run", "--rm", testImage, "echo", "ok")
		expectOneError(t, r, 125, "XDG_RUNTIME_DIR "+foreign+" ", fmt.Sprintf("owned by uid 0, not by you (uid %d)", e.user.uid), "unset it")
		if _, err := os.Lstat(filepath.Join(foreign, "pod")); err == nil && foreign != "/tmp" {
			t.Fatalf("pod made its directory in the refused %s", foreign)
		}
	})
}

// TestValidFileValues: a value that pod writes into a file of the
// container (resolv.conf, hosts, hostname) or hands to the runtime is
// refused when it holds a newline or is otherwise invalid by Docker's
// rules: one error line naming the flag, exit 125, no container made.
func TestValidFileValues(t *testing.T) {
	e := withImage(t)
	const evil = "evil\nnameserver 1.2.3.4"
	for _, tt := range []struct {
		args  []string
		words []string
	}{
		{[]string{"--dns", evil}, []string{`invalid --dns "evil\nnameserver 1.2.3.4"`, "IP address"}},
		{[]string{"--dns", "dns.example.org"}, []string{"invalid --dns", "IP address"}},
		{[]string{"--dns-search", evil}, []string{"invalid --dns-search", "domain name"}},
		{[]string{"--dns-search", "-bad-.example"}, []string{"invalid --dns-search", "domain name"}},
		{[]string{"--dns-option", "ndots:1\nnameserver 1.2.3.4"}, []string{"invalid --dns-option", "one word"}},
		{[]string{"--add-host", "evil\n1.2.3.4 x:10.0.0.1"}, []string{"invalid --add-host", "host name"}},
		{[]string{"--add-host", "db:10.0.0.1\n1.2.3.4 x"}, []string{"invalid --add-host", "not an IP address"}},
		{[]string{"--add-host", "db:[::1"}, []string{"invalid --add-host", "not an IP address"}},
		{[]string{"--hostname", "h\n1.2.3.4 evil"}, []string{"invalid --hostname", "letters, digits"}},
		{[]string{"--domainname", "example.org\n1.2.3.4 evil"}, []string{"invalid --domainname", "letters, digits"}},
		{[]string{"-e", "EVIL\nNAME=1"}, []string{`invalid environment variable "EVIL\nNAME=1"`, "whitespace or a control character"}},
		{[]string{"-l", "evil\nkey=1"}, []string{"invalid label", "control character"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			for _, verb := range []string{"run", "create"} {
				args := append(append([]string{verb, "--rm"}, tt.args...), testImage, "true")
				expectOneError(t, e.pod(args...), 125, tt.words...)
			}
		})
	}
	t.Run("env files", func(t *testing.T) {
		for name, tt := range map[string]struct{ content, what, words string }{
			"nul":       {"OK=1\nA=x\x00y\n", "invalid environment variable", "line 2: the value holds a NUL byte"},
			"not utf-8": {"A=\xff\xfe\n", "invalid --env-file", "line 1: not UTF-8 text"},
			"bad name":  {"GOOD=1\nBAD NAME=1\n", "invalid environment variable", "line 2: the name holds whitespace"},
		} {
			f := e.writeFile("env-"+strings.ReplaceAll(name, " ", "-"), tt.content)
			for _, verb := range []string{"run", "create"} {
				expectOneError(t, e.pod(verb, "--rm", "--env-file", f, testImage, "true"), 125, tt.what, f, tt.words)
			}
		}
		// A value may span lines, as with Docker: it is no file's line.
		expect(t, e.pod("run", "--rm", "-e", "TWO=a\nb", testImage, "sh", "-c", `echo "$TWO"`), 0, "a\nb\n")
	})
	e.expectNoContainers()
	// What is valid still lands where it belongs, canonical.
	expect(t, e.pod("run", "--rm", "--name", "web", "--network", "pasta", "--dns", "2001:DB8::1", "--dns-search", "example.org", "--dns-option", "ndots:3",
		"--add-host", "db=[::1]", "--hostname", "h1", "--domainname", "example.org", testImage,
		"sh", "-c", "cat /etc/resolv.conf; grep -e db -e h1 /etc/hosts; hostname"), 0,
		"search example.org\nnameserver 2001:db8::1\noptions ndots:3\n::1\tdb\n10.0.2.100\th1.example.org h1 web\nh1\n")
}

// TestValidBadInput: input Docker refuses and pod used to take, or refused
// late with someone else's error, is refused at once with pod's own.
func TestValidBadInput(t *testing.T) {
	e := withImage(t)
	long := strings.Repeat("a", 300)
	for _, tt := range []struct {
		args  []string
		words []string
	}{
		{[]string{"--hostname", long}, []string{`invalid --hostname "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... (300 bytes)`, "at most 64 bytes"}},
		{[]string{"--hostname", strings.Repeat("b", 65)}, []string{"invalid --hostname", "at most 64 bytes"}},
		{[]string{"--hostname", "two words"}, []string{`invalid --hostname "two words"`, "letters, digits"}},
		{[]string{"--hostname", "a/b"}, []string{`invalid --hostname "a/b"`, "letters, digits"}},
		{[]string{"-w", "relative"}, []string{"--workdir: the working directory 'relative' is invalid, it needs to be an absolute path"}},
		{[]string{"--stop-signal", "BOGUS"}, []string{`--stop-signal: invalid signal "BOGUS"`}},
	} {
		t.Run(abbrevName(strings.Join(tt.args, " ")), func(t *testing.T) {
			for _, verb := range []string{"run", "create"} {
				args := append(append([]string{verb, "--rm"}, tt.args...), testImage, "true")
				expectOneError(t, e.pod(args...), 125, tt.words...)
			}
		})
	}
	e.expectNoContainers()
	// 64 bytes is HOST_NAME_MAX, and allowed.
	h64 := strings.Repeat("h", 64)
	expect(t, e.pod("run", "--rm", "--hostname", h64, testImage, "hostname"), 0, h64+"\n")

	t.Run("exec -w relative", func(t *testing.T) {
		e.ok("run", "-d", "--name", "sleeper", testImage, "sleep", "60")
		expectOneError(t, e.pod("exec", "-w", "relative", "sleeper", "pwd"), 125, "--workdir: the working directory 'relative' is invalid, it needs to be an absolute path")
		e.ok("rm", "-f", "sleeper")
	})

	t.Run("build", func(t *testing.T) {
		for name, tt := range map[string]struct{ dockerfile, words string }{
			"STOPSIGNAL BOGUS": {"FROM " + testImage + "\nSTOPSIGNAL BOGUS\n", `Dockerfile:2: STOPSIGNAL: invalid signal "BOGUS"`},
			"empty RUN":        {"FROM " + testImage + "\nRUN true\nRUN\n", "Dockerfile:3: RUN requires at least one argument"},
			"empty JSON RUN":   {"FROM " + testImage + "\nRUN []\n", "Dockerfile:2: RUN requires at least one argument"},
		} {
			t.Run(name, func(t *testing.T) {
				ctx := e.ctxTree("ctx-"+strings.ReplaceAll(name, " ", "-"), map[string]string{"Dockerfile": tt.dockerfile})
				// Refused before any step runs: nothing is printed.
				expectOneError(t, e.pod("build", "-t", "localhost/refused", ctx), 125, "invalid Dockerfile", tt.words)
			})
		}
		expect(t, e.pod("images", "-q", "localhost/refused"), 0, "")
	})

	t.Run("import", func(t *testing.T) {
		images := e.ok("images", "-q", "--no-trunc")
		empty := e.writeFile("empty.tar", "")
		expectOneError(t, e.pod("import", empty, "localhost/empty"), 125, "invalid import source", empty, "is empty, not a tar archive")
		whole, err := busyboxTar()
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(whole)
		if err != nil {
			t.Fatal(err)
		}
		cut := e.writeFile("cut.tar", string(b[:len(b)/2]))
		expectOneError(t, e.pod("import", cut, "localhost/cut"), 125, "invalid import source", cut, "not a whole tar archive", "unexpected EOF")
		if got := e.ok("images", "-q", "--no-trunc"); got != images {
			t.Fatalf("a refused import left an image: before\n%s\nafter\n%s", images, got)
		}
	})
}

// TestAutoNameParallel: containers made at the same time without --name
// all get a name, and never the same one.
func TestAutoNameParallel(t *testing.T) {
	e := withImage(t)
	const total, concurrent = 300, 30
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		failures []string
	)
	var wg sync.WaitGroup
	for range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				r := e.pod("create", testImage, "true")
				if r.code != 0 {
					mu.Lock()
					failures = append(failures, r.String())
					mu.Unlock()
				}
			}
		}()
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d parallel creates failed; the first:\n%s", len(failures), total, failures[0])
	}
	names := strings.Fields(e.ok("ps", "-a", "--format", "{{.Names}}"))
	slices.Sort(names)
	if distinct := len(slices.Compact(slices.Clone(names))); len(names) != total || distinct != total {
		t.Fatalf("%d containers with %d distinct names, want %d and %d", len(names), distinct, total, total)
	}
}

// TestValidBuildCheckComment: a "# check=" comment before an instruction
// (found by fuzzing the Dockerfile parser) used to crash pod build.
func TestValidBuildCheckComment(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx-check", map[string]string{"Dockerfile": "# check=error=true\nFROM " + testImage + "\n# check=skip=all\nRUN echo built > /built\n"})
	e.build("-t", "localhost/checked", ctx)
	expect(t, e.pod("run", "--rm", "localhost/checked", "cat", "/built"), 0, "built\n")
}
