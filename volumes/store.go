package volumes

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// Volume is a volume as stored in volume.json and shown by inspect, shaped
// like Docker's.
type Volume struct {
	Name string `json:"Name"`
	// Driver is always "local".
	Driver string `json:"Driver"`
	// Mountpoint is the host directory holding the data (not stored: it
	// follows the volume's directory).
	Mountpoint string            `json:"Mountpoint"`
	CreatedAt  time.Time         `json:"CreatedAt"`
	Labels     map[string]string `json:"Labels"`
	// Options are the local driver's type, device and o.
	Options map[string]string `json:"Options"`
	Scope   string            `json:"Scope"`
	// Anonymous: pod named the volume for one container (-v DST, VOLUME).
	Anonymous bool `json:"Anonymous,omitempty"`
	// UID and GID own the data directory when set at creation.
	UID *int `json:"UID,omitempty"`
	GID *int `json:"GID,omitempty"`
}

// volumeVersion is the schema of volume.json (0: a volume of a pod that
// recorded none, read the same way).
const volumeVersion = 1

// volumeFile is volume.json: the volume with its schema version.
type volumeFile struct {
	Version int `json:"version"`
	*Volume
}

// Store is the directory of all volumes, with a lock guarding every change
// of the set of volumes and of their metadata.
type Store struct{ dir string }

const (
	dataDir  = "_data"
	metaFile = "volume.json"
	// lockFile and tmpDirName cannot collide with a volume: names start
	// with [a-zA-Z0-9].
	lockFile = ".lock"
	// tmpDirName holds the temporary directories of imports and removals,
	// named after their owner (storage.MkdirOwned): on the volumes'
	// filesystem, so that what they build is renamed into place.
	tmpDirName = ".tmp"
)

// New returns the volume store of the storage graph root graphRoot: the
// "volumes" directory next to it (~/.local/share/pod/storage gives
// ~/.local/share/pod/volumes), so --root keeps tests apart.
func New(graphRoot string) *Store {
	return &Store{dir: filepath.Join(filepath.Dir(filepath.Clean(graphRoot)), "volumes")}
}

// storeOfData returns the store of a volume's data directory.
func storeOfData(data string) *Store {
	return &Store{dir: filepath.Dir(filepath.Dir(data))}
}

// Dir is the directory holding the volumes.
func (s *Store) Dir() string { return s.dir }

// DataDir is the host directory of the data of volume name.
func (s *Store) DataDir(name string) string { return filepath.Join(s.dir, name, dataDir) }

// tmpDir is the store's directory for temporary files.
func (s *Store) tmpDir() string { return filepath.Join(s.dir, tmpDirName) }

// lock creates the store's directory when missing and takes its lock;
// what killed operations left is reclaimed first.
func (s *Store) lock() (func(), error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the volumes directory: %w", err)
	}
	unlock, err := storage.Lock(filepath.Join(s.dir, lockFile))
	if err != nil {
		return nil, err
	}
	s.reclaim()
	return unlock, nil
}

// CheckName refuses a name that is not [a-zA-Z0-9][a-zA-Z0-9_.-]*.
func CheckName(name string) error {
	if !container.ValidVolumeName(name) {
		return fmt.Errorf("%q: only [a-zA-Z0-9][a-zA-Z0-9_.-]* are allowed (no /, no .., no NUL): %w", name, ErrBadName)
	}
	return nil
}

// RandomName is a name for a volume created without one: 64 hex digits.
func RandomName() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateOptions say what volume Create makes. A zero field means: a random
// name, no labels, no driver options, owned by pod's root.
type CreateOptions struct {
	Name            string
	Labels, Options map[string]string
	UID, GID        *int
	Anonymous       bool
	// IgnoreExisting returns an existing volume of that name instead of
	// failing with ErrVolumeExists.
	IgnoreExisting bool
}

// Create makes a volume: its data directory and, last, its metadata.
func (s *Store) Create(o CreateOptions) (*Volume, error) {
	if o.Name == "" {
		o.Name = RandomName()
	}
	if err := CheckName(o.Name); err != nil {
		return nil, err
	}
	if err := checkDriverOptions(o.Options); err != nil {
		return nil, err
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	v, err := s.get(o.Name)
	switch {
	case err == nil && o.IgnoreExisting:
		return v, nil
	case err == nil:
		return nil, fmt.Errorf("volume %s: %w (pod volume create --ignore keeps it)", o.Name, ErrVolumeExists)
	case !errors.Is(err, ErrNoSuchVolume):
		return nil, err
	}
	return s.create(o)
}

// create makes the volume; the caller holds the lock and checked the name.
func (s *Store) create(o CreateOptions) (*Volume, error) {
	dir := filepath.Join(s.dir, o.Name)
	// A directory without metadata is a creation cut short: start afresh.
	_ = os.RemoveAll(dir)
	return makeVolume(dir, o)
}

// makeVolume makes the directory of volume o.Name at dir: its data
// directory and, last, its metadata.
func makeVolume(dir string, o CreateOptions) (*Volume, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating volume %s: %w", o.Name, err)
	}
	data := filepath.Join(dir, dataDir)
	if err := os.Mkdir(data, 0o755); err != nil {
		return nil, fmt.Errorf("creating volume %s: %w", o.Name, err)
	}
	if o.UID != nil || o.GID != nil {
		uid, gid := -1, -1
		if o.UID != nil {
			uid = *o.UID
		}
		if o.GID != nil {
			gid = *o.GID
		}
		if err := os.Lchown(data, uid, gid); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("creating volume %s: owner %d:%d: %w", o.Name, uid, gid, err)
		}
	}
	v := &Volume{
		Name: o.Name, Driver: "local", CreatedAt: time.Now().UTC().Truncate(time.Second),
		Labels: o.Labels, Options: o.Options, Scope: "local", Anonymous: o.Anonymous, UID: o.UID, GID: o.GID,
	}
	if v.Labels == nil {
		v.Labels = map[string]string{}
	}
	if v.Options == nil {
		v.Options = map[string]string{}
	}
	b, err := json.Marshal(volumeFile{Version: volumeVersion, Volume: v})
	if err == nil {
		err = storage.WriteFileAtomic(filepath.Join(dir, metaFile), b, 0o600)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("creating volume %s: %w", o.Name, err)
	}
	v.Mountpoint = data
	return v, nil
}

