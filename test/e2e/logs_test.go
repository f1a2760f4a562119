package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lhrField is one field of `pod container inspect NAME` through a Go
// template.
func (e *env) lhrField(name, tmpl string) string {
	e.t.Helper()
	return strings.TrimSpace(e.ok("container", "inspect", "--format", tmpl, name))
}

// lhrWait polls the inspect template until it prints want.
func (e *env) lhrWait(name, tmpl, want string, timeout time.Duration) {
	e.t.Helper()
	var got string
	if !eventually(timeout, func() bool {
		got = strings.TrimSpace(e.pod("container", "inspect", "--format", tmpl, name).stdout)
		return got == want
	}) {
		e.t.Fatalf("%s of %s is %q, want %q; ps -a:\n%s", tmpl, name, got, want, e.pod("ps", "-a").stdout)
	}
}

var logTimestamp = `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z`

// A container run in the foreground keeps its output in its log: logs
// prints it after the exit, stdout to stdout and stderr to stderr.
func TestLogsForegroundRun(t *testing.T) {
	e := withImage(t)
	// stdout and stderr are separate pipes: the sleep puts "err" before
	// "two" in the log, so --tail is deterministic.
	r := e.pod("run", "--name", "c", testImage, "sh", "-c", "echo out; echo err >&2; sleep 0.2; echo two; printf partial")
	if r.code != 0 || r.stdout != "out\ntwo\npartial" || r.stderr != "err\n" {
		t.Fatalf("the attached run's own output changed:\n%s", r)
	}
	r = e.pod("logs", "c")
	if r.code != 0 || r.stdout != "out\ntwo\npartial" || r.stderr != "err\n" {
		t.Fatalf("pod logs c:\n%s", r)
	}
	expect(t, e.pod("container", "logs", "c"), 0, "out\ntwo\npartial")
	t.Run("tail", func(t *testing.T) {
		expect(t, e.pod("logs", "--tail", "2", "c"), 0, "two\npartial")
		expect(t, e.pod("logs", "-n", "0", "c"), 0, "")
		expect(t, e.pod("logs", "--tail", "all", "c"), 0, "out\ntwo\npartial")
	})
	t.Run("timestamps", func(t *testing.T) {
		out := e.ok("logs", "-t", "c")
		re := regexp.MustCompile(`^` + logTimestamp + ` out\n` + logTimestamp + ` two\n` + logTimestamp + ` partial$`)
		if !re.MatchString(out) {
			t.Fatalf("logs -t: %q", out)
		}
	})
	t.Run("since and until", func(t *testing.T) {
		expect(t, e.pod("logs", "--since", "10m", "c"), 0, "out\ntwo\npartial")
		expect(t, e.pod("logs", "--until", "10m", "c"), 0, "")
		future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		expect(t, e.pod("logs", "--since", future, "c"), 0, "")
		expect(t, e.pod("logs", "--since", "2000-01-01T00:00:00Z", "--until", future, "c"), 0, "out\ntwo\npartial")
	})
	t.Run("follow an exited container", func(t *testing.T) {
		expect(t, e.pod("logs", "-f", "c"), 0, "out\ntwo\npartial")
	})
	t.Run("errors", func(t *testing.T) {
		expectError(t, e.pod("logs", "--since", "yesterday", "c"), 125, "since")
		expectError(t, e.pod("logs", "--tail", "many", "c"), 125, "tail")
		expectError(t, e.pod("logs", "nosuch"), 125, "nosuch")
		expectError(t, e.pod("logs"), 125)
	})
}

// Bytes that are not text come back exactly.
func TestLogsBinary(t *testing.T) {
	e := withImage(t)
	script := `printf '\000\001\377\376 \303\251 \\u0041 "q"\r\n'; printf 'no newline'`
	want := "\x00\x01\xff\xfe \xc3\xa9 \\u0041 \"q\"\r\nno newline"
	r := e.pod("run", "--name", "bin", testImage, "sh", "-c", script)
	if r.code != 0 || r.stdout != want {
		t.Fatalf("attached output %q, want %q\n%s", r.stdout, want, r)
	}
	if got := e.ok("logs", "bin"); got != want {
		t.Fatalf("pod logs: %q, want %q", got, want)
	}
}

