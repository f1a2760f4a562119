package volumes

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/copier"
	"github.com/pod-project/pod/storage"
)

// Export writes the content of volume name to w as a tar, entries relative
// to the data directory (the host directory of a type=none volume),
// owners as numbers; device nodes and sockets are left out.
func (s *Store) Export(name string, w io.Writer) error {
	v, err := s.Get(name)
	if err != nil {
		return err
	}
	if err := copier.WriteTar(w, dataPath(v), "/", copier.TarOptions{}); err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	return nil
}

// ExportFile writes the export of volume name to the file path, spooled in
// the store's temporary directory and put at path (mode 0644) only when
// complete (storage.PublishFile): a failed or killed export leaves no
// partial archive at path nor beside it.
func (s *Store) ExportFile(name, path string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	work, err := storage.MkdirOwned(s.tmpDir(), "export")
	if err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	defer os.RemoveAll(work)
	f, err := os.OpenFile(filepath.Join(work, "archive.tar"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	err = s.Export(name, f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := storage.PublishFile(f.Name(), path); err != nil {
		return fmt.Errorf("exporting volume %s to %s: %w", name, path, err)
	}
	return nil
}

// Import extracts the tar in r into volume name, creating the volume when
// missing. What the volume holds is merged with the archive, whose
// entries replace those at the same paths (as Podman's volume import).
// The whole archive is checked before anything is written: an entry with
// an absolute path or a ".." element, or one reaching through a symbolic
// link, is refused with ErrUnsafeArchive. An owner pod's user namespace
// does not map is left as pod's root; device nodes are skipped.
//
// The import is all or nothing: the archive is spooled, and the volume's
// new tree (a copy of its data with the archive extracted over it, owner
// and mode of the data directory kept) is built in the store's temporary
// directory and swapped with the data directory in one rename, under the
// store's lock; a volume the import creates appears only complete. A
// failure or a kill -9 leaves the volume as it was (or absent), and
// nothing else: the temporary directory is named after its owner and
// reclaimed by the next volume operation.
//
// A running container keeps the directory it has mounted, so a volume
// that one of st's containers runs with gets the archive extracted into
// its data in place, where the container sees it (as before); so do
// tmpfs volumes (their data is a mount) and volumes binding a host
// directory. With a nil st the containers are unknown: an existing
// volume is extracted into in place.
func Import(st storage.Store, s *Store, name string, r io.Reader) error {
	if err := CheckName(name); err != nil {
		return err
	}
	var running func() (bool, error)
	if st != nil {
		running = func() (bool, error) {
			users, err := Users(st, name)
			if err != nil {
				return false, err
			}
			return CheckNotRunning(name, users) != nil, nil
		}
	}
	if err := s.importArchive(name, r, running); err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	return nil
}

// Import is the package's Import without the containers: an existing
// volume is extracted into in place, a new one made whole.
func (s *Store) Import(name string, r io.Reader) error {
	return Import(nil, s, name, r)
}

// importArchive imports r into volume name; running, when set, says
// whether a container runs with the volume (nil: perhaps).
func (s *Store) importArchive(name string, r io.Reader, running func() (bool, error)) error {
	work, err := storage.MkdirOwned(s.tmpDir(), "import")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// Spooled: the archive is read twice, checked then extracted.
	spool, err := os.OpenFile(filepath.Join(work, "archive.tar"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer spool.Close()
	if _, err := io.Copy(spool, r); err != nil {
		return fmt.Errorf("reading the archive: %w", err)
	}
	if err := checkSpool(spool); err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	v, err := s.get(name)
	if errors.Is(err, ErrNoSuchVolume) {
		return s.importNew(name, spool, work)
	}
	if err != nil {
		return err
	}
	if v.Options["type"] != "" {
		return extractSpool(spool, dataPath(v))
	}
	inUse := true
	if running != nil {
		if inUse, err = running(); err != nil {
			return err
		}
	}
	if inUse {
		return extractSpool(spool, v.Mountpoint)
	}
	return importSwap(v, spool, work)
}

// importNew makes volume name in work with the archive extracted into
// it, and renames it into the store; the caller holds the lock.
func (s *Store) importNew(name string, spool *os.File, work string) error {
	v, err := makeVolume(filepath.Join(work, "volume"), CreateOptions{Name: name})
	if err != nil {
		return err
	}
	if err := extractSpool(spool, v.Mountpoint); err != nil {
		return err
	}
	dir := filepath.Join(s.dir, name)
	// A directory without metadata is a creation cut short.
	_ = os.RemoveAll(dir)
	return os.Rename(filepath.Join(work, "volume"), dir)
}

// importSwap builds the volume's new data in work, a copy of its data with
// the archive over it, and exchanges it with the data directory; the old
// data stays in work, removed with it. Where the filesystem cannot
// exchange two directories, or the data directory is a mount, the archive
// is extracted in place.
func importSwap(v *Volume, spool *os.File, work string) error {
	next := filepath.Join(work, "data")
	if err := os.Mkdir(next, 0o700); err != nil {
		return err
	}
	// The data directory's own owner, mode, times and attributes too.
	o := copier.CopyOptions{DestMeta: true, WriteOptions: copier.WriteOptions{Devices: true, KeepUnmappedOwner: true}}
	if err := copier.Copy(v.Mountpoint, "/", next, "/", o); err != nil {
		return fmt.Errorf("copying the volume's data: %w", err)
	}
	if err := extractSpool(spool, next); err != nil {
		return err
	}
	err := unix.Renameat2(unix.AT_FDCWD, next, unix.AT_FDCWD, v.Mountpoint, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EXDEV) {
		return extractSpool(spool, v.Mountpoint)
	}
	return err
}

// checkSpool reads the spooled archive from its start and refuses it as
// a strict extraction would, writing nothing.
func checkSpool(spool *os.File) error {
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return copier.Check(spool)
}

// extractSpool extracts the spooled archive, from its start, into dir.
func extractSpool(spool *os.File, dir string) error {
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	o := copier.ExtractOptions{Strict: true, WriteOptions: copier.WriteOptions{KeepUnmappedOwner: true}}
	return copier.Extract(spool, dir, "/", o)
}

// dataPath is where volume v's content lives: its data directory, or the
// host directory a type=none volume binds.
func dataPath(v *Volume) string {
	if v.Options["type"] == "none" && v.Options["device"] != "" {
		return v.Options["device"]
	}
	return v.Mountpoint
}

// reclaim removes what killed volume operations left: the temporary
// directories of dead owners, and the spools (".import-*") and half
// removed volumes (".removing-*") that pods before owner-named temporary
// directories left in the store itself. The caller holds the lock, so no
// removal of such a pod is under way; an import of one reads its spool
// through an open file, which a removal does not disturb.
func (s *Store) reclaim() {
	_, _ = storage.ReclaimOwned(s.tmpDir())
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if container.ValidVolumeName(n) || n == lockFile || n == tmpDirName {
			continue
		}
		if strings.HasPrefix(n, ".import-") || strings.HasPrefix(n, ".removing-") {
			_ = os.RemoveAll(filepath.Join(s.dir, n))
		}
	}
}
