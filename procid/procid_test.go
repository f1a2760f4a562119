package procid

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestParseStartTimeCommandWithParens(t *testing.T) {
	// A command name holding spaces and parentheses: "a) (b".
	stat := "1234 (a) (b) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 18446744073709551615"
	got, err := ParseStartTime([]byte(stat))
	if err != nil || got != 98765 {
		t.Fatalf("ParseStartTime = %d, %v; want 98765", got, err)
	}
	if _, err := ParseStartTime([]byte("1234 (x) S 1")); err == nil {
		t.Fatal("a short stat line parsed")
	}
	if _, err := ParseStartTime([]byte("garbage")); err == nil {
		t.Fatal("a stat line without a command parsed")
	}
}

func TestSelfAliveAndReusedPID(t *testing.T) {
	self := Self()
	if !self.Known() || !self.Alive() {
		t.Fatalf("Self() = %+v is not alive", self)
	}
	other := self
	other.StartTime++
	if other.Alive() {
		t.Fatal("an ID with another start time is alive")
	}
	if err := other.Signal(0); err == nil {
		t.Fatal("Signal to a mismatched identity succeeded")
	}
	other = self
	other.BootID = "another-boot"
	if other.Alive() {
		t.Fatal("an ID from another boot is alive")
	}
	if (ID{PID: os.Getpid()}).Alive() {
		t.Fatal("an ID without start time is alive")
	}
}

func TestSignalOnlyTheSameProcess(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal("starting sleep: ", err)
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	id, err := Of(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	wrong := id
	wrong.StartTime--
	if err := wrong.Signal(syscall.SIGKILL); err == nil {
		t.Fatal("signalled a process whose start time differs")
	}
	if !id.Alive() {
		t.Fatal("the sleep is not alive after a refused signal")
	}
	if err := id.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Killed but not reaped yet: a zombie is not alive.
	deadline := time.Now().Add(5 * time.Second)
	for id.Alive() {
		if time.Now().After(deadline) {
			t.Fatal("a killed, unreaped process is still alive")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, _ = cmd.Process.Wait()
	if id.Alive() {
		t.Fatal("a reaped process is alive")
	}
}

func TestStringRoundTrip(t *testing.T) {
	id := Self()
	back, err := ParseString(id.String())
	if err != nil || back.PID != id.PID || back.StartTime != id.StartTime {
		t.Fatalf("ParseString(%q) = %+v, %v", id.String(), back, err)
	}
	for _, bad := range []string{"", "12", "x-1", "0-5", "5-x"} {
		if _, err := ParseString(bad); err == nil {
			t.Errorf("ParseString(%q) parsed", bad)
		}
	}
}

func TestPIDFileRoundTripAndLegacy(t *testing.T) {
	id := Self()
	back, err := Parse(id.Marshal())
	if err != nil || back != id {
		t.Fatalf("Parse(Marshal(%+v)) = %+v, %v", id, back, err)
	}
	legacy, err := Parse([]byte("1234\n"))
	if err != nil || legacy.PID != 1234 || legacy.Known() || legacy.Alive() {
		t.Fatalf("Parse(legacy) = %+v, %v; want PID 1234, unknown, not alive", legacy, err)
	}
	for _, bad := range []string{"", "x", "-3", `{"pid":`, `{"version":99,"pid":1}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) parsed", bad)
		}
	}
}
