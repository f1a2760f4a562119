package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
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
	MonitorRSSKiB       int64 `json:"monitorRSSKiB"`
	BridgeMonitorRSSKiB int64 `json:"bridgeMonitorRSSKiB"`
}

// TestBudgets holds pod to checked-in budgets, so that code added later
// (libraries with heavy package initialisation, a bigger monitor) shows up
// as a failure naming what grew: the package initialisation every pod
// process pays (GODEBUG=inittrace=1, whose bytes and allocations do not
// depend on timing), and the resident memory of a container's monitor,
// with a network of none and on the default network.
func TestBudgets(t *testing.T) {
	b, err := os.ReadFile("testdata/budgets.json")
	if err != nil {
		t.Fatal(err)
	}
	var want budgets
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(suite.pod, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pod version: %v\n%s", err, out)
	}
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
		t.Fatalf("GODEBUG=inittrace=1 reported %d packages:\n%s", len(pkgs), out)
	}
	t.Logf("package initialisation: %d packages, %d bytes, %d allocations", len(pkgs), bytes, allocs)
	if bytes > want.InitBytes || allocs > want.InitAllocs {
		sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].bytes > pkgs[j].bytes })
		var top []string
		for _, p := range pkgs[:min(10, len(pkgs))] {
			top = append(top, fmt.Sprintf("%s %d bytes, %d allocs", p.name, p.bytes, p.allocs))
		}
		t.Errorf("package initialisation is %d bytes in %d allocations, over the budget of %d in %d; the largest:\n%s",
			bytes, allocs, want.InitBytes, want.InitAllocs, strings.Join(top, "\n"))
	}

	e := withImage(t)
	for _, c := range []struct {
		name   string
		flags  []string
		budget int64
	}{{"none", []string{"--network", "none"}, want.MonitorRSSKiB}, {"bridge", nil, want.BridgeMonitorRSSKiB}} {
		args := append(append([]string{"run", "-d", "--name", c.name}, c.flags...), testImage, "sleep", "1000")
		id := strings.TrimSpace(e.ok(args...))
		e.waitStatus(c.name, "Up", cmdTimeout)
		// Its start-up (the runtime's run, its first reads) is over in
		// well under a second; what it keeps after is the budget's.
		var rss int64
		eventually(5*time.Second, func() bool { rss = statusKiB(t, e.monitorPID(id), "VmRSS:"); return rss <= c.budget })
		t.Logf("monitor of a container on %s: %d KiB resident", c.name, rss)
		if rss > c.budget {
			t.Errorf("the monitor of a container on %s is %d KiB resident, over the budget of %d KiB", c.name, rss, c.budget)
		}
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
