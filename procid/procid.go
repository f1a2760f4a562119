package procid

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ID is one process: its PID, when it started (clock ticks after boot) and
// which boot that was. The zero ID is no process.
type ID struct {
	PID       int    `json:"pid"`
	StartTime uint64 `json:"startTime,omitempty"`
	BootID    string `json:"bootId,omitempty"`
}

// ErrGone: the process is not running, or the PID now belongs to another.
var ErrGone = errors.New("process is gone")

var (
	bootOnce sync.Once
	bootID   string
)

// BootID is this boot's ID (/proc/sys/kernel/random/boot_id).
func BootID() string {
	bootOnce.Do(func() {
		b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
		if err == nil {
			bootID = strings.TrimSpace(string(b))
		}
	})
	return bootID
}

// Of reads the identity of the running process pid.
func Of(pid int) (ID, error) {
	if pid <= 0 {
		return ID{}, fmt.Errorf("pid %d: %w", pid, ErrGone)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			return ID{}, fmt.Errorf("pid %d: %w", pid, ErrGone)
		}
		return ID{}, err
	}
	state, st, err := parseStat(b)
	if err != nil {
		return ID{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	if state == "Z" || state == "X" {
		// Dead, waiting to be reaped: not a process any more.
		return ID{}, fmt.Errorf("pid %d: %w", pid, ErrGone)
	}
	return ID{PID: pid, StartTime: st, BootID: BootID()}, nil
}

// Self is the calling process's identity.
func Self() ID {
	id, err := Of(os.Getpid())
	if err != nil {
		return ID{PID: os.Getpid(), BootID: BootID()}
	}
	return id
}

// ParseStartTime returns field 22 (starttime) of a /proc/PID/stat line.
// The command name (field 2) is in parentheses and may itself hold spaces
// and parentheses, so the fields are counted after the last ')'.
func ParseStartTime(stat []byte) (uint64, error) {
	_, st, err := parseStat(stat)
	return st, err
}

// parseStat returns the state (field 3) and start time (field 22).
func parseStat(stat []byte) (string, uint64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return "", 0, errors.New("malformed /proc stat: no command name")
	}
	// After ") ": field 3 (state) is the first.
	fields := strings.Fields(string(stat[i+1:]))
	const idx = 22 - 3
	if len(fields) <= idx {
		return "", 0, fmt.Errorf("malformed /proc stat: %d fields after the command name", len(fields))
	}
	v, err := strconv.ParseUint(fields[idx], 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("malformed /proc stat start time %q", fields[idx])
	}
	return fields[0], v, nil
}

// Known reports whether id carries enough to be checked (a PID with its
// start time); records written before identities were kept have only a
// PID.
func (id ID) Known() bool { return id.PID > 0 && id.StartTime != 0 }

// Alive reports whether the very process id names still runs: same PID,
// same start time, same boot. An ID without a start time is never alive.
func (id ID) Alive() bool {
	if !id.Known() || (id.BootID != "" && id.BootID != BootID()) {
		return false
	}
	cur, err := Of(id.PID)
	return err == nil && cur.StartTime == id.StartTime
}

// Signal sends sig to the process only if it is still the one id names;
// otherwise it returns ErrGone and signals nobody.
func (id ID) Signal(sig syscall.Signal) error {
	if !id.Alive() {
		return fmt.Errorf("pid %d: %w", id.PID, ErrGone)
	}
	if err := unix.Kill(id.PID, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("pid %d: %w", id.PID, ErrGone)
		}
		return err
	}
	return nil
}

// String is "PID-STARTTIME", a name for what the process owns (its
// temporary directories).
func (id ID) String() string {
	return strconv.Itoa(id.PID) + "-" + strconv.FormatUint(id.StartTime, 10)
}

// ParseString reads what String wrote (boot ID: this boot's).
func ParseString(s string) (ID, error) {
	p, t, ok := strings.Cut(s, "-")
	pid, err1 := strconv.Atoi(p)
	st, err2 := strconv.ParseUint(t, 10, 64)
	if !ok || err1 != nil || err2 != nil || pid <= 0 {
		return ID{}, fmt.Errorf("%q is not PID-STARTTIME", s)
	}
	return ID{PID: pid, StartTime: st, BootID: BootID()}, nil
}

// Kill sends SIGKILL to the process id names, if it is still that
// process, and waits up to timeout for it to be gone. A process that is
// not (or no longer) id is left alone and is no error.
func (id ID) Kill(timeout time.Duration) error {
	if err := id.Signal(unix.SIGKILL); err != nil {
		if errors.Is(err, ErrGone) {
			return nil
		}
		return err
	}
	deadline := time.Now().Add(timeout)
	for id.Alive() {
		if time.Now().After(deadline) {
			return fmt.Errorf("pid %d did not exit %v after SIGKILL", id.PID, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
