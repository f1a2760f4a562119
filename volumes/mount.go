package volumes

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/storage"
)

// Mount makes volume name's data reachable and returns its path (pod
// volume mount): a tmpfs volume is mounted in pod's mount namespace (if it
// is not yet), a bind volume gives its device directory, any other its
// data directory.
func Mount(s *Store, name string) (string, error) {
	unlock, err := s.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	v, err := s.Get(name)
	if err != nil {
		return "", err
	}
	switch v.Options["type"] {
	case "tmpfs":
		if err := mountTmpfs(v); err != nil {
			return "", err
		}
	case "none":
		return v.Options["device"], nil
	}
	return v.Mountpoint, nil
}

// Unmount undoes pod volume mount: a tmpfs volume that no running
// container uses is unmounted, which drops its content, as the end of
// pod's mount namespace would; other volumes have nothing mounted.
func Unmount(st storage.Store, s *Store, name string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	v, err := s.Get(name)
	if err != nil {
		return err
	}
	if v.Options["type"] != "tmpfs" {
		return nil
	}
	users, err := Users(st, name)
	if err != nil {
		return err
	}
	if err := CheckNotRunning(name, users); err != nil {
		return err
	}
	if err := unix.Unmount(v.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("unmounting volume %s: %w", name, err)
	}
	return nil
}
