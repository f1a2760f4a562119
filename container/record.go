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

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// Record is a container as stored: its Config and its State, plus the
// directory that holds them.
type Record struct {
	Config Config
	State  State
	Dir    string
	// Damage says why the record could not be read whole (a corrupt or
	// missing config.json or state.json, a newer pod's record); Config
	// then holds what storage knows (ID, name, image, creation time) and
	// the state is StatusUnknown. Such a record can be stopped, killed and
	// removed, nothing else.
	Damage error
	// External: a storage container with no record at all (a create or a
	// build step that was killed half-way, another tool's container);
	// Underway when the process that made it still runs.
	External, Underway bool
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

// autoNameTries bounds how often Create chooses another name for a
// container the user did not name when a concurrent create took it.
const autoNameTries = 10

// Create makes the storage container for cfg (a writable layer on its image)
// and writes its record. cfg.ID and cfg.Name are filled when empty.
func Create(st storage.Store, cfg *Config) (*Record, error) {
	if cfg.ID == "" {
		cfg.ID = NewID()
	}
	auto := cfg.Name == ""
	if auto {
		cfg.Name = freeName(st)
	} else if !validName.MatchString(cfg.Name) {
		return nil, fmt.Errorf("name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed: %w", cfg.Name, ErrBadName)
	}
	// Container also matches ID prefixes ("c20"): only a name counts here.
	if c, err := st.Container(cfg.Name); !auto && err == nil && slices.Contains(c.Names, cfg.Name) {
		return nil, fmt.Errorf("the name %q is already in use by another container: remove it (pod rm %s) or choose another name: %w", cfg.Name, cfg.Name, ErrNameInUse)
	}
	// A --rm container never outlives this boot: its storage record and
	// layer are volatile (kept in the run root, written without fsync).
	meta := StorageMetadata()
	opts := &cstorage.ContainerOptions{Volatile: cfg.AutoRemove}
	if m := cfg.IDMap; m != nil {
		// The container's layer is made with its files' owners shifted
		// into the container's own user namespace.
		opts.IDMappingOptions.UIDMap, opts.IDMappingOptions.GIDMap = m.storageMap(m.UIDs), m.storageMap(m.GIDs)
	}
	c, err := st.CreateContainer(cfg.ID, []string{cfg.Name}, cfg.ImageID, "", meta, opts)
	// A name pod chose may have been taken since by a concurrent create:
	// choose again (the store's lock makes the name check and the create
	// one step).
	for try := 0; auto && errors.Is(err, cstorage.ErrDuplicateName) && try < autoNameTries; try++ {
		cfg.Name = freeName(st)
		c, err = st.CreateContainer(cfg.ID, []string{cfg.Name}, cfg.ImageID, "", meta, opts)
	}
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
	path := filepath.Join(r.Dir, stateFile)
	if err := readJSON(path, &r.State); err != nil && !os.IsNotExist(err) {
		if !isCorrupt(err) {
			return fmt.Errorf("reading container %s: %w", r.Config.ID, err)
		}
		// A state that cannot be parsed (a truncated write of an earlier
		// pod, a full disk) says nothing: it is kept aside for whoever
		// wants to look, and written anew.
		_ = os.Rename(path, path+".damaged")
		r.State = State{}
	}
	change(&r.State)
	return r.writeState()
}

// UpdateConfig applies change to the container's configuration and
// writes it whole, under the record's lock (pod network connect and
// disconnect change a container's networks).
func (r *Record) UpdateConfig(change func(*Config)) error {
	unlock, err := r.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	change(&r.Config)
	return r.writeConfig()
}

// isCorrupt reports whether err is a JSON file that cannot be parsed (not
// one that cannot be read, nor a newer pod's).
func isCorrupt(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typ)
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
	// On a full disk the reserve goes, so that a stop or a removal can
	// still record itself.
	return storage.WithReserve(graphRootOf(r.Dir), func() error { return storage.WriteFileAtomic(path, b, 0o600) })
}

// graphRootOf is the graph root of a container directory, which storage
// keeps as <graph root>/<driver>-containers/<id>/userdata.
func graphRootOf(dir string) string {
	return filepath.Dir(filepath.Dir(filepath.Dir(dir)))
}

// ShortID is the 12-character form of an ID, as Docker prints it.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
