package runtime

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// ConsoleSocket is the unix socket the runtime sends a container's PTY
// master through (--console-socket).
type ConsoleSocket struct {
	dir string
	// Path is what --console-socket takes.
	Path string
	l    *net.UnixListener
}

// NewConsoleSocket listens on a new socket for the runtime to send a PTY
// master through.
func NewConsoleSocket() (*ConsoleSocket, error) {
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
	return &ConsoleSocket{dir: dir, Path: p, l: l}, nil
}

// Receive accepts the runtime's connection and returns the PTY master.
func (c *ConsoleSocket) Receive(timeout time.Duration) (*os.File, error) {
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

// Close stops listening and removes the socket.
func (c *ConsoleSocket) Close() {
	c.l.Close()
	os.RemoveAll(c.dir)
}
