package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	e := withImage(t)
	e.runningContainer("df")
	e.ok("exec", "df", "sh", "-c", "mkdir /newdir && echo x > /newdir/f && rm /etc/group && echo y >> /etc/passwd")
	expect(t, e.pod("diff", "df"), 0, "C /etc\nD /etc/group\nC /etc/passwd\nA /newdir\nA /newdir/f\n")
	r := e.pod("diff", "--format", "json", "df")
	var got []struct{ Kind, Path string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || len(got) != 5 || got[3].Kind != "A" || got[3].Path != "/newdir" {
		t.Fatalf("diff --format json:\n%s", r)
	}
	// A container that changed nothing has no diff (pod's /etc mount
	// points are not changes).
	expect(t, e.pod("run", "--name", "clean", testImage, "true"), 0, "")
	expect(t, e.pod("diff", "clean"), 0, "")
	expectError(t, e.pod("diff", "nosuch"), 125, "nosuch")
}

func TestCommit(t *testing.T) {
	e := withImage(t)
	e.runningContainer("cm")
	e.ok("exec", "cm", "sh", "-c", "echo committed > /hello && rm /etc/group")
	out := e.ok("commit", "-m", "my message", "-a", "Jane <j@example.com>",
		"-c", `CMD ["cat", "/hello"]`, "-c", "ENV FOO=bar", "-c", "WORKDIR /tmp", "cm", "localhost/e2e/committed:1")
	if !longID.MatchString(strings.TrimSpace(out)) {
		t.Fatalf("commit printed %q, want the image ID", out)
	}
	expect(t, e.pod("run", "--rm", "localhost/e2e/committed:1"), 0, "committed\n")
	expect(t, e.pod("run", "--rm", "localhost/e2e/committed:1", "sh", "-c", `echo "$FOO"; pwd; test -e /etc/group || echo gone`), 0, "bar\n/tmp\ngone\n")
	hist := e.ok("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "localhost/e2e/committed:1")
	if !strings.HasPrefix(hist, "sleep 1000|my message\n") {
		t.Fatalf("history of the committed image:\n%s", hist)
	}
	insp := e.ok("image", "inspect", "localhost/e2e/committed:1")
	if !strings.Contains(insp, "Jane <j@example.com>") {
		t.Fatalf("image inspect has no author:\n%s", insp)
	}
	// Without a name the image is dangling; the container's own command
	// and environment are kept; --pause=false is accepted.
	expect(t, e.pod("run", "--name", "cmd", "-e", "K=v", testImage, "sh", "-c", "echo x > /x"), 0, "")
	id := strings.TrimSpace(e.ok("commit", "--pause=false", "cmd"))
	expect(t, e.pod("run", "--rm", strings.TrimPrefix(id, "sha256:"), "sh", "-c", `cat /x; echo "$K"`), 0, "x\nv\n")
	expectError(t, e.pod("commit", "-c", "BOGUS x", "cm"), 125, "BOGUS")
	expectError(t, e.pod("commit", "nosuch"), 125, "nosuch")
}

func TestExport(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--name", "exp", testImage, "sh", "-c", "echo data > /exported"), 0, "")
	r := e.pod("export", "exp")
	if r.code != 0 {
		t.Fatalf("export:\n%s", r)
	}
	names := tarNames(t, r.stdout)
	for _, want := range []string{"bin/busybox", "etc/passwd", "exported"} {
		if !contains(names, want) {
			t.Fatalf("export has no %s: %v", want, names)
		}
	}
	dir := e.mkdirUser("exp")
	file := filepath.Join(dir, "exp.tar")
	expect(t, e.pod("export", "-o", file, "exp"), 0, "")
	b, err := os.ReadFile(file)
	if err != nil || len(tarNames(t, string(b))) != len(names) {
		t.Fatalf("export -o wrote a different archive: %v", err)
	}
	expectError(t, e.pod("export", "nosuch"), 125, "nosuch")
}

func TestRename(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--name", "old", testImage, "true"), 0, "")
	expect(t, e.pod("run", "--name", "other", testImage, "true"), 0, "")
	expect(t, e.pod("rename", "old", "new"), 0, "")
	if got := strings.TrimSpace(e.ok("inspect", "--format", "{{.Name}}", "new")); strings.TrimPrefix(got, "/") != "new" {
		t.Fatalf("inspect new: name %q", got)
	}
	expectError(t, e.pod("inspect", "old"), 125, "old")
	expectError(t, e.pod("rename", "new", "other"), 125, "already in use")
	expectError(t, e.pod("rename", "new", "bad/name"), 125, "bad/name")
	expectError(t, e.pod("rename", "nosuch", "x"), 125, "nosuch")
	// The old name is free again.
	expect(t, e.pod("run", "--name", "old", testImage, "true"), 0, "")
	// A running container can be renamed and keeps running.
	e.runningContainer("live")
	expect(t, e.pod("rename", "live", "live2"), 0, "")
	expect(t, e.pod("exec", "live2", "echo", "ok"), 0, "ok\n")
}

func TestTop(t *testing.T) {
	e := withImage(t)
	e.runningContainer("tp")
	out := e.ok("top", "tp")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$`).MatchString(lines[0]) ||
		!strings.HasSuffix(lines[1], "sleep 1000") {
		t.Fatalf("top tp:\n%s", out)
	}
	// A second process shows up; ps options are passed on.
	e.ok("exec", "-d", "tp", "sleep", "999")
	// exec -d returns once the runtime started the process, which may
	// still be the runtime's init for a moment.
	eventually(5*time.Second, func() bool {
		out = e.ok("top", "tp", "-o", "pid,args")
		return strings.Contains(out, "sleep 999")
	})
	if !regexp.MustCompile(`^\s*PID\s+COMMAND\n`).MatchString(out) || !strings.Contains(out, "sleep 1000") || !strings.Contains(out, "sleep 999") || strings.Count(out, "\n") != 3 {
		t.Fatalf("top tp -o pid,args:\n%s", out)
	}
	expectError(t, e.pod("top", "tp", "-o", "args"), 125, "PID")
	expect(t, e.pod("run", "--name", "stopped", testImage, "true"), 0, "")
	expectError(t, e.pod("top", "stopped"), 125, "not running")
}

// TestPauseStatsRootless: rootless on this kind of host the container has
// no cgroup of its own, so pause, unpause and stats say why, with 125.
func TestPauseStatsRootless(t *testing.T) {
	e := withImage(t)
	if e.user.uid == 0 {
		t.Skip("runs pod rootless only")
	}
	e.runningContainer("ps1")
	for _, args := range [][]string{{"pause", "ps1"}, {"unpause", "ps1"}, {"stats", "--no-stream", "ps1"}} {
		expectError(t, e.pod(args...), 125, "cgroup")
	}
	expectError(t, e.pod("pause", "nosuch"), 125, "nosuch")
	// The container is left running, and commit does not need pausing.
	expect(t, e.pod("exec", "ps1", "true"), 0, "")
	e.ok("commit", "ps1", "localhost/e2e/unpaused:1")
}

// TestPauseStatsRootful: as root the container has a cgroup, so pause
// freezes it (exec refuses while paused), unpause thaws it, and stats
// reads its usage.
func TestPauseStatsRootful(t *testing.T) {
	e := rootEnv(t, "rootful containers have a cgroup to freeze")
	e.importImage(testImage)
	e.runningContainer("rf")
	t.Cleanup(func() { e.pod("rm", "-f", "rf") })
	expect(t, e.pod("pause", "rf"), 0, "rf\n")
	if st := e.ok("ps", "--format", "{{.Status}}"); !strings.Contains(st, "(Paused)") {
		t.Fatalf("ps after pause: %q", st)
	}
	expectError(t, e.pod("exec", "rf", "true"), 125, "paused")
	expectError(t, e.pod("pause", "rf"), 125, "already paused")
	expect(t, e.pod("unpause", "rf"), 0, "rf\n")
	expect(t, e.pod("exec", "rf", "echo", "thawed"), 0, "thawed\n")
	out := e.ok("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.MemUsage}}", "rf")
	if !regexp.MustCompile(`^rf 1 [0-9.]+[KMG]?i?B / [0-9.]+[KMGT]iB\n$`).MatchString(out) {
		t.Fatalf("stats: %q", out)
	}
	out = e.ok("stats", "--no-stream")
	if !strings.HasPrefix(out, "CONTAINER ID   NAME   CPU %") || !strings.Contains(out, " rf ") {
		t.Fatalf("stats table:\n%s", out)
	}
	e.ok("commit", "rf", "localhost/e2e/paused:1")
	expect(t, e.pod("exec", "rf", "true"), 0, "")
}

// unmountUnder lazily unmounts every mount below dir, deepest first.
func unmountUnder(t *testing.T, dir string) {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		f := strings.Fields(lines[i])
		if len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			if out, err := exec.Command("umount", "-l", f[1]).CombinedOutput(); err != nil {
				t.Logf("cleanup: umount %s: %v %s", f[1], err, out)
			}
		}
	}
}
