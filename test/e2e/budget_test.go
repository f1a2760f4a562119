package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// budgets are testdata/budgets.json: what pod may cost before it works.
type budgets struct {
	InitBytes           int64 `json:"initBytes"`
	InitAllocs          int64 `json:"initAllocs"`
	MonitorInitBytes    int64 `json:"monitorInitBytes"`
	MonitorInitAllocs   int64 `json:"monitorInitAllocs"`
	MonitorRSSKiB       int64 `json:"monitorRSSKiB"`
	BridgeMonitorRSSKiB int64 `json:"bridgeMonitorRSSKiB"`
}

// TestBudgets holds pod to checked-in budgets, so that code added later
// (libraries with heavy package initialisation, a bigger monitor) shows up
// as a failure naming what grew: the package initialisation every pod
// process and every monitor pays (GODEBUG=inittrace=1, whose bytes and
// allocations do not depend on timing), and the resident memory of a
// container's monitor, which runs from pod-monitor, with a network of none
// and on the default network.
func TestBudgets(t *testing.T) {
	b, err := os.ReadFile("testdata/budgets.json")
	if err != nil {
		t.Fatal(err)
	}
	var want budgets
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	monitorExe := filepath.Join(filepath.Dir(suite.pod), "pod-monitor")
	checkInit(t, "pod", exec.Command(suite.pod, "version"), want.InitBytes, want.InitAllocs)
	// With no role it says so and exits, after its initialisation.
	checkInit(t, "pod-monitor", exec.Command(monitorExe), want.MonitorInitBytes, want.MonitorInitAllocs)

	e := withImage(t)
	for _, c := range []struct {
		name   string
		flags  []string
		budget int64
	}{{"none", []string{"--network", "none"}, want.MonitorRSSKiB}, {"bridge", nil, want.BridgeMonitorRSSKiB}} {
		args := append(append([]string{"run", "-d", "--name", c.name}, c.flags...), testImage, "sleep", "1000")
		id := strings.TrimSpace(e.ok(args...))
		e.waitStatus(c.name, "Up", cmdTimeout)
		pid := e.monitorPID(id)
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || exe != monitorExe {
			t.Errorf("the monitor of %s runs %q (%v), not %s", c.name, exe, err, monitorExe)
		}
		// Its start-up (the runtime's run, its first reads) is over in
		// well under a second; what it keeps after is the budget's.
		var rss int64
		eventually(5*time.Second, func() bool { rss = statusKiB(t, pid, "VmRSS:"); return rss <= c.budget })
		t.Logf("monitor of a container on %s: %d KiB resident", c.name, rss)
		if rss > c.budget {
			t.Errorf("the monitor of a container on %s is %d KiB resident, over the budget of %d KiB", c.name, rss, c.budget)
		}
	}
}

// TestMonitorFromPodAlone: pod copied without pod-monitor beside it still
// runs containers, each monitor being pod itself, and pod info says so.
func TestMonitorFromPodAlone(t *testing.T) {
	e := withImage(t)
	dir := filepath.Join(e.dir, "alone")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.bin = filepath.Join(dir, "pod")
	if err := copyFile(suite.pod, e.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "alone", "--network", "none", testImage, "sleep", "1000"))
	e.waitStatus("alone", "Up", cmdTimeout)
	if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", e.monitorPID(id))); err != nil || exe != e.bin {
		t.Errorf("the monitor runs %q (%v), not %s", exe, err, e.bin)
	}
	if out := e.ok("info"); !strings.Contains(out, "monitor: "+e.bin+" (no pod-monitor beside it") {
		t.Errorf("pod info does not name pod itself as the monitor:\n%s", out)
	}
	e.ok("rm", "-f", "-t", "0", "alone")
}

// checkInit runs cmd with GODEBUG=inittrace=1 and fails when its package
// initialisation allocates more than maxBytes or maxAllocs, naming the
// largest packages.
func checkInit(t *testing.T, name string, cmd *exec.Cmd, maxBytes, maxAllocs int64) {
	t.Helper()
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput() // pod-monitor exits 125 by design
	type pkg struct {
		name          string
		bytes, allocs int64
	}
	var pkgs []pkg
	var bytes, allocs int64
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		// init PKG @T ms, C ms clock, B bytes, A allocs
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		by, _ := strconv.ParseInt(f[7], 10, 64)
		al, _ := strconv.ParseInt(f[9], 10, 64)
		pkgs = append(pkgs, pkg{f[1], by, al})
		bytes, allocs = bytes+by, allocs+al
	}
	if len(pkgs) < 50 {
		t.Fatalf("%s: GODEBUG=inittrace=1 reported %d packages:\n%s", name, len(pkgs), out)
	}
	t.Logf("%s package initialisation: %d packages, %d bytes, %d allocations", name, len(pkgs), bytes, allocs)
	if bytes > maxBytes || allocs > maxAllocs {
		sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].bytes > pkgs[j].bytes })
		var top []string
		for _, p := range pkgs[:min(10, len(pkgs))] {
			top = append(top, fmt.Sprintf("%s %d bytes, %d allocs", p.name, p.bytes, p.allocs))
		}
		t.Errorf("%s package initialisation is %d bytes in %d allocations, over the budget of %d in %d; the largest:\n%s",
			name, bytes, allocs, maxBytes, maxAllocs, strings.Join(top, "\n"))
	}
}

// statusKiB reads a "KEY: N kB" line of /proc/PID/status.
func statusKiB(t *testing.T, pid int, key string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(statusField(string(b), key), 10, 64)
	if err != nil {
		t.Fatalf("no %s in /proc/%d/status", key, pid)
	}
	return n
}
