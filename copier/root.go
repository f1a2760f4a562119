package copier

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// openRoot opens the directory every path of one operation is resolved
// in.
func openRoot(root string) (*os.File, error) {
	f, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", root, err)
	}
	return f, nil
}

// clean makes p an absolute, clean path inside a root: "..", however
// many, stops at the root.
func clean(p string) string { return path.Clean("/" + filepath.ToSlash(p)) }

// Resolve returns p, a path inside root, with every symbolic link on it
// resolved as if root were "/": the clean absolute path, inside root,
// that p leads to. A missing part is taken as it is.
func Resolve(root, p string) (string, error) {
	host, err := securejoin.SecureJoin(root, clean(p))
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", p, err)
	}
	rel, err := filepath.Rel(root, host)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("resolving %s: %s is outside %s", p, host, root)
	}
	return clean(rel), nil
}

// Lstat describes p, a path inside root: the links on the way to it are
// resolved inside root, p itself is not followed.
func Lstat(root, p string) (fs.FileInfo, error) {
	r, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	p = clean(p)
	dir, name := splitPath(p)
	parent, err := pathrs.OpenatInRoot(r, dir)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: unwrapPathError(err)}
	}
	defer parent.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(parent.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	return statInfo{name: path.Base(p), st: st}, nil
}

// Stat is Lstat of p with p itself followed too (inside root).
func Stat(root, p string) (fs.FileInfo, error) {
	r, err := Resolve(root, p)
	if err != nil {
		return nil, err
	}
	return Lstat(root, r)
}

// unwrapPathError returns the system error in a pathrs error, whose
// own path is the one inside the root.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// splitPath splits a clean absolute path into its parent and its last
// element; the root itself is ("/", ".").
func splitPath(p string) (dir, name string) {
	if p == "/" {
		return "/", "."
	}
	return path.Dir(p), path.Base(p)
}

// statInfo is an fs.FileInfo from a stat the copier made itself.
type statInfo struct {
	name string
	st   unix.Stat_t
}

func (i statInfo) Name() string       { return i.name }
func (i statInfo) Size() int64        { return i.st.Size }
func (i statInfo) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i statInfo) IsDir() bool        { return i.st.Mode&unix.S_IFMT == unix.S_IFDIR }
func (i statInfo) Sys() any           { return &i.st }
func (i statInfo) Mode() fs.FileMode  { return fileMode(i.st.Mode) }

// fileMode turns a stat mode into an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	return mode
}

// unixPerm turns the permission bits of an fs.FileMode into a stat mode.
func unixPerm(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		u |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		u |= unix.S_ISVTX
	}
	return u
}

// procPath names an open file through /proc, for the calls that have no
// form taking a descriptor (chmod of an O_PATH handle, times in ns).
func procPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// openDirStrict opens dir (a clean absolute path inside the root r)
// without following any symbolic link, creating what is missing when
// create is set. A link on the way is ErrUnsafe.
func openDirStrict(r *os.File, dir string, create bool) (*os.File, error) {
	fd, err := unix.Openat(int(r.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	done := "/"
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		next, err := openDirNoFollow(fd, part)
		if errors.Is(err, unix.ENOENT) && create {
			if err = unix.Mkdirat(fd, part, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
				next, err = openDirNoFollow(fd, part)
			}
		}
		if err != nil {
			var st unix.Stat_t
			if serr := unix.Fstatat(fd, part, &st, unix.AT_SYMLINK_NOFOLLOW); serr == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
				err = fmt.Errorf("reaches through the symbolic link %s: %w", path.Join(done, part), ErrUnsafe)
			} else {
				err = &fs.PathError{Op: "open", Path: path.Join(done, part), Err: err}
			}
			unix.Close(fd)
			return nil, err
		}
		unix.Close(fd)
		fd = next
		done = path.Join(done, part)
	}
	return os.NewFile(uintptr(fd), dir), nil
}

func openDirNoFollow(dirfd int, name string) (int, error) {
	return unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
}

// removeAll removes name in the directory dirfd and, for a directory,
// everything in it, never following a symbolic link.
func removeAll(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EPERM) {
		return err
	}
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	} else if !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EEXIST) {
		return err
	}
	fd, err := openDirNoFollow(dirfd, name)
	if err != nil {
		return err
	}
	d := os.NewFile(uintptr(fd), name)
	names, err := d.Readdirnames(-1)
	if err == nil {
		for _, n := range names {
			if err = removeAll(fd, n); err != nil {
				break
			}
		}
	}
	d.Close()
	if err != nil {
		return err
	}
	return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
}
