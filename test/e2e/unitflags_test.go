package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var ctrID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// readTrim reads a file the test expects to exist.
func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestCidfile(t *testing.T) {
	e := withImage(t)
	cid := filepath.Join(e.dir, "web.cid")
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "web", "--cidfile", cid, testImage, "sleep", "1000"))
	if got := readTrim(t, cid); got != id || !ctrID.MatchString(got) {
		t.Fatalf("--cidfile holds %q, want the container's ID %q", got, id)
	}
	// An existing cidfile is an error before anything is made.
	expectError(t, e.pod("run", "-d", "--name", "other", "--cidfile", cid, testImage, "true"), 125, cid, "exists")
	if e.statusOf("other") != "" {
		t.Fatal("a container was made although its --cidfile exists")
	}
	expect(t, e.pod("kill", "--signal", "USR1", "--cidfile", cid), 0, id+"\n")
	expect(t, e.pod("stop", "-t", "1", "--cidfile", cid), 0, id+"\n")
	e.waitStatus("web", "Exited", 30*time.Second)
	expect(t, e.pod("rm", "--cidfile", cid), 0, id+"\n")
	if e.statusOf("web") != "" {
		t.Fatal("rm --cidfile left the container")
	}
	// The unit's ExecStopPost after the container is gone: no error.
	expect(t, e.pod("rm", "-f", "--ignore", "--cidfile", cid), 0, "")
	expect(t, e.pod("stop", "--ignore", "--cidfile", cid), 0, "")
	gone := filepath.Join(e.dir, "none.cid")
	expect(t, e.pod("rm", "--ignore", "--cidfile", gone), 0, "")
	expectError(t, e.pod("rm", "--cidfile", gone), 125, gone)
	expectError(t, e.pod("stop", "--cidfile", gone), 125, gone)
}

func TestMissingContainerIgnored(t *testing.T) {
	e := withImage(t)
	// As Podman 4.3.1: rm -f and --ignore pass over what is not there.
	expect(t, e.pod("rm", "-f", "nosuch"), 0, "")
	expect(t, e.pod("rm", "-i", "nosuch"), 0, "")
	expect(t, e.pod("stop", "-i", "nosuch"), 0, "")
	expectError(t, e.pod("rm", "nosuch"), 1, "nosuch")
	expectError(t, e.pod("stop", "nosuch"), 125, "nosuch")
	// Those that are there are still acted on.
	e.ok("run", "-d", "--name", "here", testImage, "sleep", "1000")
	expect(t, e.pod("stop", "-i", "-t", "0", "nosuch", "here"), 0, "here\n")
	expect(t, e.pod("rm", "-f", "nosuch", "here"), 0, "here\n")
	if e.statusOf("here") != "" {
		t.Fatal("rm -f left the container")
	}
}

func TestReplace(t *testing.T) {
	e := withImage(t)
	first := strings.TrimSpace(e.ok("run", "-d", "--name", "svc", testImage, "sleep", "1000"))
	expectError(t, e.pod("run", "-d", "--name", "svc", testImage, "sleep", "1000"), 125, "svc", "in use")
	second := strings.TrimSpace(e.ok("run", "-d", "--replace", "--name", "svc", testImage, "sleep", "1000"))
	if second == first {
		t.Fatal("--replace kept the old container")
	}
	out := e.ok("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}")
	if strings.TrimSpace(out) != second+" svc" {
		t.Fatalf("after --replace, ps -a shows:\n%s\nwant only %s svc", out, second)
	}
	// Nothing of the first is left running.
	if got := e.userProcs(first); len(got) > 0 {
		t.Fatalf("processes of the replaced container run: %v", got)
	}
	// Without a container of the name, --replace just creates.
	e.ok("create", "--replace", "--name", "fresh", testImage, "true")
	expectError(t, e.pod("run", "--replace", testImage, "true"), 125, "--replace", "--name")
}

