package volumes

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// Export writes the content of volume name to w as a tar, entries relative
// to the data directory, owners as numbers.
func (s *Store) Export(name string, w io.Writer) error {
	v, err := s.Get(name)
	if err != nil {
		return err
	}
	if err := writeTar(v.Mountpoint, w); err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	return nil
}

func writeTar(root string, w io.Writer) error {
	tw := tar.NewWriter(w)
	links := map[[2]uint64]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var target string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, target)
		if err != nil {
			return nil // a socket or other kind tar cannot hold
		}
		hdr.Name, hdr.Uname, hdr.Gname = filepath.ToSlash(rel), "", ""
		if fi.IsDir() {
			hdr.Name += "/"
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
			if hdr.Typeflag == tar.TypeChar || hdr.Typeflag == tar.TypeBlock {
				return nil
			}
			if fi.Mode().IsRegular() && st.Nlink > 1 {
				key := [2]uint64{st.Dev, st.Ino}
				if first, ok := links[key]; ok {
					hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
				} else {
					links[key] = hdr.Name
				}
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil
		}
		f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.CopyN(tw, f, hdr.Size)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// Import extracts the tar in r into volume name, creating the volume when
// missing. The whole archive is checked before anything is written: an
// entry with an absolute path or a ".." element, or one reaching through a
// symbolic link, is refused with ErrUnsafeArchive.
func (s *Store) Import(name string, r io.Reader) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	// Spool to a file: the archive is read twice, checked then extracted.
	tmp, err := os.CreateTemp(s.dir, ".import-*")
	if err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, r); err != nil {
		return fmt.Errorf("importing into volume %s: reading the archive: %w", name, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := checkTar(tmp); err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	v, err := s.Create(CreateOptions{Name: name, IgnoreExisting: true})
	if err != nil {
		return err
	}
	if err := extractTar(tmp, v.Mountpoint); err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	return nil
}

// entryPath cleans a tar entry name and refuses absolute names and ".."
// elements; "." is the root itself.
func entryPath(name string) (string, error) {
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("entry %q: NUL in the name: %w", name, ErrUnsafeArchive)
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("entry %q: absolute path: %w", name, ErrUnsafeArchive)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", fmt.Errorf("entry %q: .. in the path: %w", name, ErrUnsafeArchive)
		}
	}
	return path.Clean(name), nil
}

// checkTar refuses an archive with an unsafe name or hard link target, or
// an entry under a symbolic link the archive itself makes.
func checkTar(r io.Reader) error {
	tr := tar.NewReader(r)
	links := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		p, err := entryPath(hdr.Name)
		if err != nil {
			return err
		}
		for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if links[dir] {
				return fmt.Errorf("entry %q: under the symbolic link %s: %w", hdr.Name, dir, ErrUnsafeArchive)
			}
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			links[p] = true
		case tar.TypeLink:
			if _, err := entryPath(hdr.Linkname); err != nil {
				return fmt.Errorf("hard link %q: %w", hdr.Name, err)
			}
		}
	}
}

// extractTar writes the checked archive under root. Each entry's parent
// must resolve inside root with no symbolic link on the way, and an
// existing non-directory at the entry's place is replaced, never written
// through.
func extractTar(r io.Reader, root string) error {
	tr := tar.NewReader(r)
	var dirs []*tar.Header
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		p, err := entryPath(hdr.Name)
		if err != nil {
			return err
		}
		if p == "." {
			continue
		}
		dst, err := safeTarget(root, p)
		if err != nil {
			return err
		}
		if err := extractEntry(tr, hdr, root, dst); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		if hdr.Typeflag == tar.TypeDir {
			h := *hdr
			h.Name = dst
			dirs = append(dirs, &h)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = os.Chtimes(dirs[i].Name, dirs[i].AccessTime, dirs[i].ModTime)
	}
	return nil
}

// safeTarget is root/p after checking that p's parent directories are real
// directories inside root (created when missing), not symbolic links.
func safeTarget(root, p string) (string, error) {
	parent := filepath.Join(root, filepath.FromSlash(path.Dir(p)))
	resolved, err := securejoin.SecureJoin(root, filepath.FromSlash(path.Dir(p)))
	if err != nil {
		return "", err
	}
	if resolved != parent {
		return "", fmt.Errorf("entry %q: reaches through a symbolic link: %w", p, ErrUnsafeArchive)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(p)), nil
}

func extractEntry(tr *tar.Reader, hdr *tar.Header, root, dst string) error {
	mode := uint32(hdr.Mode & 0o7777)
	if fi, err := os.Lstat(dst); err == nil && !(fi.IsDir() && hdr.Typeflag == tar.TypeDir) {
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(dst, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	case tar.TypeReg:
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	case tar.TypeSymlink:
		return lchown(dst, hdr, os.Symlink(hdr.Linkname, dst))
	case tar.TypeLink:
		lp, _ := entryPath(hdr.Linkname)
		src, err := safeTarget(root, lp)
		if err != nil {
			return err
		}
		return os.Link(src, dst)
	case tar.TypeFifo:
		if err := unix.Mkfifo(dst, mode); err != nil {
			return err
		}
	default:
		logrus.Debugf("volume import: skipping %s (type %c)", hdr.Name, hdr.Typeflag)
		return nil
	}
	if err := lchown(dst, hdr, nil); err != nil {
		return err
	}
	if err := unix.Chmod(dst, mode); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeDir {
		_ = os.Chtimes(dst, hdr.AccessTime, hdr.ModTime)
	}
	return nil
}

// lchown gives dst the entry's owner; an owner pod's namespace does not
// map keeps pod's root, with a debug note.
func lchown(dst string, hdr *tar.Header, prior error) error {
	if prior != nil {
		return prior
	}
	if err := os.Lchown(dst, hdr.Uid, hdr.Gid); err != nil {
		if errors.Is(err, unix.EINVAL) {
			logrus.Debugf("volume import: %s: owner %d:%d not mapped, kept", hdr.Name, hdr.Uid, hdr.Gid)
			return nil
		}
		return err
	}
	return nil
}
