package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pod-project/pod/userns"
)

// exitError carries the exit code an error maps to (125 unless said).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// containerExit passes a container's own exit status through as pod's,
// printing nothing.
type containerExit struct{ code int }

func (e *containerExit) Error() string { return fmt.Sprintf("container exited with %d", e.code) }

// exitCoder is implemented by library errors that know Docker's exit code
// for themselves (126 cannot invoke, 127 not found).
type exitCoder interface{ ExitCode() int }

// reportError prints err the one way pod prints errors and returns the exit
// code for it: the container's own, or 125/126/127 as Docker.
func reportError(w io.Writer, err error) int {
	var ce *containerExit
	if errors.As(err, &ce) {
		return ce.code
	}
	code := 125
	var ee *exitError
	var ec exitCoder
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case errors.As(err, &ec):
		code = ec.ExitCode()
	}
	msg := err.Error()
	fmt.Fprintf(w, "Error: %s\n", msg)
	if h := hint(err); h != "" && !strings.Contains(msg, h) {
		fmt.Fprintf(w, "Hint: %s\n", h)
	}
	return code
}

// hint returns the fix for well-known failures, keyed by sentinel.
func hint(err error) string {
	for _, h := range hints {
		if errors.Is(err, h.err) {
			return h.text
		}
	}
	return ""
}

var hints = []struct {
	err  error
	text string
}{
	{userns.ErrNoSubIDRange, "add ranges as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER; then run: pod system migrate"},
	{userns.ErrNoIDMapTools, "install the uidmap package: sudo apt-get install uidmap"},
}
