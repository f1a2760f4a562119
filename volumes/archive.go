package volumes

import (
	"fmt"
	"io"
	"os"

	"github.com/pod-project/pod/copier"
)

// Export writes the content of volume name to w as a tar, entries relative
// to the data directory, owners as numbers; device nodes and sockets are
// left out.
func (s *Store) Export(name string, w io.Writer) error {
	v, err := s.Get(name)
	if err != nil {
		return err
	}
	if err := copier.WriteTar(w, v.Mountpoint, "/", copier.TarOptions{}); err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	return nil
}

// Import extracts the tar in r into volume name, creating the volume when
// missing. The whole archive is checked before anything is written: an
// entry with an absolute path or a ".." element, or one reaching through a
// symbolic link, is refused with ErrUnsafeArchive. An owner pod's user
// namespace does not map is left as pod's root; device nodes are skipped.
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
	if err := copier.Check(tmp); err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	v, err := s.Create(CreateOptions{Name: name, IgnoreExisting: true})
	if err != nil {
		return err
	}
	o := copier.ExtractOptions{Strict: true, WriteOptions: copier.WriteOptions{KeepUnmappedOwner: true}}
	if err := copier.Extract(tmp, v.Mountpoint, "/", o); err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	return nil
}
