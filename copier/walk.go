package copier

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// ExcludeFunc says whether the entry at rel (slash-separated, relative
// to the copy's source) is left out; an excluded directory is left out
// with everything in it.
type ExcludeFunc func(rel string, isDir bool) (bool, error)

// walker reads a tree inside a root as a stream of tar headers: names
// relative to the source ("" for the source itself), hard links within
// the tree as links to the first name, never following a symbolic link.
type walker struct {
	exclude ExcludeFunc
	devices bool
	links   map[[2]uint64]string
	// emit receives each entry; a regular file's content is readable
	// until emit returns.
	emit func(h *tar.Header, content io.Reader) error
}

// walk reads src, a path inside root whose last element is not followed.
func (w *walker) walk(root, src string) error {
	r, err := openRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	dir, name := splitPath(clean(src))
	parent, err := pathrs.OpenatInRoot(r, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", src, unwrapPathError(err))
	}
	defer parent.Close()
	w.links = map[[2]uint64]string{}
	var st unix.Stat_t
	if err := unix.Fstatat(int(parent.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	return w.visit(int(parent.Fd()), name, "", &st)
}

// visit emits the entry name in dirfd, stated as st, and what is in it.
func (w *walker) visit(dirfd int, name, rel string, st *unix.Stat_t) error {
	h := &tar.Header{
		Name: rel, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()), AccessTime: time.Unix(st.Atim.Unix()),
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return w.file(dirfd, name, st, h)
	case unix.S_IFDIR:
		return w.dir(dirfd, name, h)
	case unix.S_IFLNK:
		target, err := readlinkat(dirfd, name)
		if err != nil {
			return fmt.Errorf("%s: %w", displayName(rel, name), err)
		}
		h.Typeflag, h.Linkname = tar.TypeSymlink, target
	case unix.S_IFIFO:
		h.Typeflag = tar.TypeFifo
	case unix.S_IFCHR, unix.S_IFBLK:
		if !w.devices {
			return nil
		}
		h.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			h.Typeflag = tar.TypeBlock
		}
		h.Devmajor, h.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	default:
		return nil // a socket is no content
	}
	return w.emit(h, nil)
}

func (w *walker) file(dirfd int, name string, st *unix.Stat_t, h *tar.Header) error {
	h.Typeflag = tar.TypeReg
	rel := h.Name // emit may rename h
	if st.Nlink > 1 {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := w.links[key]; ok {
			h.Typeflag, h.Linkname = tar.TypeLink, first
			return w.emit(h, nil)
		}
		w.links[key] = rel
	}
	// O_NONBLOCK: a FIFO swapped in since the stat must not block the open.
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(h.Name, name), err)
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	var now unix.Stat_t
	if err := unix.Fstat(fd, &now); err != nil {
		return err
	}
	if now.Mode&unix.S_IFMT != unix.S_IFREG || now.Ino != st.Ino || now.Dev != st.Dev {
		return fmt.Errorf("%s: changed while being copied", displayName(h.Name, name))
	}
	h.Size = now.Size
	if err := readXattrs(fd, h); err != nil {
		return fmt.Errorf("%s: %w", displayName(h.Name, name), err)
	}
	return w.emit(h, io.LimitReader(f, h.Size))
}

func (w *walker) dir(dirfd int, name string, h *tar.Header) error {
	h.Typeflag = tar.TypeDir
	rel := h.Name // emit may rename h
	fd, err := openDirNoFollow(dirfd, name)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(h.Name, name), err)
	}
	d := os.NewFile(uintptr(fd), name)
	defer d.Close()
	if err := readXattrs(fd, h); err != nil {
		return fmt.Errorf("%s: %w", displayName(rel, name), err)
	}
	if err := w.emit(h, nil); err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(rel, name), err)
	}
	sort.Strings(names)
	for _, n := range names {
		rel := path.Join(rel, n)
		var st unix.Stat_t
		if err := unix.Fstatat(fd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if w.exclude != nil {
			skip, err := w.exclude(rel, st.Mode&unix.S_IFMT == unix.S_IFDIR)
			if err != nil {
				return err
			}
			if skip {
				continue
			}
		}
		if err := w.visit(fd, n, rel, &st); err != nil {
			return err
		}
	}
	return nil
}

func displayName(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel
}

func readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
