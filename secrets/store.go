// Package secrets keeps the user's secrets (pod secret create): small
// pieces of data given to containers at /run/secrets/NAME or in an
// environment variable, never stored in an image or a container's record.
//
// Each secret is one file, ID.json, holding its metadata and its data,
// readable by the user alone. A file is created whole or not at all (an
// unnamed file linked into place) and removed with one unlink, so a pod
// killed at any point leaves a secret there or not, and no temporary file.
package secrets

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

	"github.com/pod-project/pod/storage"
)

// Sentinels of the secrets package, checked with errors.Is.
var (
	ErrNoSuchSecret = errors.New("no such secret")
	ErrSecretExists = errors.New("secret name in use")
	ErrBadName      = errors.New("invalid secret name")
	ErrBadDriver    = errors.New("invalid secret driver")
	ErrTooLarge     = errors.New("secret too large")
)

// MaxSize is the largest secret: Podman's and Docker's limit (512 KiB).
const MaxSize = 512 * 1024

// Secret is a secret's metadata, shaped as Podman's secret inspect shows
// it.
type Secret struct {
	ID        string    `json:"ID"`
	CreatedAt time.Time `json:"CreatedAt"`
	UpdatedAt time.Time `json:"UpdatedAt"`
	Spec      Spec      `json:"Spec"`
}

// Spec names the secret, its driver and its labels.
type Spec struct {
	Name   string            `json:"Name"`
	Driver Driver            `json:"Driver"`
	Labels map[string]string `json:"Labels"`
}

// Driver is where the data is kept: always "file", pod's store.
type Driver struct {
	Name    string            `json:"Name"`
	Options map[string]string `json:"Options"`
}

// record is ID.json: the secret and its data.
type record struct {
	Version int `json:"version"`
	Secret
	Data []byte `json:"data"`
}

const recordVersion = 1

// Store is the directory of the user's secrets.
type Store struct{ dir string }

// New returns the secret store of the storage graph root graphRoot: the
// "secrets" directory next to it, as volumes are.
func New(graphRoot string) *Store {
	return &Store{dir: filepath.Join(filepath.Dir(filepath.Clean(graphRoot)), "secrets")}
}

// Dir is the directory holding the secrets.
func (s *Store) Dir() string { return s.dir }

// CheckName accepts what Podman accepts: 1 to 253 characters, none of
// them "/", "=" or ",", NUL or a space (the names go into --secret's
// NAME,opt=value list and under /run/secrets/).
func CheckName(name string) error {
	if name == "" || len(name) > 253 || strings.ContainsAny(name, "/=,\x00 \t\n") || name == "." || name == ".." {
		return fmt.Errorf("%q: a secret's name is 1 to 253 characters, without /, =, comma or space: %w", name, ErrBadName)
	}
	return nil
}

// CreateOptions are what pod secret create takes besides the name and
// the data.
type CreateOptions struct {
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}

// Create stores a new secret and returns it. The name must be free.
func (s *Store) Create(name string, data []byte, o CreateOptions) (*Secret, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if o.Driver != "" && o.Driver != "file" {
		return nil, fmt.Errorf("driver %q: pod keeps secrets in its store (driver file): %w", o.Driver, ErrBadDriver)
	}
	for k := range o.DriverOpts {
		return nil, fmt.Errorf("driver option %q: the file driver takes none: %w", k, ErrBadDriver)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("secret %s: %d bytes, more than %d: %w", name, len(data), MaxSize, ErrTooLarge)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("secret %s: no data (an empty file or input)", name)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the secrets directory: %w", err)
	}
	unlock, err := storage.Lock(filepath.Join(s.dir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	all, _, err := s.list()
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Spec.Name == name {
			return nil, fmt.Errorf("secret %s: %w (pod secret rm %s, then create it again)", name, ErrSecretExists, name)
		}
	}
	now := time.Now().UTC()
	labels := o.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	r := record{Version: recordVersion, Secret: Secret{
		ID: newID(), CreatedAt: now, UpdatedAt: now,
		Spec: Spec{Name: name, Driver: Driver{Name: "file", Options: map[string]string{"path": s.dir}}, Labels: labels},
	}, Data: data}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if err := storage.CreateFileOnce(s.file(r.ID), b, 0o600); err != nil {
		return nil, fmt.Errorf("creating secret %s: %w", name, err)
	}
	return &r.Secret, nil
}

// newID is a secret's ID: 25 hex digits, as Podman's.
func newID() string {
	b := make([]byte, 13)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:25]
}

