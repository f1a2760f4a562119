package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestManyTargets: stop, kill, restart and rm of many containers work on
// them at once and report in the order given: every target done, a
// missing one reported and counted in the exit code, the output the
// targets in order (make bench-lifecycle times stop -t 2 of 20).
func TestManyTargets(t *testing.T) {
	e := withImage(t)
	var names []string
	for i := 0; i < 12; i++ {
		n := fmt.Sprintf("m%02d", i)
		e.ok("run", "-d", "--name", n, testImage, "sleep", "1000")
		names = append(names, n)
	}
	want := strings.Join(names, "\n") + "\n"
	expect(t, e.pod(append([]string{"restart", "-t", "0"}, names...)...), 0, want)
	for _, n := range names {
		e.waitStatus(n, "Up", cmdTimeout)
	}
	expect(t, e.pod(append([]string{"stop", "-t", "1"}, names...)...), 0, want)
	for _, n := range names {
		if st := e.statusOf(n); !strings.HasPrefix(st, "Exited") {
			t.Fatalf("%s after stop: %q", n, st)
		}
	}
	e.ok(append([]string{"start"}, names...)...)
	// A missing target among them: the others are killed, it is reported,
	// and the call ends with its code.
	withMissing := append(append([]string{}, names[:6]...), append([]string{"nosuch"}, names[6:]...)...)
	r := e.pod(append([]string{"kill"}, withMissing...)...)
	expectError(t, r, 125, "nosuch")
	if r.stdout != want {
		t.Fatalf("kill printed %q, want the containers in order", r.stdout)
	}
	r = e.pod(append([]string{"rm", "-f"}, names...)...)
	expect(t, r, 0, want)
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}
