package lifecycle

import (
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

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
