package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/pod-project/pod/monitor/protocol"
)

// ErrDetached: the user typed the detach keys; the container runs on.
var ErrDetached = errors.New("detached from the container")

// DefaultDetachKeys are Docker's: Ctrl-P, Ctrl-Q.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// AttachOptions say how pod attach joins the user to a running container.
type AttachOptions struct {
	Stdin, Stdout, Stderr *os.File
	// NoStdin leaves the container's stdin alone.
	NoStdin bool
	// DetachKeys end the attachment when typed (ParseDetachKeys); empty
	// never detaches.
	DetachKeys []byte
	// SigProxy passes the signals pod gets to the container (not with a
	// terminal, where keys reach it as bytes).
	SigProxy bool
}

// ParseDetachKeys reads Docker's --detach-keys: comma-separated keys, each
// a single character or ctrl-X (X a letter or one of @[\]^_).
func ParseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	var out []byte
	for _, k := range strings.Split(s, ",") {
		switch {
		case len(k) == 1:
			out = append(out, k[0])
		case strings.HasPrefix(strings.ToLower(k), "ctrl-") && len(k) == 6:
			c := k[5]
			switch {
			case c >= 'a' && c <= 'z':
				out = append(out, c-'a'+1)
			case c >= 'A' && c <= 'Z':
				out = append(out, c-'A'+1)
			case strings.IndexByte("@[\\]^_", c) >= 0:
				out = append(out, c-'@')
			default:
				return nil, fmt.Errorf("invalid detach key %q: ctrl- takes a letter or one of @[\\]^_", k)
			}
		default:
			return nil, fmt.Errorf("invalid detach key %q: use a character or ctrl-X, comma-separated", k)
		}
	}
	return out, nil
}

// detachScanner passes input through until it sees the detach keys; a
// partial match is held back until it is clear whether it completes.
type detachScanner struct {
	keys    []byte
	matched int
}

// scan returns the bytes to pass on and whether the keys were typed.
func (d *detachScanner) scan(p []byte) ([]byte, bool) {
	if len(d.keys) == 0 {
		return p, false
	}
	out := make([]byte, 0, len(p)+d.matched)
	for _, b := range p {
		if b == d.keys[d.matched] {
			d.matched++
			if d.matched == len(d.keys) {
				return out, true
			}
			continue
		}
		out = append(out, d.keys[:d.matched]...)
		d.matched = 0
		if b == d.keys[0] {
			d.matched = 1
			continue
		}
		out = append(out, b)
	}
	return out, false
}

// Attach joins the user's stdio to the running container target through
// its monitor and returns the container's exit code when it exits, or
// ErrDetached.
func (h *Host) Attach(ctx context.Context, target string, o AttachOptions) (int, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return 0, err
	}
	cfg := &rec.Config
	if !rec.Running() {
		return 0, fmt.Errorf("you cannot attach to a stopped container %s: start it first", cfg.Name)
	}
	if v := rec.State.MonitorProtocol; v > protocol.Version {
		return 0, fmt.Errorf("container %s runs under the monitor of a newer pod (protocol %d, this pod speaks %d): attach with that pod", cfg.Name, v, protocol.Version)
	}
	p, d, err := protocol.ShortPath(protocol.AttachSocketDir(h.RuntimeDir), cfg.ID)
	if err != nil {
		return 0, fmt.Errorf("attaching to %s: its monitor has no attach socket: %w", cfg.Name, err)
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: p, Net: "unix"})
	d.Close()
	if err != nil {
		return 0, fmt.Errorf("attaching to %s: %w", cfg.Name, err)
	}
	defer conn.Close()
	withStdin := !o.NoStdin && cfg.Interactive && o.Stdin != nil
	if cfg.Tty && withStdin && term.IsTerminal(int(o.Stdin.Fd())) {
		if old, err := term.MakeRaw(int(o.Stdin.Fd())); err == nil {
			defer func() { _ = term.Restore(int(o.Stdin.Fd()), old) }()
		}
	}
	sigs := make(chan os.Signal, 16)
	if cfg.Tty {
		signal.Notify(sigs, syscall.SIGWINCH)
		sendSize(conn, o.Stdin, o.Stdout)
	} else if o.SigProxy {
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	}
	defer signal.Stop(sigs)
	detached := make(chan struct{})
	if withStdin {
		go copyStdin(conn, o.Stdin, o.DetachKeys, detached)
	}
	result := make(chan attachResult, 1)
	go func() { result <- readOutput(conn, o.Stdout, o.Stderr) }()
	for {
		select {
		case <-detached:
			return 0, ErrDetached
		case r := <-result:
			return r.code, r.err
		case s := <-sigs:
			if s == syscall.SIGWINCH {
				sendSize(conn, o.Stdin, o.Stdout)
				continue
			}
			if err := rec.Reload(); err == nil && rec.Running() {
				_ = unix.Kill(rec.State.Pid, s.(syscall.Signal))
			}
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

type attachResult struct {
	code int
	err  error
}

func readOutput(conn *net.UnixConn, stdout, stderr *os.File) attachResult {
	for {
		typ, p, err := protocol.ReadFrame(conn)
		if err != nil {
			return attachResult{err: fmt.Errorf("the container's monitor went away: %w", err)}
		}
		switch typ {
		case protocol.FrameStdout:
			_, _ = stdout.Write(p)
		case protocol.FrameStderr:
			_, _ = stderr.Write(p)
		case protocol.FrameExit:
			code, _ := strconv.Atoi(string(p))
			return attachResult{code: code}
		}
	}
}

func copyStdin(conn *net.UnixConn, stdin *os.File, keys []byte, detached chan struct{}) {
	ds := &detachScanner{keys: keys}
	buf := make([]byte, 4096)
	for {
		n, err := stdin.Read(buf)
		if n > 0 {
			out, detach := ds.scan(buf[:n])
			if len(out) > 0 && protocol.WriteFrame(conn, protocol.FrameStdin, out) != nil {
				return
			}
			if detach {
				close(detached)
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func sendSize(conn *net.UnixConn, files ...*os.File) {
	for _, f := range files {
		if f == nil {
			continue
		}
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			_ = protocol.WriteFrame(conn, protocol.FrameResize, []byte(fmt.Sprintf("%d %d", ws.Row, ws.Col)))
			return
		}
	}
}
