package container

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestParseSignal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want syscall.Signal
		bad  bool
	}{
		{"9", syscall.SIGKILL, false},
		{"KILL", syscall.SIGKILL, false},
		{"sigterm", syscall.SIGTERM, false},
		{"SIGHUP", syscall.SIGHUP, false},
		{"usr1", syscall.SIGUSR1, false},
		{"SIGRTMIN+3", syscall.Signal(37), false},
		{"0", 0, true},
		{"65", 0, true},
		{"NOPE", 0, true},
		{"", 0, true},
	} {
		got, err := ParseSignal(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestStopSignalAndTimeout(t *testing.T) {
	r := &Record{}
	if r.StopSignal() != syscall.SIGTERM {
		t.Errorf("default stop signal %v", r.StopSignal())
	}
	r.Config.StopSignal = "SIGQUIT"
	if r.StopSignal() != syscall.SIGQUIT {
		t.Errorf("stop signal %v, want SIGQUIT", r.StopSignal())
	}
	if d := r.StopTimeout(nil); d != 10*time.Second {
		t.Errorf("default timeout %v", d)
	}
	five, one := 5, 1
	r.Config.StopTimeout = &five
	if d := r.StopTimeout(nil); d != 5*time.Second {
		t.Errorf("--stop-timeout 5: %v", d)
	}
	if d := r.StopTimeout(&one); d != time.Second {
		t.Errorf("-t 1 over --stop-timeout: %v", d)
	}
}

func TestParseWaitCondition(t *testing.T) {
	for in, want := range map[string]WaitCondition{"": WaitNotRunning, "not-running": WaitNotRunning, "next-exit": WaitNextExit, "removed": WaitRemoved} {
		if got, err := ParseWaitCondition(in); err != nil || got != want {
			t.Errorf("ParseWaitCondition(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseWaitCondition("stopped"); err == nil {
		t.Error("ParseWaitCondition(stopped): no error")
	}
}

func TestMonitorLockAndStale(t *testing.T) {
	dir := t.TempDir()
	r := &Record{Dir: dir, Config: Config{Name: "c"}, State: State{Status: StatusRunning, Pid: os.Getpid()}}
	if r.MonitorAlive() {
		t.Fatal("alive without a lock file")
	}
	if !r.Stale() {
		t.Fatal("running without a monitor is not stale")
	}
	l, err := r.TryLockMonitor()
	if err != nil {
		t.Fatal(err)
	}
	if !r.MonitorAlive() || r.Stale() {
		t.Fatal("a held lock does not count as a live monitor")
	}
	if _, err := r.TryLockMonitor(); !errors.Is(err, ErrAlreadyManaged) {
		t.Fatalf("a second monitor got the lock: %v", err)
	}
	began := time.Now()
	if _, err := r.LockMonitor(t.Context(), 100*time.Millisecond); !errors.Is(err, ErrBusy) || time.Since(began) < 100*time.Millisecond {
		t.Fatalf("LockMonitor of a held lock = %v after %v, want ErrBusy after 100ms", err, time.Since(began))
	}
	go func() { time.Sleep(50 * time.Millisecond); l.Close() }()
	l2, err := r.LockMonitor(t.Context(), 5*time.Second)
	if err != nil {
		t.Fatalf("LockMonitor once the holder let go: %v", err)
	}
	l2.Close()
	if r.MonitorAlive() || !r.Stale() {
		t.Fatal("a released lock still counts as a live monitor")
	}
	r.State.Status = StatusExited
	if r.Stale() {
		t.Fatal("an exited record is stale")
	}
	if _, err := os.Stat(filepath.Join(dir, monitorLockFile)); err != nil {
		t.Fatal(err)
	}
}

func TestDescribeRestarting(t *testing.T) {
	now := time.Now()
	s := State{Status: StatusExited, ExitCode: 3, FinishedAt: now.Add(-2 * time.Second), Restarting: true}
	if got := s.Describe(now); got != "Restarting (3) 2 seconds ago" {
		t.Errorf("Describe = %q", got)
	}
}

func TestRecordVersions(t *testing.T) {
	dir := t.TempDir()
	r := &Record{Dir: dir, Config: Config{ID: "abc", Name: "c"}}
	if err := r.writeConfig(); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateState(func(s *State) { s.Status = StatusCreated }); err != nil {
		t.Fatal(err)
	}
	got, err := Open(dir)
	if err != nil || got.Config.Version != RecordVersion || got.State.Version != RecordVersion {
		t.Fatalf("Open = %+v, %v; want version %d records", got, err, RecordVersion)
	}
	// An earlier pod's record (no version, PID alone) still reads.
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"status":"exited","pid":0,"exitCode":3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Open(dir); err != nil || got.State.ExitCode != 3 {
		t.Fatalf("Open of a version 0 state = %+v, %v", got, err)
	}
	// A newer pod's record is refused, saying so.
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"version":99,"status":"running"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNewerRecord) {
		t.Fatalf("Open of a version 99 state = %v, want ErrNewerRecord", err)
	}
}
