package monitor

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/pod-project/pod/monitor/protocol"
	"github.com/sirupsen/logrus"
)

// attachServer serves attach clients of one container.
type attachServer struct {
	l    *net.UnixListener
	path string
	out  *outputs
	in   *inputs
	mu   sync.Mutex
	conn map[*attachClient]struct{}
}

func listenAttach(runtimeDir, id string, out *outputs, in *inputs) (*attachServer, error) {
	dir := protocol.AttachSocketDir(runtimeDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	real := filepath.Join(dir, id)
	_ = os.Remove(real)
	p, d, err := protocol.ShortPath(dir, id)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		return nil, err
	}
	l.SetUnlinkOnClose(false)
	a := &attachServer{l: l, path: real, out: out, in: in, conn: map[*attachClient]struct{}{}}
	go a.serve()
	return a, nil
}

func (a *attachServer) serve() {
	for {
		c, err := a.l.AcceptUnix()
		if err != nil {
			return
		}
		ac := newAttachClient(c)
		a.mu.Lock()
		a.conn[ac] = struct{}{}
		a.mu.Unlock()
		a.out.addClient(ac)
		go ac.writeLoop()
		go a.readLoop(ac)
	}
}

// readLoop passes a client's input and resizes to the container.
func (a *attachServer) readLoop(ac *attachClient) {
	defer a.drop(ac)
	for {
		typ, p, err := protocol.ReadFrame(ac.c)
		if err != nil {
			return
		}
		switch typ {
		case protocol.FrameStdin:
			_, _ = a.in.Write(p)
		case protocol.FrameEOF:
			a.in.closeStdin()
		case protocol.FrameResize:
			var rows, cols uint16
			if f := strings.Fields(string(p)); len(f) == 2 {
				r, _ := strconv.Atoi(f[0])
				c, _ := strconv.Atoi(f[1])
				rows, cols = uint16(r), uint16(c)
			}
			a.in.resize(rows, cols)
		}
	}
}

func (a *attachServer) drop(ac *attachClient) {
	a.out.removeClient(ac)
	a.mu.Lock()
	delete(a.conn, ac)
	a.mu.Unlock()
	ac.close()
}

// exited tells every client the exit code and lets them go: they leave
// the server's set at once (a client still draining its last frames when
// a restarted container exits again is not told twice), and their
// connection closes once what was queued for them is written.
func (a *attachServer) exited(code int) {
	if a == nil {
		return
	}
	a.mu.Lock()
	clients := make([]*attachClient, 0, len(a.conn))
	for c := range a.conn {
		clients = append(clients, c)
		delete(a.conn, c)
	}
	a.mu.Unlock()
	for _, c := range clients {
		a.out.removeClient(c)
		c.send(protocol.FrameExit, []byte(strconv.Itoa(code)))
		c.finish()
	}
}

func (a *attachServer) close() {
	if a == nil {
		return
	}
	a.l.Close()
	if err := os.Remove(a.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		logrus.Debugf("removing the attach socket: %v", err)
	}
}

type frame struct {
	typ byte
	p   []byte
}

// attachClient is one connection; output is queued so that a slow client
// never holds the container up (it loses output instead).
type attachClient struct {
	c      *net.UnixConn
	frames chan frame
	done   chan struct{}
	once   sync.Once
	// mu guards finished: once frames is closed, nothing is sent on it.
	mu       sync.Mutex
	finished bool
}

func newAttachClient(c *net.UnixConn) *attachClient {
	return &attachClient{c: c, frames: make(chan frame, 256), done: make(chan struct{})}
}

// send queues a frame; a full queue (a slow client) or a finished client
// drops it.
func (c *attachClient) send(typ byte, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished {
		return
	}
	select {
	case c.frames <- frame{typ, append([]byte(nil), p...)}:
	case <-c.done:
	default:
	}
}

func (c *attachClient) writeLoop() {
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.close()
				return
			}
			if protocol.WriteFrame(c.c, f.typ, f.p) != nil {
				c.close()
				return
			}
		case <-c.done:
			return
		}
	}
}

// finish closes the client once its queued frames are written.
func (c *attachClient) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.finished {
		c.finished = true
		close(c.frames)
	}
}

func (c *attachClient) close() {
	c.once.Do(func() {
		close(c.done)
		c.c.Close()
	})
}
