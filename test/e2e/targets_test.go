package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTargetFlags: the ways Podman's multi-target commands name
// containers besides their arguments (--latest, --filter, --cidfile,
// --all), on stop, kill, pause, unpause, restart, start, wait and rm, with
// Podman's refusals of the combinations it refuses.
func TestTargetFlags(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "old", "--label", "tier=a", testImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "mid", "--label", "tier=b", testImage, "sleep", "1000")
	newest := strings.TrimSpace(e.ok("run", "-d", "--name", "new", "--label", "tier=b", testImage, "sleep", "1000"))

	t.Run("refused combinations", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			msg  string
		}{
			{[]string{"stop", "-l", "old"}, "--latest and containers cannot be used together"},
			{[]string{"rm", "--latest", "--all"}, "--latest and containers cannot be used together"},
			{[]string{"kill", "-a", "old"}, "no arguments are needed with --all"},
			{[]string{"pause", "--filter", "name=old", "old"}, "--filter takes no arguments"},
			{[]string{"start", "-l", "old"}, "--latest and containers cannot be used together"},
			{[]string{"wait", "-l", "old"}, "--latest and containers cannot be used together"},
			{[]string{"wait", "--interval", "soon", "old"}, "--interval"},
		} {
			r := e.pod(c.args...)
			if r.code != 125 || !strings.Contains(r.stderr, c.msg) {
				t.Errorf("want exit 125 and %q:\n%s", c.msg, r)
			}
		}
	})

	t.Run("pause selects by filter", func(t *testing.T) {
		// Rootless on this cgroup v1 host nothing can be frozen: each
		// selected container's refusal names it, and only those.
		r := e.pod("pause", "--filter", "label=tier=b")
		if r.code != 125 || !strings.Contains(r.stderr, "pausing mid:") || !strings.Contains(r.stderr, "pausing new:") || strings.Contains(r.stderr, "old") {
			t.Fatalf("pause --filter label=tier=b: want mid and new selected, not old:\n%s", r)
		}
		r = e.pod("pause", "-l")
		if r.code != 125 || !strings.Contains(r.stderr, "pausing new:") || strings.Contains(r.stderr, "mid") {
			t.Fatalf("pause -l: want new selected, alone:\n%s", r)
		}
	})

	t.Run("cidfile", func(t *testing.T) {
		cid := filepath.Join(e.dir, "old.cid")
		if err := os.WriteFile(cid, []byte(e.inspectField("old", "{{.Id}}")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		e.ok("stop", "-t", "0", "--cidfile", cid)
		e.waitStatus("old", "Exited", cmdTimeout)
		e.ok("restart", "-t", "0", "--cidfile", cid)
		e.waitStatus("old", "Up", cmdTimeout)
		if r := e.pod("unpause", "--cidfile", cid); r.code != 125 || !strings.Contains(r.stderr, "old") {
			t.Fatalf("unpause --cidfile of a running container: want its refusal naming old:\n%s", r)
		}
	})

	t.Run("stop, kill, start, wait and restart the latest", func(t *testing.T) {
		if out := e.ok("stop", "-t", "0", "-l"); strings.TrimSpace(out) != newest {
			t.Fatalf("stop -l: %q", out)
		}
		e.waitStatus("new", "Exited", cmdTimeout)
		if s := e.statusOf("mid"); !strings.HasPrefix(s, "Up") {
			t.Fatalf("stop -l stopped mid too: %q", s)
		}
		e.ok("start", "-l")
		e.waitStatus("new", "Up", cmdTimeout)
		e.ok("kill", "-l")
		if out := strings.TrimSpace(e.ok("wait", "-l", "--interval", "100")); out != "137" {
			t.Fatalf("wait -l after kill -l: %q, want 137", out)
		}
		// restart --all --running leaves the stopped one stopped.
		e.ok("restart", "-t", "0", "--all", "--running")
		time.Sleep(200 * time.Millisecond)
		if s := e.statusOf("new"); !strings.HasPrefix(s, "Exited") {
			t.Fatalf("restart --all --running started the stopped container: %q", s)
		}
		e.waitStatus("mid", "Up", cmdTimeout)
	})

	t.Run("rm by filter and the latest", func(t *testing.T) {
		if out := e.ok("rm", "-f", "-t", "0", "--filter", "label=tier=a"); strings.TrimSpace(out) == "" {
			t.Fatalf("rm --filter label=tier=a printed nothing")
		}
		if e.statusOf("old") != "" {
			t.Fatalf("rm --filter label=tier=a left old")
		}
		e.ok("rm", "--latest", "--depend")
		if e.statusOf("new") != "" || e.statusOf("mid") == "" {
			t.Fatalf("rm --latest: new %q, mid %q", e.statusOf("new"), e.statusOf("mid"))
		}
		e.ok("rm", "-f", "-t", "0", "-l")
		if r := e.pod("rm", "-l"); r.code != 1 || !strings.Contains(r.stderr, "no such container") {
			t.Fatalf("rm -l with no containers: want exit 1, no such container:\n%s", r)
		}
		if r := e.pod("stop", "-l"); r.code != 125 || !strings.Contains(r.stderr, "no such container") {
			t.Fatalf("stop -l with no containers: want exit 125, no such container:\n%s", r)
		}
	})
}

// sameLines reports whether a and b hold the same lines in any order.
func sameLines(a, b string) bool {
	la, lb := lines(a), lines(b)
	if len(la) != len(lb) {
		return false
	}
	seen := map[string]int{}
	for _, l := range la {
		seen[l]++
	}
	for _, l := range lb {
		if seen[l]--; seen[l] < 0 {
			return false
		}
	}
	return true
}

// TestInspectIDSpellings: inspect templates take Docker's {{.Id}} and
// Podman's {{.ID}}, for containers and images alike.
func TestInspectIDSpellings(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("create", "--name", "c", testImage, "true"))
	if out := strings.TrimSpace(e.ok("inspect", "--format", "{{.Id}} {{.ID}}", "c")); out != id+" "+id {
		t.Errorf("container inspect {{.Id}} {{.ID}}: %q, want %s twice", out, id)
	}
	out := strings.Fields(e.ok("image", "inspect", "--format", "{{.Id}} {{.ID}}", testImage))
	if len(out) != 2 || out[0] != out[1] || !strings.Contains(out[0], strings.TrimSpace(e.ok("images", "-q", "--no-trunc", testImage))[7:19]) {
		t.Errorf("image inspect {{.Id}} {{.ID}}: %q", out)
	}
}