func TestPidFiles(t *testing.T) {
	e := withImage(t)
	pf, mf := filepath.Join(e.dir, "ctr.pid"), filepath.Join(e.dir, "mon.pid")
	id := strings.TrimSpace(e.ok("run", "-d", "--pidfile", pf, "--conmon-pidfile", mf, testImage, "sleep", "4242"))
	if got, want := readTrim(t, mf), strconv.Itoa(e.monitorPID(id)); got != want {
		t.Fatalf("--conmon-pidfile holds %q, the monitor is %s", got, want)
	}
	pid, _ := strconv.Atoi(readTrim(t, pf))
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if !strings.Contains(string(cmdline), "4242") {
		t.Fatalf("--pidfile holds %d, whose command line is %q, not the container's sleep 4242", pid, cmdline)
	}
	if got := e.inspectField(id, "{{.State.Pid}}"); got != strconv.Itoa(pid) {
		t.Fatalf("--pidfile %d, inspect .State.Pid %s", pid, got)
	}
}

func TestUnitFlagErrors(t *testing.T) {
	e := withImage(t)
	expectError(t, e.pod("run", "--sdnotify", "bogus", testImage, "true"), 125, "--sdnotify", "conmon")
	expectError(t, e.pod("run", "--sdnotify", "healthy", testImage, "true"), 125, "healthy", "--health-cmd")
	expectError(t, e.pod("run", "--cgroups", "bogus", testImage, "true"), 125, "--cgroups", "split")
	// No journal on this host (and none in the tests' world): a clear
	// error naming the socket, and no container.
	if _, err := os.Stat("/run/systemd/journal/socket"); err == nil {
		t.Fatal("this host has a journal socket: the journald error path cannot be tested here")
	}
	expectError(t, e.pod("run", "--name", "j", "--log-driver", "journald", testImage, "true"), 125, "journal", "/run/systemd/journal/socket")
	if e.statusOf("j") != "" {
		t.Fatal("a container was made with an unusable log driver")
	}
}

var sdnotifyBin struct {
	once sync.Once
	path string
	err  error
}

// sdnotifyBinary builds testdata/sdnotify, a static sd_notify client for
// containers.
func sdnotifyBinary(t *testing.T) string {
	t.Helper()
	sdnotifyBin.once.Do(func() {
		out := filepath.Join(suite.base, "sdnotify")
		cmd := exec.Command("go", "build", "-o", out, "./testdata/sdnotify")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			sdnotifyBin.err = err
			t.Logf("%s", b)
			return
		}
		sdnotifyBin.path = out
	})
	if sdnotifyBin.err != nil {
		t.Fatalf("building testdata/sdnotify (needs go): %v", sdnotifyBin.err)
	}
	return sdnotifyBin.path
}

