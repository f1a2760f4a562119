package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// lockedBuffer is a bytes.Buffer safe for one writer and many readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// session is a pod process running in the background.
type session struct {
	e      *env
	cmd    *exec.Cmd
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	stdout lockedBuffer
	stderr lockedBuffer
	// ptmx is the terminal's master side (PTY sessions only).
	ptmx *os.File
	// copied is closed when the PTY output is read to its end.
	copied chan struct{}
}

// startPiped starts pod with pipes for stdout and stderr.
func (e *env) startPiped(args ...string) *session {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	s := &session{e: e, cancel: cancel, done: make(chan struct{})}
	s.cmd = e.command(ctx, args...)
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		cancel()
		e.t.Fatal(err)
	}
	go s.reap()
	e.t.Cleanup(s.stop)
	return s
}

// startPTY starts pod with a new terminal as its controlling terminal
// and stdio, as in an interactive shell.
func (e *env) startPTY(args ...string) *session {
	e.t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		e.t.Fatal(err)
	}
	if !e.user.self {
		if err := tty.Chown(e.user.uid, e.user.gid); err != nil {
			e.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	s := &session{e: e, cancel: cancel, done: make(chan struct{}), ptmx: ptmx, copied: make(chan struct{})}
	s.cmd = e.command(ctx, args...)
	s.cmd.Env = append(s.cmd.Env, "TERM=xterm")
	s.cmd.Stdin, s.cmd.Stdout, s.cmd.Stderr = tty, tty, tty
	s.cmd.SysProcAttr.Setpgid = false
	s.cmd.SysProcAttr.Setsid = true
	s.cmd.SysProcAttr.Setctty = true
	s.cmd.SysProcAttr.Ctty = 0
	s.cmd.Cancel = func() error { return s.cmd.Process.Kill() }
	if err := s.cmd.Start(); err != nil {
		cancel()
		e.t.Fatal(err)
	}
	tty.Close()
	go func() {
		// Reading ends with EIO once every holder of the terminal is gone.
		_, _ = io.Copy(&s.stdout, ptmx)
		close(s.copied)
	}()
	go s.reap()
	e.t.Cleanup(s.stop)
	return s
}

func (s *session) reap() {
	s.err = s.cmd.Wait()
	close(s.done)
}

// output is what the session printed so far (stdout, or the terminal).
func (s *session) output() string { return s.stdout.String() }

func (s *session) write(text string) {
	s.e.t.Helper()
	w := io.Writer(s.ptmx)
	if _, err := w.Write([]byte(text)); err != nil {
		s.e.t.Fatal(err)
	}
}

// waitFor polls until the output contains text; it gives up early when
// pod has exited.
func (s *session) waitFor(timeout time.Duration, text string) bool {
	return s.waitForRegexp(timeout, regexp.MustCompile(regexp.QuoteMeta(text)))
}

func (s *session) waitForRegexp(timeout time.Duration, re *regexp.Regexp) bool {
	exited := false
	eventually(timeout, func() bool {
		select {
		case <-s.done:
			exited = true
		default:
		}
		return exited || re.MatchString(s.output())
	})
	if exited && s.copied != nil {
		select {
		case <-s.copied:
		case <-time.After(5 * time.Second):
		}
	}
	return re.MatchString(s.output())
}

// wait waits for pod to exit and returns its exit code; -1 on timeout.
func (s *session) wait(timeout time.Duration) int {
	select {
	case <-s.done:
	case <-time.After(timeout):
		return -1
	}
	if s.copied != nil {
		select {
		case <-s.copied:
		case <-time.After(5 * time.Second):
		}
	}
	var ee *exec.ExitError
	switch {
	case s.err == nil:
		return 0
	case errors.As(s.err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	default:
		return -1
	}
}

// stop kills pod if it still runs and releases the session.
func (s *session) stop() {
	select {
	case <-s.done:
	default:
		// The container's processes hold pod's stdio open: end them all.
		_ = s.cmd.Process.Kill()
		s.e.killAll()
		<-s.done
	}
	s.cancel()
	if s.ptmx != nil {
		s.ptmx.Close()
	}
}
