package protocol

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// The attach protocol on the monitor's unix socket: frames of one type
// byte, a big-endian uint32 length and the payload.
const (
	FrameStdin  byte = 0 // client → monitor: input
	FrameStdout byte = 1 // monitor → client: output
	FrameStderr byte = 2
	FrameExit   byte = 3 // monitor → client: the exit code, in decimal
	FrameEOF    byte = 4 // client → monitor: end of input
	FrameResize byte = 5 // client → monitor: "ROWS COLS"
)

// maxFrame bounds a frame's payload.
const maxFrame = 1 << 20

// WriteFrame writes one frame.
func WriteFrame(w io.Writer, typ byte, p []byte) error {
	hdr := make([]byte, 5, 5+len(p))
	hdr[0] = typ
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(p)))
	_, err := w.Write(append(hdr, p...))
	return err
}

// ReadFrame reads one frame.
func ReadFrame(r io.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("attach: a frame of %d bytes", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	return hdr[0], p, nil
}

// AttachSocketDir is where monitors listen for attach clients.
func AttachSocketDir(runtimeDir string) string { return filepath.Join(runtimeDir, "attach") }

// ShortPath returns a path for a socket called name in dir that stays under
// the 108-byte limit of socket addresses however long dir is: the dir is
// opened and named through /proc/self/fd. The returned file must stay open
// while the path is used.
func ShortPath(dir, name string) (string, *os.File, error) {
	d, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	return "/proc/self/fd/" + strconv.Itoa(int(d.Fd())) + "/" + name, d, nil
}