func TestLogsDrivers(t *testing.T) {
	e := withImage(t)
	t.Run("k8s-file", func(t *testing.T) {
		expect(t, e.pod("run", "--name", "k", "--log-driver", "k8s-file", testImage, "sh", "-c", "echo a; echo b >&2; printf c"), 0, "a\nc")
		r := e.pod("logs", "k")
		if r.code != 0 || r.stdout != "a\nc" || r.stderr != "b\n" {
			t.Fatalf("logs of k8s-file:\n%s", r)
		}
	})
	t.Run("none", func(t *testing.T) {
		expect(t, e.pod("run", "--name", "q", "--log-driver", "none", testImage, "echo", "hi"), 0, "hi\n")
		expectError(t, e.pod("logs", "q"), 125, "none")
	})
	t.Run("bad options", func(t *testing.T) {
		expectError(t, e.pod("run", "--log-driver", "syslog", testImage, "true"), 125, "syslog")
		expectError(t, e.pod("run", "--log-opt", "max-file=3", testImage, "true"), 125, "max-size")
		expectError(t, e.pod("run", "--log-opt", "max-size=big", testImage, "true"), 125, "max-size")
	})
	t.Run("inspect", func(t *testing.T) {
		e.ok("run", "--name", "lc", "--log-opt", "max-size=2k,max-file=2", testImage, "true")
		if got := e.lhrField("lc", "{{json .HostConfig.LogConfig.Type}} {{json .HostConfig.LogConfig.Config}} {{.HostConfig.LogConfig.Size}}"); got != `"json-file" {"max-file":"2","max-size":"2k"} 2.048kB` {
			t.Fatalf("HostConfig.LogConfig: %s", got)
		}
	})
}

// Rotation keeps the newest lines, in order, within max-size × max-file.
func TestLogsRotation(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "--name", "rot", "--log-opt", "max-size=2k", "--log-opt", "max-file=2", testImage, "seq", "1", "1000")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "\n999\n1000\n") {
		t.Fatalf("seq:\n%s", r)
	}
	got := lines(e.ok("logs", "rot"))
	if len(got) == 0 || len(got) >= 1000 || got[len(got)-1] != "1000" {
		t.Fatalf("after rotation logs has %d lines, ending %q", len(got), got[len(got)-1:])
	}
	first, _ := strconv.Atoi(got[0])
	for i, l := range got {
		if l != strconv.Itoa(first+i) {
			t.Fatalf("line %d is %q, want %d: lines lost or out of order", i, l, first+i)
		}
	}
	// Two files of at most 2 KiB, about 70 bytes a line.
	if len(got) > 2*2048/60 {
		t.Fatalf("%d lines kept: more than max-size × max-file", len(got))
	}
	expect(t, e.pod("logs", "--tail", "3", "rot"), 0, "998\n999\n1000\n")
}

// logs -f prints what a running container writes and ends when it exits.
func TestLogsFollow(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "f", testImage, "sh", "-c", "echo first; sleep 2; echo second >&2; sleep 1; echo third")
	start := time.Now()
	r := e.pod("logs", "-f", "f")
	if r.code != 0 || r.stdout != "first\nthird\n" || r.stderr != "second\n" {
		t.Fatalf("logs -f:\n%s", r)
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("logs -f returned after %v, before the container ended", d)
	}
	// --tail with -f starts from the last lines.
	expect(t, e.pod("logs", "-f", "--tail", "1", "f"), 0, "third\n")
}

// A container restarted by its policy appends to the same log.
func TestLogsAcrossRestarts(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "rr", "--restart", "on-failure:2", testImage, "sh", "-c", "echo run; sleep 1; exit 1")
	// -f follows the container through its restarts, to its last exit.
	r := e.pod("logs", "-f", "rr")
	if r.code != 0 || r.stdout != "run\nrun\nrun\n" {
		t.Fatalf("logs -f across restarts:\n%s", r)
	}
	if got := e.lhrField("rr", "{{.State.Status}} {{.RestartCount}}"); got != "exited 2" {
		t.Fatalf("logs -f ended with the container %q", got)
	}
	expect(t, e.pod("logs", "rr"), 0, "run\nrun\nrun\n")
	out := e.ok("logs", "-t", "rr")
	if n := len(regexp.MustCompile(`(?m)^`+logTimestamp+` run$`).FindAllString(out, -1)); n != 3 {
		t.Fatalf("logs -t: %d timestamped lines, want 3:\n%s", n, out)
	}
}
