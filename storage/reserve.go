package storage

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// reserveFile keeps some space of the graph root's filesystem for the
// writes that free space: storage rewrites its layers.json before it
// removes a layer's files, so on a full disk nothing could be removed
// without it.
const (
	reserveFile = "pod-reserve"
	reserveSize = 8 << 20
)

// EnsureReserve makes the reserve in graphRoot when it is missing and
// there is room for it (best effort: on a full disk it waits for space).
func EnsureReserve(graphRoot string) {
	p := filepath.Join(graphRoot, reserveFile)
	if fi, err := os.Stat(p); err == nil && fi.Size() >= reserveSize {
		return
	}
	tmp := p + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	err = unix.Fallocate(int(f.Fd()), 0, 0, reserveSize)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
}

// IsNoSpace reports whether err is a full disk (or quota).
func IsNoSpace(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT)
}

// WithReserve runs fn, and when it fails for want of space, releases the
// graph root's reserve and runs it once more. The next call remakes the
// reserve once there is room.
func WithReserve(graphRoot string, fn func() error) error {
	err := fn()
	if err == nil || !IsNoSpace(err) {
		return err
	}
	if os.Remove(filepath.Join(graphRoot, reserveFile)) != nil {
		return err
	}
	return fn()
}
