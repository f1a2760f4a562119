package container

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// Record is a container as stored: its Config and its State, plus the
// directory that holds them.
type Record struct {
	Config Config
	State  State
	Dir    string
}

// RecordVersion is the schema of the config.json and state.json pod
// writes. Version 0 is a record of a pod that wrote none (PIDs without
// start times, which are never signalled); a record of a higher version
// is refused, naming the fix.
const RecordVersion = 1

const (
	configFile = "config.json"
	stateFile  = "state.json"
	lockFile   = "lock"
)

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// NewID returns a random 64-hex container ID.
func NewID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Create makes the storage container for cfg (a writable layer on its image)
// and writes its record. cfg.ID and cfg.Name are filled when empty.
func Create(st storage.Store, cfg *Config) (*Record, error) {
	if cfg.ID == "" {
		cfg.ID = NewID()
	}
	if cfg.Name == "" {
		cfg.Name = freeName(st)
	} else if !validName.MatchString(cfg.Name) {
		return nil, fmt.Errorf("name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed: %w", cfg.Name, ErrBadName)
	}
	// Container also matches ID prefixes ("c20"): only a name counts here.
	if c, err := st.Container(cfg.Name); err == nil && slices.Contains(c.Names, cfg.Name) {
		return nil, fmt.Errorf("the name %q is already in use by another container: remove it (pod rm %s) or choose another name: %w", cfg.Name, cfg.Name, ErrNameInUse)
	}
	// A --rm container never outlives this boot: its storage record and
	// layer are volatile (kept in the run root, written without fsync).
	c, err := st.CreateContainer(cfg.ID, []string{cfg.Name}, cfg.ImageID, "", "", &cstorage.ContainerOptions{Volatile: cfg.AutoRemove})
	if err != nil {
		if errors.Is(err, cstorage.ErrDuplicateName) {
			return nil, fmt.Errorf("the name %q is already in use by another container: %w", cfg.Name, ErrNameInUse)
		}
		return nil, fmt.Errorf("creating container %s: %w", cfg.Name, err)
	}
	dir, err := st.ContainerDirectory(c.ID)
	if err != nil {
		_ = st.DeleteContainer(c.ID)
		return nil, fmt.Errorf("creating container %s: %w", cfg.Name, err)
	}
	r := &Record{Config: *cfg, State: State{Status: StatusCreated}, Dir: dir}
	if err := r.writeConfig(); err != nil {
		_ = st.DeleteContainer(c.ID)
		return nil, err
	}
	if err := r.writeState(); err != nil {
		_ = st.DeleteContainer(c.ID)
		return nil, err
	}
	return r, nil
}

// Load reads the record of the container named by full ID, unique ID
// prefix or name.
func Load(st storage.Store, idOrName string) (*Record, error) {
	c, err := st.Container(idOrName)
	if err != nil {
		if errors.Is(err, cstorage.ErrContainerUnknown) {
			return nil, fmt.Errorf("%w: %q (pod ps -a lists containers)", ErrNoSuchContainer, idOrName)
		}
		return nil, fmt.Errorf("looking up container %q: %w", idOrName, err)
	}
	return loadByID(st, c.ID)
}

func loadByID(st storage.Store, id string) (*Record, error) {
	dir, err := st.ContainerDirectory(id)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	r := &Record{Dir: dir}
	if err := readJSON(filepath.Join(dir, configFile), &r.Config); err != nil {
		return nil, fmt.Errorf("reading container %s: %w", id, err)
	}
	// No state yet: a create under way in another call (its state is
	// written right after the config); it is a created container.
	if err := readJSON(filepath.Join(dir, stateFile), &r.State); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("reading container %s: %w", id, err)
	}
	return r, nil
}

// List returns every container record, newest first. Storage containers
// without a pod record (made by other tools) are left out.
func List(st storage.Store) ([]*Record, error) {
	cs, err := st.Containers()
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	out := make([]*Record, 0, len(cs))
	// The directories are where the store keeps them (ContainerDirectory
	// locks the store once per container).
	base := filepath.Join(st.GraphRoot(), st.GraphDriverName()+"-containers")
	for _, c := range cs {
		r, err := Open(filepath.Join(base, c.ID, "userdata"))
		if err != nil {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Config.Created.After(out[j].Config.Created) })
	return out, nil
}

// Lock takes the record's lock; every change of state.json is made under it.
func (r *Record) Lock() (func(), error) {
	return storage.Lock(filepath.Join(r.Dir, lockFile))
}

// UpdateState re-reads the state under the lock, applies change, and writes
// it back atomically.
func (r *Record) UpdateState(change func(*State)) error {
	unlock, err := r.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := readJSON(filepath.Join(r.Dir, stateFile), &r.State); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading container %s: %w", r.Config.ID, err)
	}
	change(&r.State)
	return r.writeState()
}

func (r *Record) writeConfig() error {
	r.Config.Version = RecordVersion
	return r.writeJSON(filepath.Join(r.Dir, configFile), &r.Config)
}

func (r *Record) writeState() error {
	r.State.Version = RecordVersion
	return r.writeJSON(filepath.Join(r.Dir, stateFile), &r.State)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	var version int
	switch r := v.(type) {
	case *Config:
		version = r.Version
	case *State:
		version = r.Version
	}
	if version > RecordVersion {
		return fmt.Errorf("%s: %w (record version %d, this pod knows %d): use the newer pod, or remove the container with it", path, ErrNewerRecord, version, RecordVersion)
	}
	return nil
}

func (r *Record) writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if r.Config.AutoRemove {
		return storage.WriteFileAtomicVolatile(path, b, 0o600)
	}
	return storage.WriteFileAtomic(path, b, 0o600)
}

// ShortID is the 12-character form of an ID, as Docker prints it.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
