package container

import (
	"errors"
	"fmt"
	"os/exec"
)

// Sentinels of the container package, checked with errors.Is.
var (
	ErrNoSuchContainer = errors.New("no such container")
	ErrNameInUse       = errors.New("container name already in use")
	ErrRunning         = errors.New("container is running")
	ErrBadName         = errors.New("invalid container name")
	// ErrNotRunning: exec, top, pause... on a container that is not running.
	ErrNotRunning = errors.New("container is not running")
	// ErrNoCgroup: the container has no cgroup of its own to pause or measure.
	ErrNoCgroup = errors.New("container has no cgroup")
	// ErrNoLogs: logs of a container whose log driver keeps none.
	ErrNoLogs = errors.New("container keeps no logs")
	// ErrNewerRecord: a record written by a newer pod.
	ErrNewerRecord = errors.New("container record written by a newer pod")
	// ErrBusy: another pod command holds the container (starting or
	// removing it).
	ErrBusy = errors.New("container is busy")
)

// ExitError is a failure with the exit code pod ends with for it, by
// Docker's rules: 126 when a command cannot be invoked, 127 when it is not
// found, 125 for pod's own failures. With a nil Err it is a container's (or
// a command's) own exit status, which pod passes through printing nothing.
// Errors of other packages join the family by having an ExitCode method.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the code pod exits with.
func (e *ExitError) ExitCode() int { return e.Code }

// WithExitCode gives err the exit code code.
func WithExitCode(code int, err error) error { return &ExitError{Code: code, Err: err} }

// ExitStatus is a container's own exit status as an error pod passes
// through silently (nil for 0).
func ExitStatus(code int) error {
	if code == 0 {
		return nil
	}
	return &ExitError{Code: code}
}

// ExitCodeOf is the exit code err maps to: the ExitCode of the first error
// in its chain that has one, else 125. A helper's exit status
// (*exec.ExitError: storage's re-executed unpacker, git...) is not a code
// for pod to exit with: its failure is pod's own, 125.
func ExitCodeOf(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		if _, helper := ec.(*exec.ExitError); !helper {
			return ec.ExitCode()
		}
	}
	return 125
}
