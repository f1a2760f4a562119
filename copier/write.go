package copier

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// Owner is a numeric user and group.
type Owner struct{ UID, GID int }

// WriteOptions say how entries are written into a tree. The zero value
// keeps each entry's owner and mode, skips device nodes, replaces
// whatever is at an entry's place (merging directories) and fails on an
// owner the user namespace does not map.
type WriteOptions struct {
	// Owner, when set, owns every entry written (COPY --chown, pod cp
	// without -a); nil keeps each entry's own.
	Owner *Owner
	// Mode, when set, is the permission bits (with setuid, setgid and
	// sticky) of every entry written but symbolic links (COPY --chmod).
	Mode *fs.FileMode
	// Devices makes device nodes, skipping those the process may not make
	// (in a user namespace); without it they are skipped. FIFOs are always
	// made; sockets never.
	Devices bool
	// NoReplaceDir refuses to replace an existing directory with a
	// non-directory (ErrReplaceDir); otherwise the directory is removed.
	NoReplaceDir bool
	// KeepUnmappedOwner leaves an entry whose owner the user namespace
	// does not map with the writer's own owner; otherwise that is an error.
	KeepUnmappedOwner bool
}

// writer writes entries, given as tar headers, under dir inside root.
type writer struct {
	root     *os.File
	rootPath string
	dir      string // clean absolute path inside root
	o        WriteOptions
	strict   bool // no symbolic link on the way to an entry
	// keepDirMeta: an existing directory at dir keeps its owner, mode and
	// times when an entry for dir itself comes.
	keepDirMeta bool
	dirs        []dirMeta
	// last is the directory the last entry went into (at lastPath), kept
	// open for the next entry; dropped whenever anything is removed, as a
	// removal may change where lastPath leads.
	last     *os.File
	lastPath string
}

// dirMeta is a directory's mode and times, set when everything in it is
// written.
type dirMeta struct {
	path         string
	mode         uint32
	atime, mtime time.Time
}

func newWriter(root, dir string, o WriteOptions) (*writer, error) {
	r, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	return &writer{root: r, rootPath: root, dir: clean(dir), o: o}, nil
}

func (w *writer) close() {
	w.dropLast()
	w.root.Close()
}

func (w *writer) dropLast() {
	if w.last != nil {
		w.last.Close()
	}
	w.last, w.lastPath = nil, ""
}

// entryDir is the directory that holds p, made when missing: the one the
// last entry went into when that is it. The writer owns the handle.
func (w *writer) entryDir(p string) (*os.File, error) {
	dir := path.Dir(p)
	if w.last != nil && w.lastPath == dir {
		return w.last, nil
	}
	w.dropLast()
	f, err := w.parent(p, true)
	if err != nil {
		return nil, err
	}
	w.last, w.lastPath = f, dir
	return f, nil
}

// entryPath is where an entry named name goes: a clean absolute path
// inside the root. A name that climbs above dir is ErrUnsafe, and so
// is, when strict, an absolute one or one with a ".." element.
func (w *writer) entryPath(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("NUL in the name: %w", ErrUnsafe)
	}
	if w.strict {
		if strings.HasPrefix(name, "/") {
			return "", fmt.Errorf("absolute path: %w", ErrUnsafe)
		}
		for _, el := range strings.Split(name, "/") {
			if el == ".." {
				return "", fmt.Errorf(".. in the path: %w", ErrUnsafe)
			}
		}
	}
	if c := path.Clean(name); c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("leaves the destination: %w", ErrUnsafe)
	}
	return path.Join(w.dir, clean(name)), nil
}

// parent opens the directory that holds p (created when missing), with
// the links on the way resolved inside the root (or refused, strict).
func (w *writer) parent(p string, create bool) (*os.File, error) {
	dir := path.Dir(p)
	if w.strict {
		return openDirStrict(w.root, dir, create)
	}
	if !create {
		f, err := pathrs.OpenatInRoot(w.root, dir)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: dir, Err: unwrapPathError(err)}
		}
		return f, nil
	}
	f, err := pathrs.MkdirAllHandle(w.root, dir, 0o755)
	if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		// A dangling link on the way: make what it points to (inside the
		// root), as a path resolved with SecureJoin would.
		if rdir, rerr := Resolve(w.rootPath, dir); rerr == nil && rdir != dir {
			f, err = pathrs.MkdirAllHandle(w.root, rdir, 0o755)
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "mkdir", Path: dir, Err: unwrapPathError(err)}
	}
	return f, nil
}

