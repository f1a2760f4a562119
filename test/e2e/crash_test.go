package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
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

// truncate cuts a file to half its size, as a write cut short leaves it.
func (e *env) truncate(path string) {
	e.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/2], 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// TestDamagedRecords: a truncated state.json or config.json does not hide
// the container: ps -a shows it as Unknown and says which file is
// damaged, its name stays taken, and stop, rm -f and rmi -f work on it,
// killing its process.
func TestDamagedRecords(t *testing.T) {
	e := withImage(t)
	for _, file := range []string{"state.json", "config.json"} {
		name := strings.TrimSuffix(file, ".json")
		arg := map[string]string{"state.json": "1001", "config.json": "1002"}[file]
		id := strings.TrimSpace(e.ok("run", "-d", "--name", name, testImage, "sleep", arg))
		e.waitStatus(name, "Up ", 30*time.Second)
		e.truncate(filepath.Join(filepath.Dir(e.stateFile(id)), file))
		r := e.pod("ps", "-a", "--format", "{{.Names}} {{.Status}}")
		if r.code != 0 || !strings.Contains(r.stdout, name+" Unknown") || !strings.Contains(r.stderr, file) || !strings.Contains(r.stderr, "pod rm -f") {
			t.Fatalf("ps -a with a damaged %s:\n%s", file, r)
		}
		expectError(t, e.pod("create", "--name", name, testImage), 125, name, "in use")
		expectError(t, e.pod("exec", name, "true"), 125, name, "pod rm -f")
		if file == "state.json" {
			expect(t, e.pod("stop", "-t", "0", name), 0, name+"\n")
			if !eventually(10*time.Second, func() bool { return len(e.userProcs("sleep "+arg)) == 0 }) {
				t.Fatalf("stop of a container with a damaged %s left its process", file)
			}
		}
		expect(t, e.pod("rm", "-f", name), 0, name+"\n")
		if !eventually(10*time.Second, func() bool { return len(e.userProcs("sleep "+arg)) == 0 }) {
			t.Fatalf("rm -f of a container with a damaged %s left its process", file)
		}
	}
	// rmi -f removes a damaged container with the image, and kills it.
	e.ok("run", "-d", "--name", "viaimage", testImage, "sleep", "1003")
	e.waitStatus("viaimage", "Up ", 30*time.Second)
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "viaimage"))
	e.truncate(e.stateFile(id))
	e.ok("rmi", "-f", testImage)
	if !eventually(10*time.Second, func() bool { return len(e.userProcs("sleep 1003")) == 0 }) {
		t.Fatal("rmi -f left the process of a container with a damaged record")
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}