func TestSdNotify(t *testing.T) {
	t.Run("conmon", func(t *testing.T) {
		e := withImage(t)
		n := e.notifySocket()
		id := strings.TrimSpace(e.withEnv([]string{"NOTIFY_SOCKET=" + n.path}, "run", "-d", "--sdnotify", "conmon", testImage, "sleep", "1000").stdout)
		got := n.until(10*time.Second, "READY=1", "MAINPID=*")
		if mon := strconv.Itoa(e.monitorPID(id)); got["MAINPID"] != mon {
			t.Fatalf("MAINPID=%s, the monitor is %s", got["MAINPID"], mon)
		}
		// The runtime got no NOTIFY_SOCKET: nothing else arrives.
		if msg := n.next(time.Second); msg != "" {
			t.Fatalf("a second notification: %q", msg)
		}
	})
	t.Run("container", func(t *testing.T) {
		e := withImage(t)
		n := e.notifySocket()
		bin := sdnotifyBinary(t)
		r := e.withEnv([]string{"NOTIFY_SOCKET=" + n.path}, "run", "-d", "-v", bin+":/sdnotify:ro", testImage,
			"sh", "-c", `sleep 1; /sdnotify READY=1 "STATUS=up at $NOTIFY_SOCKET" MAINPID=1 && sleep 1000`)
		if r.code != 0 {
			t.Fatal(r)
		}
		id := strings.TrimSpace(r.stdout)
		first := n.until(10*time.Second, "MAINPID=*")
		if mon := strconv.Itoa(e.monitorPID(id)); first["MAINPID"] != mon || first["READY"] != "" {
			t.Fatalf("first notification %v: want MAINPID=%s (the monitor) and no READY", first, mon)
		}
		got := n.until(15*time.Second, "READY=1")
		if got["STATUS"] != "up at /run/notify/notify.sock" || got["MAINPID"] != "" {
			t.Fatalf("the container's notification arrived as %v: want its STATUS and no MAINPID", got)
		}
	})
	t.Run("healthy", func(t *testing.T) {
		e := withImage(t)
		n := e.notifySocket()
		marker := "/tmp/ok"
		r := e.withEnv([]string{"NOTIFY_SOCKET=" + n.path}, "run", "-d", "--name", "h", "--sdnotify", "healthy",
			"--health-cmd", "test -e "+marker, "--health-interval", "1s", testImage, "sh", "-c", "sleep 3; touch "+marker+"; sleep 1000")
		if r.code != 0 {
			t.Fatal(r)
		}
		got := n.until(10*time.Second, "MAINPID=*")
		if got["READY"] != "" {
			t.Fatalf("READY before the first health check passed: %v", got)
		}
		n.until(20*time.Second, "READY=1")
		if s := e.statusOf("h"); !strings.Contains(s, "healthy") || strings.Contains(s, "unhealthy") {
			t.Fatalf("READY=1 came and the status is %q", s)
		}
	})
	t.Run("ignore", func(t *testing.T) {
		e := withImage(t)
		n := e.notifySocket()
		e.withEnv([]string{"NOTIFY_SOCKET=" + n.path}, "run", "-d", "--sdnotify", "ignore", testImage, "sleep", "1000")
		if msg := n.next(2 * time.Second); msg != "" {
			t.Fatalf("--sdnotify=ignore sent %q", msg)
		}
	})
}

// TestMonitorAsMainProcess plays systemd for a Type=notify unit whose
// ExecStart is pod run -d: the monitor is the main process, SIGTERM to it
// stops the container for good, and the monitor ends with 0.
func TestMonitorAsMainProcess(t *testing.T) {
	e := withImage(t)
	n := e.notifySocket()
	r := e.startReaper([]string{"NOTIFY_SOCKET=" + n.path}, "run", "-d", "--name", "unit", "--restart", "always", "--sdnotify", "conmon", testImage, "sleep", "1000")
	got := n.until(30*time.Second, "READY=1", "MAINPID=*")
	main, _ := strconv.Atoi(got["MAINPID"])
	if main <= 0 || !alive(main) {
		t.Fatalf("MAINPID=%s is not a live process", got["MAINPID"])
	}
	e.waitStatus("unit", "Up", 30*time.Second)
	if err := syscall.Kill(main, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exits := r.exits(t, 60*time.Second)
	if exits["cmd"] != 0 {
		t.Fatalf("pod run -d exited %d: %v\n%s", exits["cmd"], exits, r.out.String())
	}
	code, ok := exits[strconv.Itoa(main)]
	if !ok || code != 0 {
		t.Fatalf("the main process %d ended with %d (reaped: %v), want 0\n%s", main, code, exits, r.out.String())
	}
	// Stopped as by pod stop: --restart always leaves it alone.
	time.Sleep(2 * time.Second)
	if s := e.statusOf("unit"); !strings.HasPrefix(s, "Exited") {
		t.Fatalf("after SIGTERM to its monitor the container is %q", s)
	}
}

// TestMonitorExitCode: a container that fails on its own fails the unit.
func TestMonitorExitCode(t *testing.T) {
	e := withImage(t)
	n := e.notifySocket()
	r := e.startReaper([]string{"NOTIFY_SOCKET=" + n.path}, "run", "-d", "--sdnotify", "conmon", testImage, "sh", "-c", "sleep 1; exit 3")
	got := n.until(30*time.Second, "READY=1", "MAINPID=*")
	exits := r.exits(t, 60*time.Second)
	if code, ok := exits[got["MAINPID"]]; !ok || code != 3 {
		t.Fatalf("the monitor %s ended with %d (reaped %v), want the container's 3\n%s", got["MAINPID"], code, exits, r.out.String())
	}
}

// cgroupOf is the path of pid in the cgroup hierarchy that holds
// controller (v1) or the unified one ("").
func cgroupOf(t *testing.T, pid int, controller string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				return parts[2]
			}
		}
	}
	t.Fatalf("process %d is in no %q hierarchy:\n%s", pid, controller, b)
	return ""
}