// put writes one entry; content holds a regular file's data.
func (w *writer) put(h *tar.Header, content io.Reader) error {
	p, err := w.entryPath(h.Name)
	if err != nil {
		return err
	}
	if p == "/" {
		return w.putRoot(h)
	}
	typ := h.Typeflag
	switch typ {
	case tar.TypeReg, tar.TypeGNUSparse:
		typ = tar.TypeReg
	case tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeFifo:
	case tar.TypeChar, tar.TypeBlock:
		if !w.o.Devices {
			logrus.Debugf("copier: skipping the device node %s", h.Name)
			return nil
		}
	default:
		logrus.Debugf("copier: skipping %s (tar type %q)", h.Name, typ)
		return nil
	}
	var link *linkTarget
	if typ == tar.TypeLink {
		if link, err = w.linkTarget(h.Linkname); err != nil {
			return err
		}
		defer link.dir.Close()
	}
	parent, err := w.entryDir(p)
	if err != nil {
		return err
	}
	pfd, name := int(parent.Fd()), path.Base(p)
	if done, err := w.clear(pfd, name, typ, link); done || err != nil {
		return err
	}
	switch typ {
	case tar.TypeDir:
		return w.putDir(pfd, name, p, h)
	case tar.TypeReg:
		return w.putFile(pfd, name, h, content)
	case tar.TypeLink:
		return unix.Linkat(int(link.dir.Fd()), link.name, pfd, name, 0)
	case tar.TypeSymlink:
		if err := unix.Symlinkat(h.Linkname, pfd, name); err != nil {
			return err
		}
	case tar.TypeFifo:
		if err := unix.Mknodat(pfd, name, unix.S_IFIFO|0o600, 0); err != nil {
			return err
		}
	case tar.TypeChar, tar.TypeBlock:
		kind := uint32(unix.S_IFCHR)
		if typ == tar.TypeBlock {
			kind = unix.S_IFBLK
		}
		dev := unix.Mkdev(uint32(h.Devmajor), uint32(h.Devminor))
		if err := unix.Mknodat(pfd, name, kind|0o600, int(dev)); err != nil {
			if errors.Is(err, unix.EPERM) {
				logrus.Debugf("copier: cannot make the device node %s here, skipped", h.Name)
				return nil
			}
			return err
		}
	}
	return w.putMeta(pfd, name, h)
}

// linkTarget is the existing entry a hard link links to.
type linkTarget struct {
	dir  *os.File
	name string
	st   unix.Stat_t
}

// linkTarget finds a hard link's target, named like an entry; it must
// be inside the destination and must not be a directory.
func (w *writer) linkTarget(linkname string) (*linkTarget, error) {
	p, err := w.entryPath(linkname)
	if err != nil {
		return nil, fmt.Errorf("hard link to %q: %w", linkname, err)
	}
	if p == "/" {
		return nil, fmt.Errorf("hard link to the root directory")
	}
	dir, err := w.parent(p, false)
	if err != nil {
		return nil, fmt.Errorf("hard link to %q: %w", linkname, err)
	}
	t := &linkTarget{dir: dir, name: path.Base(p)}
	if err := unix.Fstatat(int(dir.Fd()), t.name, &t.st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		dir.Close()
		return nil, fmt.Errorf("hard link to %q: %w", linkname, err)
	}
	if t.st.Mode&unix.S_IFMT == unix.S_IFDIR {
		dir.Close()
		return nil, fmt.Errorf("hard link to the directory %q", linkname)
	}
	return t, nil
}

// clear makes room for an entry of type typ at name in pfd: an existing
// directory stays for a directory, anything else is removed. done
// reports that the entry is already there (a hard link to itself).
func (w *writer) clear(pfd int, name string, typ byte, link *linkTarget) (done bool, err error) {
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); errors.Is(err, unix.ENOENT) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	switch {
	case isDir && typ == tar.TypeDir:
		return false, nil
	case link != nil && st.Dev == link.st.Dev && st.Ino == link.st.Ino:
		return true, nil
	case isDir && w.o.NoReplaceDir:
		return false, ErrReplaceDir
	}
	// Where the next entries' directories are may change: the handle
	// stays open for this entry only.
	w.lastPath = ""
	return false, removeAll(pfd, name)
}

