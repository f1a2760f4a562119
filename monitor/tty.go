package monitor

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// consoleSocket is the unix socket the runtime sends a container's PTY
// master through (--console-socket).
type consoleSocket struct {
	dir  string
	path string
	l    *net.UnixListener
}

func newConsoleSocket() (*consoleSocket, error) {
	// A short path: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "pod-tty")
	if err != nil {
		return nil, fmt.Errorf("creating the console socket: %w", err)
	}
	p := filepath.Join(dir, "c.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("creating the console socket: %w", err)
	}
	return &consoleSocket{dir: dir, path: p, l: l}, nil
}

// receive accepts the runtime's connection and returns the PTY master.
func (c *consoleSocket) receive(timeout time.Duration) (*os.File, error) {
	_ = c.l.SetDeadline(time.Now().Add(timeout))
	conn, err := c.l.AcceptUnix()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err == nil && len(fds) > 0 {
			return os.NewFile(uintptr(fds[0]), "pty-master"), nil
		}
	}
	return nil, errors.New("the runtime sent no terminal")
}

func (c *consoleSocket) Close() {
	c.l.Close()
	os.RemoveAll(c.dir)
}

// terminal joins the user's terminal to a container's PTY: raw mode, both
// directions copied, window size followed.
type terminal struct {
	master      *os.File
	in          *os.File
	out         *os.File
	interactive bool
	oldState    *term.State
	restoreOnce sync.Once
	outDone     chan struct{}
}

func newTerminal(master, in, out *os.File, interactive bool) *terminal {
	t := &terminal{master: master, in: in, out: out, interactive: interactive, outDone: make(chan struct{})}
	t.resize()
	if interactive && term.IsTerminal(int(in.Fd())) {
		if st, err := term.MakeRaw(int(in.Fd())); err == nil {
			t.oldState = st
		}
	}
	return t
}

// start copies between the user's terminal and the PTY.
func (t *terminal) start() {
	go func() {
		_, _ = io.Copy(t.out, t.master)
		close(t.outDone)
	}()
	if t.interactive {
		go func() {
			_, _ = io.Copy(t.master, t.in)
			// End of input: send the terminal's end-of-file, as a user would.
			_, _ = t.master.Write([]byte{4})
		}()
	}
}

// resize gives the PTY the size of the user's terminal.
func (t *terminal) resize() {
	for _, f := range []*os.File{t.in, t.out} {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			_ = unix.IoctlSetWinsize(int(t.master.Fd()), unix.TIOCSWINSZ, ws)
			return
		}
	}
}

// drain waits for the container's last output to be copied.
func (t *terminal) drain(timeout time.Duration) {
	select {
	case <-t.outDone:
	case <-time.After(timeout):
	}
}

func (t *terminal) restore() {
	t.restoreOnce.Do(func() {
		if t.oldState != nil {
			_ = term.Restore(int(t.in.Fd()), t.oldState)
		}
	})
}