// Get returns the volume name.
func (s *Store) Get(name string) (*Volume, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return s.get(name)
}

func (s *Store) get(name string) (*Volume, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, name, metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (pod volume ls lists volumes)", ErrNoSuchVolume, name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading volume %s: %w", name, err)
	}
	var f volumeFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("reading volume %s: %w", name, err)
	}
	if f.Version > volumeVersion {
		return nil, fmt.Errorf("reading volume %s: written by a newer pod (version %d, this pod knows %d): use that pod", name, f.Version, volumeVersion)
	}
	v := f.Volume
	if v == nil {
		v = &Volume{}
	}
	v.Name, v.Mountpoint = name, s.DataDir(name)
	return v, nil
}

// Exists reports whether volume name exists; a bad name is an error.
func (s *Store) Exists(name string) (bool, error) {
	_, err := s.Get(name)
	if errors.Is(err, ErrNoSuchVolume) {
		return false, nil
	}
	return err == nil, err
}

// List returns every volume, by name. The temporary directories of dead
// operations go first (the lock is not needed for those).
func (s *Store) List() ([]*Volume, error) {
	_, _ = storage.ReclaimOwned(s.tmpDir())
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing volumes: %w", err)
	}
	var out []*Volume
	for _, e := range ents {
		if !e.IsDir() || !container.ValidVolumeName(e.Name()) {
			continue
		}
		v, err := s.get(e.Name())
		if err != nil {
			continue // being created or removed
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// remove deletes volume name; the caller holds the lock. The directory is
// renamed away first, so the volume disappears at once.
func (s *Store) remove(name string) error {
	if _, err := s.get(name); err != nil {
		return err
	}
	return s.removeDir(name)
}

// removeDir removes volume name's directory whatever its metadata says;
// the caller holds the lock.
func (s *Store) removeDir(name string) error {
	dir := filepath.Join(s.dir, name)
	// A tmpfs volume is mounted on its data directory in pod's namespace.
	if err := unix.Unmount(filepath.Join(dir, dataDir), unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("removing volume %s: unmounting: %w", name, err)
	}
	// Into a directory named after this process: what a kill leaves of
	// the removal is reclaimed by the next volume operation.
	work, err := storage.MkdirOwned(s.tmpDir(), "remove")
	if err != nil {
		return fmt.Errorf("removing volume %s: %w", name, err)
	}
	if err := os.Rename(dir, filepath.Join(work, name)); err != nil {
		_ = os.Remove(work)
		return fmt.Errorf("removing volume %s: %w", name, err)
	}
	if err := os.RemoveAll(work); err != nil {
		return fmt.Errorf("removing volume %s: %w", name, err)
	}
	return nil
}

// checkDriverOptions accepts the local driver's options pod can honour:
// type=tmpfs (o= size, mode, uid, gid, nr_inodes) and type=none with
// o=bind and an existing absolute device directory.
func checkDriverOptions(opts map[string]string) error {
	if len(opts) == 0 {
		return nil
	}
	for k := range opts {
		switch k {
		case "type", "device", "o":
		default:
			return fmt.Errorf("option %q: the local driver takes type, device and o: %w", k, ErrBadOption)
		}
	}
	switch opts["type"] {
	case "tmpfs":
		for _, o := range splitOptions(opts["o"]) {
			k, _, _ := strings.Cut(o, "=")
			switch k {
			case "size", "mode", "uid", "gid", "nr_inodes", "nosuid", "nodev", "noexec":
			default:
				return fmt.Errorf("o=%s: tmpfs takes size=, mode=, uid=, gid=, nr_inodes=, nosuid, nodev, noexec: %w", o, ErrBadOption)
			}
		}
	case "none", "":
		dev := opts["device"]
		if opts["type"] == "" && dev == "" && opts["o"] == "" {
			return nil
		}
		if !isBind(opts["o"]) || !filepath.IsAbs(dev) {
			return fmt.Errorf("type=none needs o=bind and device=ABSOLUTE-PATH: %w", ErrBadOption)
		}
		if fi, err := os.Stat(dev); err != nil || !fi.IsDir() {
			return fmt.Errorf("device=%s: not an existing directory: %w", dev, ErrBadOption)
		}
	default:
		return fmt.Errorf("type=%s: pod's local driver mounts tmpfs, or binds a directory with type=none,o=bind: %w", opts["type"], ErrBadOption)
	}
	return nil
}

func splitOptions(o string) []string {
	if o == "" {
		return nil
	}
	return strings.Split(o, ",")
}

func isBind(o string) bool {
	for _, x := range splitOptions(o) {
		if x == "bind" || x == "rbind" {
			return true
		}
	}
	return false
}
