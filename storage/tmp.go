package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/procid"
)

// tmpDir is pod's directory for temporary files inside the graph root: on
// the same filesystem as the layers, and reclaimed by the next call when
// the process that made a directory there is gone.
const tmpDir = "tmp"

// MkdirTemp makes a directory for one operation's temporary files under
// <graphRoot>/tmp, named PREFIX-PID-STARTTIME-RANDOM after the calling
// process, so that ReclaimTemp can tell when its owner is dead.
func MkdirTemp(graphRoot, prefix string) (string, error) {
	return MkdirOwned(filepath.Join(graphRoot, tmpDir), prefix)
}

// MkdirOwned makes a directory named PREFIX-PID-STARTTIME-RANDOM after the
// calling process in base (made 0700 when missing), for temporary files
// that must live on another filesystem than the graph root's tmp/ (next
// to what they replace); ReclaimOwned(base) removes it once its owner is
// dead. Nothing else may be kept in base.
func MkdirOwned(base, prefix string) (string, error) {
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("creating pod's temporary directory: %w", err)
	}
	d, err := os.MkdirTemp(base, prefix+"-"+procid.Self().String()+"-")
	if err != nil {
		return "", fmt.Errorf("creating pod's temporary directory: %w", err)
	}
	return d, nil
}

// tempOwner returns the process that made the temporary directory name.
func tempOwner(name string) (procid.ID, bool) {
	// PREFIX-PID-STARTTIME-RANDOM; PREFIX may hold dashes itself.
	parts := strings.Split(name, "-")
	if len(parts) < 4 {
		return procid.ID{}, false
	}
	id, err := procid.ParseString(parts[len(parts)-3] + "-" + parts[len(parts)-2])
	return id, err == nil
}

// ReclaimTemp removes the temporary directories under graphRoot whose
// owner is no longer running (killed, or from an earlier boot), and
// returns what it removed.
func ReclaimTemp(graphRoot string) ([]string, error) {
	return ReclaimOwned(filepath.Join(graphRoot, tmpDir))
}

// ReclaimOwned removes the entries of base (made by MkdirOwned) whose owner
// is no longer running, and those whose name names no owner, and returns
// what it removed. A missing base is nothing to reclaim.
func ReclaimOwned(base string) ([]string, error) {
	dead, err := deadOwned(base)
	var removed []string
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range dead {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// DeadTemp lists the temporary directories under graphRoot whose owner is
// no longer running.
func DeadTemp(graphRoot string) ([]string, error) {
	return deadOwned(filepath.Join(graphRoot, tmpDir))
}

// deadOwned lists the entries of base whose owner is no longer running
// (or that name none).
func deadOwned(base string) ([]string, error) {
	entries, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dead []string
	for _, e := range entries {
		if owner, ok := tempOwner(e.Name()); ok && owner.Alive() {
			continue
		}
		dead = append(dead, filepath.Join(base, e.Name()))
	}
	return dead, nil
}

// PublishFile puts src, a finished file in one of pod's temporary
// directories, at dst, the user's destination (save -o), with src's
// permission bits. On one filesystem that is a rename. Across
// filesystems the content is copied into an unnamed file in dst's
// directory (O_TMPFILE), which is linked in only when complete: a kill
// leaves neither half a dst nor a file beside it. (Replacing an existing
// dst takes a link under a temporary name and a rename over dst, two
// system calls apart; where O_TMPFILE is not supported, a named temporary
// file beside dst is removed unless the process is killed.) A dst that
// exists and is no regular file, such as a FIFO or /dev/stdout, is
// written into.
func PublishFile(src, dst string) error {
	fi, err := os.Stat(dst)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("%s is a directory", dst)
	case err == nil && !fi.Mode().IsRegular():
		return copyInto(src, dst)
	}
	err = os.Rename(src, dst)
	if !errors.Is(err, unix.EXDEV) {
		return err
	}
	return publishCopy(src, dst)
}

// publishCopy copies src to dst through an unnamed file in dst's
// directory, as PublishFile describes.
func publishCopy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	dir := filepath.Dir(dst)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return publishNamed(in, st.Mode().Perm(), dst)
	}
	out := os.NewFile(uintptr(fd), dst)
	defer out.Close()
	if err := fillFile(out, in, st.Mode().Perm()); err != nil {
		return err
	}
	proc := fmt.Sprintf("/proc/self/fd/%d", out.Fd())
	err = unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
	if !errors.Is(err, unix.EEXIST) {
		return err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(dst)+".pod-"+procid.Self().String())
	if err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// publishNamed copies in to dst through a named temporary file beside it.
func publishNamed(in *os.File, perm os.FileMode, dst string) error {
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".pod-"+procid.Self().String()+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	if err := fillFile(out, in, perm); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(out.Name(), dst)
}

// fillFile copies in to out, gives out perm and syncs it.
func fillFile(out, in *os.File, perm os.FileMode) error {
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	if err := out.Chmod(perm); err != nil {
		return err
	}
	return out.Sync()
}

// copyInto writes src into the existing non-regular file dst.
func copyInto(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
