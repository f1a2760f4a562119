package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

var fullID = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestPsAndRm(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--name", "exited3", testImage, "sh", "-c", "exit 3"), 3, "")
	expect(t, e.pod("run", "--name", "exited0", testImage, "true"), 0, "")

	// Without -a only running containers show: just the header.
	out := e.ok("ps")
	if ls := lines(out); len(ls) != 1 || strings.Join(strings.Fields(ls[0]), " ") != "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES" {
		t.Fatalf("ps with no running container:\n%s", out)
	}
	out = e.ok("ps", "-a")
	ls := lines(out)
	if len(ls) != 3 {
		t.Fatalf("ps -a, want a header and two rows:\n%s", out)
	}
	var row3 string
	for _, l := range ls[1:] {
		if strings.HasSuffix(strings.TrimSpace(l), "exited3") {
			row3 = l
		}
	}
	if !strings.Contains(row3, "Exited (3) ") || !strings.Contains(row3, testImage) || !shortID.MatchString(strings.Fields(row3)[0]) {
		t.Fatalf("ps -a row of exited3 %q: want its short ID, image and \"Exited (3) ...\"\n%s", row3, out)
	}

	ids := lines(e.ok("ps", "-a", "-q"))
	long := lines(e.ok("ps", "-a", "-q", "--no-trunc"))
	if len(ids) != 2 || len(long) != 2 {
		t.Fatalf("ps -a -q: %v, --no-trunc: %v", ids, long)
	}
	for i := range ids {
		if !shortID.MatchString(ids[i]) || !fullID.MatchString(long[i]) || !strings.HasPrefix(long[i], ids[i]) {
			t.Fatalf("ps -a -q %v vs --no-trunc %v", ids, long)
		}
	}

	byName := func(args ...string) string {
		return sorted(lines(e.ok(append(append([]string{"ps", "-a"}, args...), "--format", "{{.Names}}")...)))
	}
	for _, c := range []struct {
		filter []string
		want   string
	}{
		{[]string{"--filter", "status=exited"}, "exited0,exited3"},
		{[]string{"--filter", "status=running"}, ""},
		{[]string{"--filter", "name=exited3"}, "exited3"},
		{[]string{"--filter", "ancestor=" + testImage}, "exited0,exited3"},
		{[]string{"--filter", "ancestor=localhost/e2e/other"}, ""},
	} {
		if got := byName(c.filter...); got != c.want {
			t.Errorf("ps -a %v: %q, want %q", c.filter, got, c.want)
		}
	}
	id3 := strings.Fields(row3)[0]
	if got := byName("--filter", "id="+id3); got != "exited3" {
		t.Errorf("ps -a --filter id=%s: %q", id3, got)
	}
	out = e.ok("ps", "-a", "--filter", "name=exited3", "--format", "{{.Status}}")
	if !strings.HasPrefix(out, "Exited (3) ") {
		t.Errorf("status of exited3: %q", out)
	}

	expect(t, e.pod("rm", "exited3"), 0, "exited3\n")
	if got := byName(); got != "exited0" {
		t.Fatalf("after rm exited3: %q", got)
	}
	expectError(t, e.pod("rm", "nosuch"), 1, "nosuch")
	// Every target is acted on; the missing one is reported.
	r := e.pod("rm", "nosuch2", "exited0")
	if r.code == 0 || !strings.Contains(r.stderr, "nosuch2") {
		t.Fatalf("rm of a missing and an existing container:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

func TestRmForceAll(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "done1", testImage, "true")
	e.ok("run", "--name", "done2", testImage, "true")
	s := e.startPiped("run", "--name", "runner", testImage, "sh", "-c", "echo up; exec sleep 1000")
	if !s.waitFor(60*time.Second, "up\n") {
		t.Fatalf("runner did not start: %q %q", s.stdout.String(), s.stderr.String())
	}
	var out string
	if !eventually(30*time.Second, func() bool {
		out = e.ok("ps", "--format", "{{.Names}} {{.Status}}")
		return strings.HasPrefix(out, "runner Up")
	}) {
		t.Fatalf("ps does not show runner as Up: %q", out)
	}
	r := e.pod("rm", "runner")
	expectError(t, r, 2, "runner")
	r = e.pod("rm", "-f", "--all")
	if r.code != 0 || sorted(lines(r.stdout)) == "" {
		t.Fatalf("rm -f --all:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	if code := s.wait(60 * time.Second); code == 0 || code == -1 {
		t.Fatalf("pod run of the removed container exited %d", code)
	}
	pause := e.livePausePID()
	var left []proc
	if !eventually(10*time.Second, func() bool { left = e.leftovers(pause); return len(left) == 0 }) {
		t.Fatalf("processes left after rm -f --all: %v", left)
	}
}

func TestContainerInspect(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--name", "insp", "-e", "A=1", testImage, "sh", "-c", "exit 3"), 3, "")
	id := strings.TrimSpace(e.ok("ps", "-a", "-q", "--no-trunc"))
	out := e.ok("inspect", "insp")
	var got []struct {
		Id    string
		Name  string
		State struct {
			Status   string
			ExitCode int
		}
		Config struct {
			Env []string
			Cmd []string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("inspect: not a JSON array: %v\n%s", err, out)
	}
	if len(got) != 1 || got[0].Id != id || strings.TrimPrefix(got[0].Name, "/") != "insp" ||
		got[0].State.Status != "exited" || got[0].State.ExitCode != 3 ||
		!contains(got[0].Config.Env, "A=1") || strings.Join(got[0].Config.Cmd, " ") != "sh -c exit 3" {
		t.Fatalf("inspect insp:\n%s", out)
	}
	expectError(t, e.pod("inspect", "nosuch"), 125, "nosuch")
	expectError(t, e.pod("container", "inspect", "nosuch"), 125, "nosuch")
	e.ok("container", "rm", "insp")
	expect(t, e.pod("container", "ls", "-a", "-q"), 0, "")
}
