package container

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/storage"
)

func openStore(t *testing.T) storage.Store {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: opening a vfs store needs root (run the unit tests as root, as make test does)")
	}
	dir := t.TempDir()
	st, _, err := storage.Open(storage.Options{GraphRoot: filepath.Join(dir, "graph"), RunRoot: filepath.Join(dir, "run"), Driver: "vfs"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = st.Shutdown(true) })
	return st
}

// startSleep starts a process of this user that must survive: the PID a
// stale record names after the kernel reused it.
func startSleep(t *testing.T) procid.ID {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal("starting sleep: ", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	id, err := procid.Of(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRepairNeverSignalsAReusedPID(t *testing.T) {
	st := openStore(t)
	rec, err := Create(st, &Config{Name: "stale"})
	if err != nil {
		t.Fatal(err)
	}
	sleep := startSleep(t)
	other := sleep
	other.StartTime++ // the container's init was another process with this PID
	if err := rec.UpdateState(func(s *State) {
		s.Status = StatusRunning
		s.SetInit(other)
		s.SetMonitor(procid.ID{PID: sleep.PID, StartTime: sleep.StartTime + 2, BootID: sleep.BootID})
	}); err != nil {
		t.Fatal(err)
	}
	if rec.Running() {
		t.Fatal("a record whose PID belongs to another process counts as running")
	}
	left := RepairStale(t.Context(), st, []*Record{rec}, RepairOptions{})
	if len(left) != 1 || left[0].State.Status != StatusExited || left[0].State.ExitCode != 255 || left[0].State.Pid != 0 {
		t.Fatalf("repaired state = %+v, want exited 255 with no PID", left[0].State)
	}
	if !sleep.Alive() {
		t.Fatal("repair killed an unrelated process that got the container's PID")
	}
}

func TestRepairKillsWhatIsStillTheContainers(t *testing.T) {
	st := openStore(t)
	rec, err := Create(st, &Config{Name: "orphan"})
	if err != nil {
		t.Fatal(err)
	}
	orphan := startSleep(t)
	if err := rec.UpdateState(func(s *State) { s.Status = StatusRunning; s.SetInit(orphan) }); err != nil {
		t.Fatal(err)
	}
	left := RepairStale(t.Context(), st, []*Record{rec}, RepairOptions{})
	if len(left) != 1 || left[0].State.Status != StatusExited || left[0].State.ExitCode != 137 {
		t.Fatalf("repaired state = %+v, want exited 137", left[0].State)
	}
	if orphan.Alive() {
		t.Fatal("the container's own orphaned process survived the repair")
	}
}

func TestDestroyNeedsTheMonitorLock(t *testing.T) {
	st := openStore(t)
	rec, err := Create(st, &Config{Name: "gone", AutoRemove: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := Destroy(t.Context(), st, rec, nil, DestroyOptions{}); err == nil {
		t.Fatal("Destroy without the monitor lock succeeded")
	}
	lock, err := rec.TryLockMonitor()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	var released *Config
	if err := Destroy(t.Context(), st, rec, lock, DestroyOptions{Volumes: func(c *Config) error { released = c; return nil }}); err != nil {
		t.Fatal(err)
	}
	if released == nil || released.Name != "gone" {
		t.Fatalf("the volumes of the destroyed container were not released: %+v", released)
	}
	if _, err := Load(st, "gone"); !errors.Is(err, ErrNoSuchContainer) {
		t.Fatalf("Load after Destroy = %v, want ErrNoSuchContainer", err)
	}
	if err := Destroy(t.Context(), st, rec, lock, DestroyOptions{}); err != nil {
		t.Fatalf("Destroy of a container that is gone already = %v, want success", err)
	}
}

func TestRepairTakesTheExitRecord(t *testing.T) {
	st := openStore(t)
	rec, err := Create(st, &Config{Name: "full"})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().UTC().Add(-time.Minute)
	if err := rec.UpdateState(func(s *State) {
		s.Status, s.StartedAt = StatusRunning, started
		s.SetInit(procid.ID{PID: 1 << 22, StartTime: 1, BootID: procid.BootID()})
	}); err != nil {
		t.Fatal(err)
	}
	dir, err := st.ContainerRunDirectory(rec.Config.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	finished := started.Add(30 * time.Second)
	if err := WriteExitRecord(dir, 3, finished); err != nil {
		t.Fatal(err)
	}
	left := RepairStale(t.Context(), st, []*Record{rec}, RepairOptions{})
	s := left[0].State
	if s.Status != StatusExited || s.ExitCode != 3 || !s.FinishedAt.Equal(finished) || s.Error != "" {
		t.Fatalf("repaired state %+v, want exited 3 at %v with no error", s, finished)
	}
}
