package volumes

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// copyUp copies the directory dst of the root filesystem rootfs into the
// empty directory data, keeping owners, modes and times. dst is resolved
// inside rootfs (a symlink cannot lead out of it), and the walk never
// follows a symlink: links are copied as links. Nothing is copied when
// data is not empty or dst is not a directory in rootfs.
func copyUp(rootfs, dst, data string) error {
	if rootfs == "" {
		return nil
	}
	empty, err := isEmptyDir(data)
	if err != nil || !empty {
		return err
	}
	src, err := securejoin.SecureJoin(rootfs, dst)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil || !fi.IsDir() {
		return err
	}
	c := copier{links: map[[2]uint64]string{}}
	if err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		return c.copyEntry(p, filepath.Join(data, rel), rel == ".")
	}); err != nil {
		return err
	}
	// Directory times last: creating their entries changed them.
	for i := len(c.dirs) - 1; i >= 0; i-- {
		setTimes(c.dirs[i].path, c.dirs[i].st)
	}
	return nil
}

type copier struct {
	links map[[2]uint64]string
	dirs  []struct {
		path string
		st   unix.Stat_t
	}
}

// copyEntry copies one entry src to dst (dst exists already when root).
func (c *copier) copyEntry(src, dst string, root bool) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return err
	}
	mode := os.FileMode(st.Mode & 0o7777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if !root {
			if err := os.Mkdir(dst, 0o700); err != nil {
				return err
			}
		}
		if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
			return err
		}
		if err := unix.Chmod(dst, st.Mode&0o7777); err != nil {
			return err
		}
		c.dirs = append(c.dirs, struct {
			path string
			st   unix.Stat_t
		}{dst, st})
		return nil
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if st.Nlink > 1 {
			if first, ok := c.links[key]; ok {
				return os.Link(first, dst)
			}
			c.links[key] = dst
		}
		if err := copyFile(src, dst, mode); err != nil {
			return err
		}
	case unix.S_IFLNK:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, dst); err != nil {
			return err
		}
	case unix.S_IFIFO:
		if err := unix.Mkfifo(dst, st.Mode&0o7777); err != nil {
			return err
		}
	default:
		return nil // devices and sockets are not volume content
	}
	if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		// After chown, which clears setuid and setgid bits.
		if err := unix.Chmod(dst, st.Mode&0o7777); err != nil {
			return err
		}
	}
	setTimes(dst, st)
	return nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.OpenFile(src, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, mode&0o777)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func setTimes(p string, st unix.Stat_t) {
	ts := []unix.Timespec{st.Atim, st.Mtim}
	_ = unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return false, err
}

// chownTree gives root and everything under it to uid:gid, never following
// a symlink (links themselves are chowned).
func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", p, err)
		}
		return nil
	})
}
