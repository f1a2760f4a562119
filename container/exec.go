package container

import "strings"

// ExecEnv is the environment of a process started in a running container
// by exec: the container's own (base), then -e overrides (KEY=VALUE
// replaces or adds, a bare KEY removes), TERM=xterm with a terminal when
// unset, and HOME of the exec user when -u named another user and -e did
// not set HOME.
func ExecEnv(base, overrides []string, tty bool, home string) []string {
	env := append([]string{}, base...)
	if home != "" && indexEnv(overrides, "HOME") < 0 {
		env = mergeEnv(env, []string{"HOME=" + home})
	}
	env = mergeEnv(env, overrides)
	if tty && indexEnv(env, "TERM") < 0 {
		env = append(env, "TERM=xterm")
	}
	return env
}

// ValidExecWorkdir reports whether dir may be given to exec -w: an
// absolute path, as Docker requires.
func ValidExecWorkdir(dir string) bool {
	return strings.HasPrefix(dir, "/")
}

// StateError is an error whose message says it all and that matches a
// sentinel (ErrNotRunning, ErrNoCgroup) with errors.Is.
type StateError struct {
	Msg string
	Err error
}

func (e *StateError) Error() string { return e.Msg }
func (e *StateError) Unwrap() error { return e.Err }

// NotRunning is the error for an operation that needs the container name
// running: "container NAME is not running", with hint appended if given.
func NotRunning(name, hint string) error {
	msg := "container " + name + " is not running"
	if hint != "" {
		msg += ": " + hint
	}
	return &StateError{Msg: msg, Err: ErrNotRunning}
}
