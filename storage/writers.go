package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// writersLock is held shared by every process that writes layers (pull,
// load, import, commit, build, create), and exclusively by whoever removes
// layers that no image or container references: storage commits a layer
// before the image or container that will reference it, so a layer that
// looks orphaned while a writer runs may be that writer's.
const writersLock = "writers.lock"

// HoldWriting marks the calling process as a layer writer until release is
// called or it dies (the kernel drops the lock). It waits while layers are
// being reclaimed.
func HoldWriting(graphRoot string) (release func(), err error) {
	f, err := openWritersLock(graphRoot)
	if err != nil {
		return nil, err
	}
	if err := flock(f, unix.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

// ErrWritersBusy: layer writers run; unreferenced layers may be theirs.
var ErrWritersBusy = errors.New("other pod commands are writing layers")

// HoldReclaiming takes the writers lock exclusively, without waiting:
// ErrWritersBusy while a writer runs.
func HoldReclaiming(graphRoot string) (release func(), err error) {
	f, err := openWritersLock(graphRoot)
	if err != nil {
		return nil, err
	}
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrWritersBusy
		}
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

func openWritersLock(graphRoot string) (*os.File, error) {
	if err := os.MkdirAll(graphRoot, 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(graphRoot, writersLock), os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}
