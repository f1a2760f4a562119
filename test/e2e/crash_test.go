package e2e

import (
	"strings"
	"testing"
	"time"
)

// userProcs lists the test user's live processes whose command line is
// cmdline.
func (e *env) userProcs(cmdline string) []proc {
	var out []proc
	for _, p := range processes() {
		if p.cmdline == cmdline && p.uid == e.user.uid {
			out = append(out, p)
		}
	}
	return out
}

// killedBuild starts pod build of a RUN step that sleeps, kills -9 the
// build once the step runs, and returns the step container's name.
func (e *env) killedBuild(sleepArg string) {
	e.t.Helper()
	dir := e.ctxTree("ctx-"+sleepArg, map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN sleep " + sleepArg + "\n"})
	s := e.startPiped("build", "--no-cache", "-t", "localhost/killed", dir)
	if !eventually(30*time.Second, func() bool { return len(e.userProcs("sleep "+sleepArg)) > 0 }) {
		e.t.Fatalf("the RUN step never started:\n%s\n%s", s.output(), s.stderr.String())
	}
	_ = s.cmd.Process.Kill()
	s.wait(10 * time.Second)
}

// TestKilledBuildStep: a build killed while a RUN step runs leaves a build
// container that pod ps -a shows with its real creation time, exited, its
// process killed; system prune removes it, and so does the next build.
func TestKilledBuildStep(t *testing.T) {
	e := withImage(t)
	e.killedBuild("31")
	rows := lines(e.ok("ps", "-a", "--format", "{{.Names}}|{{.Status}}|{{.RunningFor}}"))
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "pod-build-") || !strings.Contains(rows[0], "|Exited (137) ") ||
		!strings.HasSuffix(rows[0], "seconds ago") && !strings.HasSuffix(rows[0], "Less than a second ago") {
		t.Fatalf("ps -a after the killed build: %q, want one pod-build- container, exited 137, created just now", rows)
	}
	if left := e.userProcs("sleep 31"); !eventually(10*time.Second, func() bool { left = e.userProcs("sleep 31"); return len(left) == 0 }) {
		t.Fatalf("the killed build's RUN step still runs: %v", left)
	}
	e.ok("system", "prune", "-f")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")

	// The next build removes what a killed build left.
	e.killedBuild("32")
	dir := e.ctxTree("ctx-next", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN true\n"})
	e.build("-q", dir)
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	if left := e.userProcs("sleep 32"); len(left) > 0 {
		t.Fatalf("the killed build's RUN step survived the next build: %v", left)
	}
	e.expectClean()
}
