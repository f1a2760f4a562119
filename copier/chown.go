package copier

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// Chown gives dir and everything under it to uid:gid (pod's :U), never
// following a symbolic link: links themselves are chowned. The setuid and
// setgid bits that chown clears are set again. A dir that is no directory
// is chowned alone.
func Chown(dir string, uid, gid int) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		if err := chownAt(unix.AT_FDCWD, dir, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("chown %s: %w", dir, err)
	}
	d := os.NewFile(uintptr(fd), dir)
	defer d.Close()
	if err := chownAt(fd, "", uid, gid); err != nil {
		return fmt.Errorf("chown %s: %w", dir, err)
	}
	return chownDir(d, dir, uid, gid)
}

func chownDir(d *os.File, name string, uid, gid int) error {
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("chown %s: %w", name, err)
	}
	fd := int(d.Fd())
	for _, n := range names {
		p := path.Join(name, n)
		if err := chownAt(fd, n, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", p, err)
		}
		sub, err := openDirNoFollow(fd, n)
		if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
			continue
		}
		if err != nil {
			return fmt.Errorf("chown %s: %w", p, err)
		}
		sd := os.NewFile(uintptr(sub), p)
		err = chownDir(sd, p, uid, gid)
		sd.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// chownAt chowns name in dirfd (dirfd itself for ""), not followed, and
// restores the setuid and setgid bits chown clears on a regular file.
func chownAt(dirfd int, name string, uid, gid int) error {
	flags := unix.AT_SYMLINK_NOFOLLOW
	if name == "" {
		flags |= unix.AT_EMPTY_PATH
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, flags); err != nil {
		return err
	}
	if err := unix.Fchownat(dirfd, name, uid, gid, flags); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&(unix.S_ISUID|unix.S_ISGID) == 0 {
		return nil
	}
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Fchmodat(unix.AT_FDCWD, procPath(fd), st.Mode&0o7777, 0)
}
