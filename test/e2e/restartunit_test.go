package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shippedUnit is a unit file of contrib/systemd/user with @BINDIR@ made
// the directory of the pod under test.
func shippedUnit(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../contrib/systemd/user/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "@BINDIR@/pod", suite.pod)
}

// unitExecArgs is the pod arguments of a unit's Key= line (ExecStart...).
func unitExecArgs(t *testing.T, unit, key string) []string {
	t.Helper()
	for _, l := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			f := strings.Fields(v)
			if len(f) == 0 || f[0] != suite.pod {
				t.Fatalf("%s= does not run pod: %q", key, v)
			}
			return f[1:]
		}
	}
	t.Fatalf("the unit has no %s=:\n%s", key, unit)
	return nil
}

// TestRestartUnit runs pod-restart.service's ExecStart and ExecStop as
// systemd does at boot and at the session's end: the always and the
// unless-stopped containers come back, but those the user stopped.
func TestRestartUnit(t *testing.T) {
	e := withImage(t)
	unit := shippedUnit(t, "pod-restart.service")
	verifyUnits(t, true, e.writeFile("pod-restart.service", unit))
	start, stop := unitExecArgs(t, unit, "ExecStart"), unitExecArgs(t, unit, "ExecStop")
	for name, policy := range map[string]string{"always": "always", "unless": "unless-stopped", "stopped": "unless-stopped", "never": "no", "onfail": "on-failure"} {
		e.ok("run", "-d", "--name", name, "--restart", policy, testImage, "sleep", "1000")
	}
	e.ok("stop", "-t", "0", "stopped")
	// The machine goes down without a word: every process dies.
	e.killAll()
	for _, name := range []string{"always", "unless", "never", "onfail"} {
		e.waitStatus(name, "Exited", 10*time.Second)
	}
	up := func(want ...string) {
		t.Helper()
		for _, name := range []string{"always", "unless", "stopped", "never", "onfail"} {
			st := e.statusOf(name)
			if contains(want, name) != strings.HasPrefix(st, "Up") {
				t.Fatalf("%s is %q; want up: %v", name, st, want)
			}
		}
	}
	e.ok(start...)
	up("always", "unless")
	// The session ends: the unit's ExecStop, then the next boot.
	e.ok(stop...)
	up()
	e.ok(start...)
	up("always", "unless")
	// A shutdown without ExecStop (SIGTERM to every process of the
	// session) is no user's stop either.
	unlessMon := e.monitorPID(e.inspectField("unless", "{{.ID}}"))
	if err := syscall.Kill(unlessMon, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("unless", "Exited", 30*time.Second)
	e.ok(start...)
	up("always", "unless")
	// A user's stop counts against unless-stopped at the next start.
	e.ok("stop", "-t", "0", "unless")
	e.ok(start...)
	up("always")
}

// TestShippedUnitsVerify: every unit make install ships passes
// systemd-analyze --user verify.
func TestShippedUnitsVerify(t *testing.T) {
	e := newEnv(t)
	names, err := filepath.Glob("../../contrib/systemd/user/*")
	if err != nil || len(names) < 3 {
		t.Fatalf("shipped units: %v %v", names, err)
	}
	var files []string
	for _, n := range names {
		files = append(files, e.writeFile(filepath.Base(n), shippedUnit(t, filepath.Base(n))))
	}
	verifyUnits(t, true, files...)
}