func (s *Store) file(id string) string { return filepath.Join(s.dir, id+".json") }

// list reads every secret, sorted by name. A file that cannot be read
// (damaged by hand or by the disk) is left out, and its error returned in
// damaged: pod secret rm ID removes it.
func (s *Store) list() (out []*record, damaged []error, err error) {
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("listing secrets: %w", err)
	}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		r, err := s.read(id)
		if err != nil {
			damaged = append(damaged, err)
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Spec.Name < out[j].Spec.Name })
	return out, damaged, nil
}

func (s *Store) read(id string) (*record, error) {
	b, err := os.ReadFile(s.file(id))
	if err != nil {
		return nil, fmt.Errorf("reading secret %s: %w", id, err)
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading secret %s (%s): %w: pod secret rm %s removes it", id, s.file(id), err, id)
	}
	if r.Version > recordVersion {
		return nil, fmt.Errorf("reading secret %s: written by a newer pod (version %d, this pod knows %d): use that pod", id, r.Version, recordVersion)
	}
	r.ID = id
	return &r, nil
}

// List returns every secret, sorted by name, and the errors of those that
// cannot be read.
func (s *Store) List() ([]*Secret, []error, error) {
	all, damaged, err := s.list()
	out := make([]*Secret, 0, len(all))
	for _, r := range all {
		out = append(out, &r.Secret)
	}
	return out, damaged, err
}

// lookup finds a secret by name, by full ID or by a unique prefix of its
// ID, as Podman does.
func (s *Store) lookup(ref string) (*record, error) {
	all, _, err := s.list()
	if err != nil {
		return nil, err
	}
	var byPrefix []*record
	for _, r := range all {
		if r.Spec.Name == ref || r.ID == ref {
			return r, nil
		}
		if ref != "" && strings.HasPrefix(r.ID, ref) {
			byPrefix = append(byPrefix, r)
		}
	}
	switch {
	case len(byPrefix) == 1:
		return byPrefix[0], nil
	case len(byPrefix) > 1:
		return nil, fmt.Errorf("secret %q: more than one secret's ID starts with it: give more of the ID or the name", ref)
	}
	return nil, fmt.Errorf("no secret with name or id %q: %w (pod secret ls lists them)", ref, ErrNoSuchSecret)
}

// Get returns the secret named or identified by ref.
func (s *Store) Get(ref string) (*Secret, error) {
	r, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	return &r.Secret, nil
}

// GetExact returns the secret whose name or full ID is ref: what a
// container's --secret names, where a prefix of another secret's ID must
// not stand in for a secret that is gone.
func (s *Store) GetExact(ref string) (*Secret, error) {
	all, _, err := s.list()
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Spec.Name == ref || r.ID == ref {
			return &r.Secret, nil
		}
	}
	return nil, fmt.Errorf("no secret with name or id %q: %w (pod secret ls lists them)", ref, ErrNoSuchSecret)
}

// Data returns the data of the secret with the full ID id.
func (s *Store) Data(id string) ([]byte, error) {
	r, err := s.read(id)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret %s: %w (it was removed)", id, ErrNoSuchSecret)
	}
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// Remove deletes the secret named or identified by ref, unless inUse
// (given its ID and name) says a container needs it; it returns its ID.
// A secret file that cannot be read is removed by its ID too.
func (s *Store) Remove(ref string, inUse func(id, name string) error) (string, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return "", err
	}
	unlock, err := storage.Lock(filepath.Join(s.dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	r, err := s.lookup(ref)
	if err != nil {
		if _, serr := os.Stat(s.file(ref)); serr == nil && CheckName(ref) == nil {
			// Damaged: its ID is all there is.
			return ref, os.Remove(s.file(ref))
		}
		return "", err
	}
	if inUse != nil {
		if err := inUse(r.ID, r.Spec.Name); err != nil {
			return "", err
		}
	}
	if err := os.Remove(s.file(r.ID)); err != nil {
		return "", fmt.Errorf("removing secret %s: %w", r.Spec.Name, err)
	}
	return r.ID, nil
}