// putRoot applies a directory entry for the root itself: the root cannot
// be replaced, only given the entry's owner, mode and times.
func (w *writer) putRoot(h *tar.Header) error {
	if h.Typeflag != tar.TypeDir {
		return fmt.Errorf("cannot replace the root directory with a non-directory")
	}
	if w.keepDirMeta {
		return nil
	}
	fd, err := unix.Openat(int(w.root.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return w.dirOwnerAndMeta(fd, "/", h)
}

func (w *writer) putDir(pfd int, name, p string, h *tar.Header) error {
	if err := unix.Mkdirat(pfd, name, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return err
	} else if err != nil && p == w.dir && w.keepDirMeta {
		return nil
	}
	fd, err := openDirNoFollow(pfd, name)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return w.dirOwnerAndMeta(fd, p, h)
}

// dirOwnerAndMeta gives the open directory fd (at p) its owner and
// xattrs now, and its mode and times once the copy is done (writing into
// it would change them).
func (w *writer) dirOwnerAndMeta(fd int, p string, h *tar.Header) error {
	if err := w.chown(fd, "", unix.AT_EMPTY_PATH, h); err != nil {
		return err
	}
	if err := setXattrs(fd, "", h); err != nil {
		return err
	}
	w.dirs = append(w.dirs, dirMeta{path: p, mode: w.mode(h), atime: h.AccessTime, mtime: h.ModTime})
	return nil
}

func (w *writer) putFile(pfd int, name string, h *tar.Header, content io.Reader) error {
	fd, err := unix.Openat(pfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if h.Size > 0 {
		// content ends where the entry does: a tar reader (whose WriteTo
		// leaves a sparse file's holes unwritten) or a limited file.
		n, err := io.Copy(f, content)
		if err != nil {
			return err
		}
		if n != h.Size {
			return fmt.Errorf("%d of %d bytes: %w", n, h.Size, io.ErrUnexpectedEOF)
		}
	}
	if err := w.chown(fd, "", unix.AT_EMPTY_PATH, h); err != nil {
		return err
	}
	// After chown, which clears setuid and setgid.
	if err := unix.Fchmod(fd, w.mode(h)); err != nil {
		return err
	}
	if err := setXattrs(fd, "", h); err != nil {
		return err
	}
	if err := setTimes(fd, "", h.AccessTime, h.ModTime); err != nil {
		return err
	}
	return f.Close()
}

// putMeta gives a symbolic link, FIFO or device node just made at name
// its owner, mode, attributes and times.
func (w *writer) putMeta(pfd int, name string, h *tar.Header) error {
	if h.Typeflag == tar.TypeSymlink {
		if err := w.chown(pfd, name, unix.AT_SYMLINK_NOFOLLOW, h); err != nil {
			return err
		}
		if err := setXattrs(-1, procPath(pfd)+"/"+name, h); err != nil {
			return err
		}
		return setTimes(pfd, name, h.AccessTime, h.ModTime)
	}
	fd, err := unix.Openat(pfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := w.chown(fd, "", unix.AT_EMPTY_PATH, h); err != nil {
		return err
	}
	if err := unix.Fchmodat(unix.AT_FDCWD, procPath(fd), w.mode(h), 0); err != nil {
		return err
	}
	if err := setXattrs(-1, procPath(pfd)+"/"+name, h); err != nil {
		return err
	}
	return setTimes(fd, "", h.AccessTime, h.ModTime)
}

// mode is the permission bits an entry gets.
func (w *writer) mode(h *tar.Header) uint32 {
	if w.o.Mode != nil {
		return unixPerm(*w.o.Mode)
	}
	return uint32(h.Mode) & 0o7777
}

// chown gives name in dirfd (or dirfd itself, with AT_EMPTY_PATH) the
// entry's owner, or the one the options force.
func (w *writer) chown(dirfd int, name string, flags int, h *tar.Header) error {
	uid, gid := h.Uid, h.Gid
	if w.o.Owner != nil {
		uid, gid = w.o.Owner.UID, w.o.Owner.GID
	}
	err := unix.Fchownat(dirfd, name, uid, gid, flags|unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.EINVAL) {
		if w.o.KeepUnmappedOwner {
			logrus.Debugf("copier: %s: owner %d:%d not mapped, kept", h.Name, uid, gid)
			return nil
		}
		return fmt.Errorf("owner %d:%d is not mapped in the user namespace (check /etc/subuid and /etc/subgid): %w", uid, gid, err)
	}
	return err
}

// setTimes sets name's times in dirfd (dirfd's own with name ""), never
// following a link. An access time before the modification time is
// taken as the modification time, as Docker does.
func setTimes(dirfd int, name string, atime, mtime time.Time) error {
	if atime.Before(mtime) {
		atime = mtime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if name == "" {
		return unix.UtimesNanoAt(unix.AT_FDCWD, procPath(dirfd), ts, 0)
	}
	return unix.UtimesNanoAt(dirfd, name, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// finish gives the directories written their modes and times, deepest
// first, now that nothing more is written into them.
func (w *writer) finish() error {
	for i := len(w.dirs) - 1; i >= 0; i-- {
		d := w.dirs[i]
		var fd int
		var err error
		if d.path == "/" {
			fd, err = unix.Openat(int(w.root.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		} else {
			var parent *os.File
			if parent, err = w.parent(d.path, false); err == nil {
				fd, err = openDirNoFollow(int(parent.Fd()), path.Base(d.path))
				parent.Close()
			}
		}
		if err != nil {
			// Replaced by a later entry.
			logrus.Debugf("copier: %s: %v", d.path, err)
			continue
		}
		if err = unix.Fchmod(fd, d.mode); err == nil {
			err = setTimes(fd, "", d.atime, d.mtime)
		}
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("%s: %w", d.path, err)
		}
	}
	w.dirs = nil
	return nil
}