func TestCgroupsModes(t *testing.T) {
	e := withImage(t)
	var info struct {
		Host struct {
			Cgroups []struct{ Mode, Effect string }
		}
	}
	if err := json.Unmarshal([]byte(e.ok("info", "--format", "json")), &info); err != nil {
		t.Fatal(err)
	}
	var modes []string
	for _, c := range info.Host.Cgroups {
		if c.Effect == "" {
			t.Errorf("pod info says nothing of --cgroups=%s", c.Mode)
		}
		modes = append(modes, c.Mode)
	}
	if strings.Join(modes, " ") != "enabled disabled no-conmon split" {
		t.Fatalf("pod info lists the --cgroups modes %q", modes)
	}
	// Rootless, every mode leaves the container in its starter's cgroup.
	for _, mode := range modes {
		pf := filepath.Join(e.dir, mode+".pid")
		id := strings.TrimSpace(e.ok("run", "-d", "--cgroups", mode, "--pidfile", pf, testImage, "sleep", "1000"))
		pid, _ := strconv.Atoi(readTrim(t, pf))
		if got, want := cgroupOf(t, pid, "pids"), cgroupOf(t, e.monitorPID(id), "pids"); got != want {
			t.Errorf("--cgroups=%s: the container is in %s, its monitor in %s", mode, got, want)
		}
	}
}

func TestCgroupsRootful(t *testing.T) {
	e := rootEnv(t, "only rootful containers have cgroups of their own on this host")
	e.importImage(testImage)
	t.Cleanup(func() { e.pod("rm", "-f", "--all") })
	expectError(t, e.pod("run", "--cgroups", "disabled", testImage, "true"), 125, "--cgroups=disabled", "split")
	for mode, want := range map[string]func(id, monitor string) string{
		"enabled": func(id, _ string) string { return "/pod/" + id },
		"split":   func(id, monitor string) string { return strings.TrimSuffix(monitor, "/") + "/pod-" + id },
	} {
		pf, mf := filepath.Join(e.dir, mode+".pid"), filepath.Join(e.dir, mode+".monitor")
		id := strings.TrimSpace(e.ok("run", "-d", "--cgroups", mode, "--pidfile", pf, "--conmon-pidfile", mf, testImage, "sleep", "1000"))
		pid, _ := strconv.Atoi(readTrim(t, pf))
		mon, _ := strconv.Atoi(readTrim(t, mf))
		if got, w := cgroupOf(t, pid, "pids"), want(id, cgroupOf(t, mon, "pids")); got != w {
			t.Errorf("--cgroups=%s: the container is in %s, want %s", mode, got, w)
		}
	}
}

// TestPauseEndsOnSIGTERM: a shutdown's SIGTERM ends the pause process at
// once (systemd would wait 90 s for it), and the next call recovers the
// namespaces of the running container through its monitor.
func TestPauseEndsOnSIGTERM(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "c", testImage, "sleep", "1000")
	pause := e.livePausePID()
	if err := syscall.Kill(pause, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { return !alive(pause) }) {
		t.Fatalf("the pause process %d ignores SIGTERM", pause)
	}
	expect(t, e.pod("exec", "c", "echo", "still here"), 0, "still here\n")
	e.ok("rm", "-f", "c")
	e.expectClean()
}
