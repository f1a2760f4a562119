package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"sync"
	"sync/atomic"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// ErrDamaged: the container's record cannot be read whole; it can be
// stopped, killed and removed (pod rm -f), nothing else.
var ErrDamaged = errors.New("container record is damaged")

// Load reads the record of the container named by full ID, unique ID
// prefix or name. A record that cannot be read whole is returned with its
// Damage set and an error wrapping ErrDamaged, so that the commands that
// stop and remove containers can still act on it.
func Load(st storage.Store, idOrName string) (*Record, error) {
	c, err := st.Container(idOrName)
	if err != nil {
		if errors.Is(err, cstorage.ErrContainerUnknown) {
			return nil, fmt.Errorf("%w: %q (pod ps -a lists containers)", ErrNoSuchContainer, idOrName)
		}
		return nil, fmt.Errorf("looking up container %q: %w", idOrName, err)
	}
	dir, err := st.ContainerDirectory(c.ID)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.ID, err)
	}
	r := read(*c, dir)
	if r.Damage != nil {
		return r, r.damageError()
	}
	return r, nil
}

// List returns every container, newest first: records that cannot be read
// whole are included with their Damage set (shown with status unknown),
// and storage containers without a record with External set.
func List(st storage.Store) ([]*Record, error) {
	cs, err := st.Containers()
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	out := make([]*Record, len(cs))
	// The directories are where the store keeps them (ContainerDirectory
	// locks the store once per container). Two small files a container:
	// read by a few workers at once, as opening them is most of the time
	// a listing takes (1,000 containers: 55 ms read in turn).
	base := filepath.Join(st.GraphRoot(), st.GraphDriverName()+"-containers")
	workers := min(len(cs)/32+1, 2*goruntime.GOMAXPROCS(0))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(cs); i = int(next.Add(1) - 1) {
				out[i] = read(cs[i], filepath.Join(base, cs[i].ID, "userdata"))
			}
		}()
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].Config.Created.After(out[j].Config.Created) })
	return out, nil
}

// read reads the record of storage container c kept in dir.
func read(c cstorage.Container, dir string) *Record {
	r := &Record{Dir: dir}
	err := readJSON(filepath.Join(dir, configFile), &r.Config)
	if errors.Is(err, os.ErrNotExist) {
		r.External, r.Damage = true, fmt.Errorf("no pod record in %s", dir)
		r.Underway = CreatorAlive(c.Metadata)
		r.fromStorage(c)
		return r
	}
	if err != nil {
		r.Damage = fmt.Errorf("%s: %w", filepath.Join(dir, configFile), err)
		r.fromStorage(c)
		return r
	}
	// No state yet: a create under way in another call (its state is
	// written right after the config); it is a created container.
	if err := readJSON(filepath.Join(dir, stateFile), &r.State); err != nil && !os.IsNotExist(err) {
		r.Damage = fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
		r.State = State{Status: StatusUnknown}
	}
	return r
}

// fromStorage fills what storage knows of a container whose config cannot
// be read.
func (r *Record) fromStorage(c cstorage.Container) {
	r.Config = Config{ID: c.ID, ImageID: c.ImageID, Image: c.ImageID, Created: c.Created}
	if len(c.Names) > 0 {
		r.Config.Name = c.Names[0]
	}
	if r.Config.Name == "" {
		r.Config.Name = ShortID(c.ID)
	}
	r.State = State{Status: StatusUnknown}
}

// damageError is the error of a command that needs a sound record.
func (r *Record) damageError() error {
	if r.External {
		return fmt.Errorf("container %s has no pod record (a create or build that was interrupted, or another tool's container): remove it with pod rm -f %s: %w", r.Config.Name, ShortID(r.Config.ID), ErrDamaged)
	}
	return fmt.Errorf("container %s: %v: remove it with pod rm -f %s: %w", r.Config.Name, r.Damage, r.Config.Name, ErrDamaged)
}
