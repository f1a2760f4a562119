package volumes

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// DamagedVolume is a volume whose metadata cannot be read.
type DamagedVolume struct {
	Name string
	Err  error
}

// Damaged lists the volumes whose volume.json cannot be read (a write cut
// short, a full disk); List leaves them out.
func (s *Store) Damaged() ([]DamagedVolume, error) {
	ents, err := os.ReadDir(s.dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []DamagedVolume
	for _, e := range ents {
		if !e.IsDir() || !container.ValidVolumeName(e.Name()) {
			continue
		}
		if _, err := os.Stat(filepath.Join(s.dir, e.Name(), "_data")); err != nil {
			continue // being created or removed
		}
		if _, err := s.get(e.Name()); isDamaged(err) {
			out = append(out, DamagedVolume{Name: e.Name(), Err: err})
		}
	}
	return out, nil
}

// isDamaged reports whether err (of get) is metadata that cannot be
// parsed.
func isDamaged(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typ)
}

// RepairMeta writes a damaged volume's metadata anew from what is known:
// its name, a local volume created now; its data stays.
func (s *Store) RepairMeta(name string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	v := &Volume{Name: name, Driver: "local", CreatedAt: time.Now().UTC().Truncate(time.Second), Labels: map[string]string{}, Options: map[string]string{}, Scope: "local"}
	b, err := json.Marshal(volumeFile{Version: volumeVersion, Volume: v})
	if err != nil {
		return err
	}
	return storage.WriteFileAtomic(filepath.Join(s.dir, name, metaFile), b, 0o600)
}