// TestPauseAndMonitorsKilled: with the pause process and every monitor
// killed, the next call recovers the user namespace through the
// containers' processes, so it can kill them whatever user they run as
// (a new namespace could not signal a process of another subordinate id).
func TestPauseAndMonitorsKilled(t *testing.T) {
	e := withImage(t)
	ids := map[string]string{}
	for name, flags := range map[string][]string{"u1000": {"-u", "1000:1000"}, "uroot": nil} {
		args := append(append([]string{"run", "-d", "--name", name}, flags...), testImage, "sleep", "1006")
		ids[name] = strings.TrimSpace(e.ok(args...))
		e.waitStatus(name, "Up ", 30*time.Second)
	}
	victims := []int{e.livePausePID()}
	for _, id := range ids {
		victims = append(victims, e.monitorPID(id))
	}
	for _, p := range victims {
		if p <= 0 {
			t.Fatalf("no PID to kill in %v", victims)
		}
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	eventually(10*time.Second, func() bool {
		for _, p := range victims {
			if alive(p) {
				return false
			}
		}
		return true
	})
	for name := range ids {
		if st := e.statusOf(name); !strings.HasPrefix(st, "Exited (137)") {
			t.Fatalf("%s after its monitor was killed: %q, want Exited (137)", name, st)
		}
	}
	// The uid 1000 one runs as the user's subordinate uid + 1000.
	var left []proc
	if !eventually(10*time.Second, func() bool {
		left = nil
		for _, p := range processes() {
			if p.cmdline == "sleep 1006" && p.hasEnv("HOSTNAME="+ids["u1000"][:12]) || p.cmdline == "sleep 1006" && p.hasEnv("HOSTNAME="+ids["uroot"][:12]) {
				left = append(left, p)
			}
		}
		return len(left) == 0
	}) {
		t.Fatalf("processes survived their containers' repair: %v", left)
	}
	e.ok("rm", "-a", "-f")
	e.expectClean()
}

// TestDiskFull: with --root on a small filesystem that a container fills,
// its exit code is kept, and rm -f, system prune and rmi -f still work.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("TestDiskFull mounts a tmpfs: run the e2e tests as root (they run pod as the test user)")
	}
	e := newEnv(t)
	if err := os.MkdirAll(e.root, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := fmt.Sprintf("size=64m,mode=0700,uid=%d,gid=%d", e.user.uid, e.user.gid)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "pod-e2e-full", e.root).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs on %s: %v: %s", e.root, err, out)
	}
	t.Cleanup(func() {
		e.killAll()
		_ = exec.Command("umount", "-l", e.root).Run()
	})
	e.importImage(testImage)
	fill := "dd if=/dev/zero of=/fill bs=1M 2>/dev/null; exit 3"
	expect(t, e.pod("run", "--name", "filler", testImage, "sh", "-c", fill), 3, "")
	if st := e.statusOf("filler"); !strings.HasPrefix(st, "Exited (3)") {
		t.Fatalf("a container that filled the disk: %q, want Exited (3)", st)
	}
	// Nothing new fits, and pod says what to do.
	expectError(t, e.pod("run", "-d", "--name", "filler2", testImage, "true"), 125, "no space left", "pod system prune")
	// Removal works on the full disk, and what it frees is usable again.
	expect(t, e.pod("rm", "-f", "filler"), 0, "filler\n")
	e.ok("run", "-d", "--name", "filler2", testImage, "sh", "-c", fill)
	e.waitStatus("filler2", "Exited (3)", 60*time.Second)
	e.ok("system", "prune", "-f")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.ok("rmi", "-f", testImage)
	expect(t, e.pod("images", "-q"), 0, "")
	e.expectClean()
}

// TestSystemDf: what images, containers and volumes take, and what prune
// would free, in Docker's columns.
func TestSystemDf(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "x", "-v", "vol:/d", testImage, "sh", "-c", "echo hi > /d/f")
	e.ok("volume", "create", "unused")
	out := e.ok("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Active}}")
	if out != "Images|1|1\nContainers|1|0\nLocal Volumes|2|1\n" {
		t.Fatalf("system df:\n%s", out)
	}
	table := lines(e.ok("system", "df"))
	if len(table) != 4 || !regexp.MustCompile(`^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$`).MatchString(table[0]) ||
		!regexp.MustCompile(`^Containers\s+1\s+0\s+\S+\s+\S+ \(100%\)$`).MatchString(table[2]) {
		t.Fatalf("system df table:\n%s", strings.Join(table, "\n"))
	}
	e.ok("system", "prune", "-f", "-a", "--volumes")
	expect(t, e.pod("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Size}}"), 0, "Images 0 0B\nContainers 0 0B\nLocal Volumes 0 0B\n")
}

// TestSystemCheck: a store in order checks clean; damaged records and
// volume metadata, container directories storage forgot and processes of
// removed containers are each reported, and --repair fixes them, keeping
// the data.
func TestSystemCheck(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "c1", "-v", "data:/d", testImage, "sh", "-c", "echo kept > /d/f")
	expect(t, e.pod("system", "check"), 0, "No problems found\n")

	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "c1"))
	e.truncate(e.stateFile(id))
	volMeta := filepath.Join(filepath.Dir(e.root), "volumes", "data", "volume.json")
	e.truncate(volMeta)
	stray := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(e.stateFile(id)))), strings.Repeat("ab", 32))
	if err := os.MkdirAll(filepath.Join(stray, "userdata"), 0o700); err != nil {
		t.Fatal(err)
	}
	e.chown(stray)
	e.chown(filepath.Join(stray, "userdata"))
	sleep, start := e.userSleep()
	anchors := filepath.Join(e.xdg, "pod", "monitors", strings.Repeat("cd", 32)+".anchors")
	e.writeFile("anchors", fmt.Sprintf(`{"version":1,"pid":%d,"startTime":%d,"bootId":%q}`+"\n", sleep.Process.Pid, start, bootID(t)))
	if err := os.Rename(filepath.Join(e.dir, "anchors"), anchors); err != nil {
		t.Fatal(err)
	}

	r := e.pod("system", "check", "--format", "{{.Kind}} {{.ID}}")
	want := []string{"container " + id[:12], "record " + strings.Repeat("ab", 6), "process " + strconv.Itoa(sleep.Process.Pid), "volume data"}
	if r.code != 1 || sorted(lines(r.stdout)) != sorted(want) {
		t.Fatalf("system check of a damaged store: want exit 1 and %q\n%s", want, r)
	}
	r = e.pod("system", "check", "--repair", "--format", "{{.Kind}} {{.Action}}")
	if r.code != 0 || strings.Contains(r.stdout, "failed") {
		t.Fatalf("system check --repair:\n%s", r)
	}
	expect(t, e.pod("system", "check"), 0, "No problems found\n")
	if alive(sleep.Process.Pid) {
		t.Fatal("--repair left a process of a removed container")
	}
	expect(t, e.pod("run", "--rm", "-v", "data:/d", testImage, "cat", "/d/f"), 0, "kept\n")
	if st := e.statusOf("c1"); !strings.HasPrefix(st, "Exited (255)") {
		t.Fatalf("c1 after its state was written anew: %q", st)
	}
}