// TestLatestSingle: the single-container commands take --latest in place
// of their container, and exec, port and top keep their other arguments.
func TestLatestSingle(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "first", testImage, "sh", "-c", "echo from-first; sleep 1000")
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "second", "-p", "127.0.0.1::80", testImage, "sh", "-c", "echo from-second; sleep 1000"))
	if out := strings.TrimSpace(e.ok("exec", "-l", "cat", "/etc/hostname")); out != id[:12] {
		t.Errorf("exec -l cat /etc/hostname: %q, want %s", out, id[:12])
	}
	if out := strings.TrimSpace(e.ok("container", "inspect", "-l", "--format", "{{.Name}}")); out != "second" {
		t.Errorf("container inspect -l: %q", out)
	}
	var logs string
	eventually(5*time.Second, func() bool { logs = e.ok("logs", "-l"); return logs != "" })
	if logs != "from-second\n" {
		t.Errorf("logs -l: %q", logs)
	}
	if out := e.ok("port", "-l", "80"); !strings.HasPrefix(out, "127.0.0.1:") {
		t.Errorf("port -l 80: %q", out)
	}
	if out := e.ok("top", "-l"); !strings.Contains(out, "sleep 1000") {
		t.Errorf("top -l: %q", out)
	}
	if r := e.pod("logs", "-l", "first"); r.code != 125 || !strings.Contains(r.stderr, "--latest and containers cannot be used together") {
		t.Errorf("logs -l first:\n%s", r)
	}
	if r := e.pod("image", "inspect", "-l"); r.code != 125 || !strings.Contains(r.stderr, "unknown shorthand flag") {
		t.Errorf("image inspect -l (images have no --latest):\n%s", r)
	}
}

// TestInspectPodmanFields: inspect answers Podman's .OCIRuntime,
// .HostConfig.UsernsMode and .HostConfig.LogConfig.Path and .Size.
func TestInspectPodmanFields(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "r", "--log-opt", "max-size=2m", testImage, "true")
	out := e.ok("inspect", "--format", "{{.OCIRuntime}}|{{.HostConfig.UsernsMode}}|{{.HostConfig.LogConfig.Path}}|{{.HostConfig.LogConfig.Size}}", "r")
	f := strings.Split(strings.TrimSpace(out), "|")
	if len(f) != 4 || (f[0] != "runc" && f[0] != "crun") || f[1] != "" || !strings.HasSuffix(f[2], "/userdata/ctr.log") || f[3] != "2.097MB" {
		t.Errorf("inspect Podman's fields: %q", out)
	}
	if _, err := os.Stat(f[2]); err != nil {
		t.Errorf("LogConfig.Path %s: %v", f[2], err)
	}
}
