package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRmForceOfRunningAutoRemove: rm -f of a running --rm container, whose
// monitor removes it too as it exits, succeeds every time.
func TestRmForceOfRunningAutoRemove(t *testing.T) {
	e := withImage(t)
	for i := range 3 {
		name := fmt.Sprintf("gone%d", i)
		e.ok("run", "-d", "--rm", "--name", name, testImage, "sleep", "1000")
		e.waitStatus(name, "Up ", 30*time.Second)
		expect(t, e.pod("rm", "-f", name), 0, name+"\n")
		expectError(t, e.pod("inspect", "--type", "container", name), 125, name)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}

// TestConcurrentStartAndRm: pod start and pod rm of the same container at
// the same time never leave its process running without a record.
func TestConcurrentStartAndRm(t *testing.T) {
	e := withImage(t)
	for i := range 8 {
		name := fmt.Sprintf("race%d", i)
		arg := strconv.Itoa(4000 + i)
		e.ok("create", "--name", name, testImage, "sleep", arg)
		rm := []string{"rm", name}
		if i%2 == 1 {
			rm = []string{"rm", "-f", name}
		}
		var wg sync.WaitGroup
		var start, remove result
		wg.Add(2)
		go func() { defer wg.Done(); start = e.pod("start", name) }()
		go func() { defer wg.Done(); remove = e.pod(rm...) }()
		wg.Wait()
		recorded := strings.Contains(e.ok("ps", "-a", "--format", "{{.Names}}"), name)
		var orphans []proc
		eventually(5*time.Second, func() bool {
			orphans = nil
			for _, p := range processes() {
				if p.uid == e.user.uid && p.cmdline == "sleep "+arg {
					orphans = append(orphans, p)
				}
			}
			return recorded || len(orphans) == 0
		})
		if !recorded && len(orphans) > 0 {
			t.Fatalf("round %d: %v runs with no record left\n%s\n%s", i, orphans, start, remove)
		}
		if recorded && remove.code == 0 {
			t.Fatalf("round %d: rm said it removed %s, yet ps -a lists it\n%s", i, name, remove)
		}
		if start.code != 0 && remove.code != 0 {
			t.Fatalf("round %d: both start and rm failed\n%s\n%s", i, start, remove)
		}
		e.pod("rm", "-f", name)
	}
	e.expectClean()
}

// stateFile is the state.json of container id in the test's store.
func (e *env) stateFile(id string) string {
	e.t.Helper()
	m, _ := filepath.Glob(filepath.Join(e.root, "*-containers", id, "userdata", "state.json"))
	if len(m) != 1 {
		e.t.Fatalf("state.json of %s: found %v", id, m)
	}
	return m[0]
}

// editState rewrites fields of a container's state.json in place (its
// owner stays the test user).
func (e *env) editState(id string, edit func(map[string]any)) {
	e.t.Helper()
	p := e.stateFile(id)
	b, err := os.ReadFile(p)
	if err != nil {
		e.t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		e.t.Fatal(err)
	}
	edit(s)
	if b, err = json.Marshal(s); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// userSleep starts sleep as the test user, tagged so the cleanup ends it.
func (e *env) userSleep() (*exec.Cmd, uint64) {
	e.t.Helper()
	cmd := exec.Command("sleep", "300")
	cmd.Env = e.environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if !e.user.self {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(e.user.uid), Gid: uint32(e.user.gid), Groups: []uint32{}}
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
	if err != nil {
		e.t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	start, err := strconv.ParseUint(f[22-3], 10, 64)
	if err != nil {
		e.t.Fatal(err)
	}
	return cmd, start
}

// TestRepairReusedPID: a stopped container's record that says running with
// the PID of an unrelated process of the same user (the kernel reused it
// after a reboot or a kill -9) is repaired without signalling that
// process, whether the record has the old process's start time or, as an
// earlier pod wrote it, the PID alone.
func TestRepairReusedPID(t *testing.T) {
	e := withImage(t)
	for _, legacy := range []bool{false, true} {
		name := fmt.Sprintf("old-%v", legacy)
		e.ok("run", "--name", name, testImage, "true")
		id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", name))
		sleep, start := e.userSleep()
		e.editState(id, func(s map[string]any) {
			s["status"] = "running"
			s["startedAt"] = time.Now().UTC().Format(time.RFC3339Nano)
			s["pid"] = sleep.Process.Pid
			s["monitorPid"] = sleep.Process.Pid
			s["pidStartTime"] = start + 1000
			s["monitorStartTime"] = start + 1000
			if legacy {
				delete(s, "pidStartTime")
				delete(s, "monitorStartTime")
				delete(s, "version")
			}
		})
		if st := e.statusOf(name); !strings.HasPrefix(st, "Exited (255)") {
			t.Fatalf("legacy=%v: status after repair %q, want Exited (255)", legacy, st)
		}
		time.Sleep(100 * time.Millisecond)
		if !alive(sleep.Process.Pid) {
			t.Fatalf("legacy=%v: repairing the record killed an unrelated process that had the container's PID", legacy)
		}
		expect(t, e.pod("rm", name), 0, name+"\n")
		if !alive(sleep.Process.Pid) {
			t.Fatalf("legacy=%v: rm killed an unrelated process that had the container's PID", legacy)
		}
	}
}

// TestTempFilesOfDeadWritersReclaimed: a temporary directory in the store
// whose writer is gone (killed mid-pull) goes at the next call; a live
// writer's stays.
func TestTempFilesOfDeadWritersReclaimed(t *testing.T) {
	e := withImage(t)
	tmp := filepath.Join(e.root, "tmp")
	dead := filepath.Join(tmp, "pull-1-1-abc")
	sleep, start := e.userSleep()
	live := filepath.Join(tmp, fmt.Sprintf("pull-%d-%d-def", sleep.Process.Pid, start))
	for _, d := range []string{tmp, dead, live} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		e.chown(d)
	}
	if err := os.WriteFile(filepath.Join(dead, "blob"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.chown(filepath.Join(dead, "blob"))
	e.ok("images", "-q")
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Fatalf("the dead writer's directory survived: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("the live writer's directory went: %v", err)
	}
}

// TestRmIgnoreAndTime: rm -i passes over containers that do not exist;
// rm -f -t N stops with the stop signal first, -f alone kills at once.
func TestRmIgnoreAndTime(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("rm", "-i", "nosuch"), 0, "")
	expectError(t, e.pod("rm", "nosuch"), 1, "nosuch")
	script := "trap 'exit 7' TERM; while :; do sleep 0.1; done"
	for _, c := range []struct {
		args []string
		exit string
	}{{[]string{"rm", "-f", "-t", "10"}, "container died 7"}, {[]string{"rm", "-f"}, "container died 137"}} {
		name := fmt.Sprintf("t%d", len(c.args))
		id := strings.TrimSpace(e.ok("run", "-d", "--name", name, testImage, "sh", "-c", script))
		e.waitStatus(name, "Up ", 30*time.Second)
		expect(t, e.pod(append(c.args, name)...), 0, name+"\n")
		if got := strings.Join(e.eventsOf(id), ", "); !strings.Contains(got, c.exit) || !strings.HasSuffix(got, "container remove") {
			t.Fatalf("pod %v: events %q, want %q then the removal", c.args, got, c.exit)
		}
	}
}