// bootID is this boot's ID, as pod records it beside a PID.
func bootID(t *testing.T) string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestKilledBuildCopy: a build killed while COPY writes into its working
// container leaves a storage container that ps --external shows and
// rm -f removes, and system prune reclaims it with the layers no image
// took; no mount stays behind.
func TestKilledBuildCopy(t *testing.T) {
	e := withImage(t)
	pause := e.livePausePID()
	for round, remove := range []string{"rm", "prune"} {
		dir := e.ctxTree(fmt.Sprintf("ctx-copy%d", round), map[string]string{
			"Dockerfile": "FROM " + testImage + "\nCOPY big /big\n",
		})
		big := filepath.Join(dir, "big")
		if out, err := exec.Command("dd", "if=/dev/zero", "of="+big, "bs=1M", "count=400").CombinedOutput(); err != nil {
			t.Fatalf("dd: %v: %s", err, out)
		}
		e.chown(big)
		s := e.startPiped("build", "--no-cache", dir)
		// The COPY step mounts its working container: kill the build then.
		if !eventually(60*time.Second, func() bool { return len(e.overlayMounts(pause)) > 0 }) {
			t.Fatalf("the build never mounted a working container:\n%s\n%s", s.output(), s.stderr.String())
		}
		_ = s.cmd.Process.Kill()
		s.wait(10 * time.Second)
		ext := lines(e.ok("ps", "-a", "--external", "--format", "{{.ID}} {{.Names}} {{.Status}}"))
		if len(ext) != 1 || !strings.Contains(ext[0], " pod-build-copy-") || !strings.HasSuffix(ext[0], " Storage") {
			t.Fatalf("round %d: ps -a --external after the killed COPY: %q", round, ext)
		}
		if remove == "rm" {
			id := strings.Fields(ext[0])[0]
			expect(t, e.pod("rm", "-f", id), 0, id+"\n")
		}
		e.ok("system", "prune", "-f")
		expect(t, e.pod("ps", "-a", "--external", "-q"), 0, "")
		expect(t, e.pod("system", "check"), 0, "No problems found\n")
		if m := e.overlayMounts(pause); len(m) > 0 {
			t.Fatalf("round %d: mounts left in the pause namespace:\n%s", round, strings.Join(m, "\n"))
		}
	}
	e.expectClean()
}

// TestDamagedVolume: a volume whose volume.json is truncated is listed,
// with a warning naming the fix, keeps its name, and rm -f removes it.
func TestDamagedVolume(t *testing.T) {
	e := newEnv(t)
	e.ok("volume", "create", "vol")
	e.truncate(filepath.Join(filepath.Dir(e.root), "volumes", "vol", "volume.json"))
	r := e.pod("volume", "ls", "-q")
	if r.code != 0 || r.stdout != "vol\n" || !strings.Contains(r.stderr, "pod volume rm -f vol") {
		t.Fatalf("volume ls with damaged metadata:\n%s", r)
	}
	expectError(t, e.pod("volume", "create", "vol"), 125, "vol")
	expect(t, e.pod("volume", "rm", "-f", "vol"), 0, "vol\n")
	expect(t, e.pod("volume", "ls", "-q"), 0, "")
}
