package volumes

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// usersByVolume maps each volume name to the containers whose Config
// mounts it.
func usersByVolume(st storage.Store) (map[string][]*container.Record, error) {
	recs, err := container.List(st)
	if err != nil {
		return nil, err
	}
	out := map[string][]*container.Record{}
	for _, r := range recs {
		for _, m := range r.Config.Mounts {
			if m.Type == container.MountVolume && m.Name != "" {
				out[m.Name] = append(out[m.Name], r)
			}
		}
	}
	return out, nil
}

// Users returns the containers that use volume name.
func Users(st storage.Store, name string) ([]*container.Record, error) {
	m, err := usersByVolume(st)
	if err != nil {
		return nil, err
	}
	return m[name], nil
}

func describe(recs []*container.Record) string {
	var names []string
	for _, r := range recs {
		names = append(names, r.Config.Name+" ("+container.ShortID(r.Config.ID)+")")
	}
	return strings.Join(names, ", ")
}

// CheckNotRunning fails when a container in users (those of volume
// name) runs, starts or restarts: its volume cannot go.
func CheckNotRunning(name string, users []*container.Record) error {
	var running []*container.Record
	for _, r := range users {
		if r.Active() {
			running = append(running, r)
		}
	}
	if len(running) > 0 {
		return fmt.Errorf("volume %s is used by running container %s: stop and remove it first: %w", name, describe(running), ErrVolumeInUse)
	}
	return nil
}

// Remove deletes volume name, refusing one that a container uses (naming
// the containers). Removing those containers first is the caller's job
// (lifecycle's volume removal does it with -f), through the one removal
// path.
func Remove(st storage.Store, s *Store, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	// A volume whose metadata cannot be read can still be removed.
	if _, err := s.get(name); err != nil && !isDamaged(err) {
		return err
	}
	users, err := Users(st, name)
	if err != nil {
		return err
	}
	if err := CheckNotRunning(name, users); err != nil {
		return err
	}
	if len(users) > 0 {
		return fmt.Errorf("volume %s is used by container %s: remove it first, or use pod volume rm -f to remove it with the volume: %w", name, describe(users), ErrVolumeInUse)
	}
	return s.removeDir(name)
}

// Prune removes every volume no container uses that passes filters
// (label=, label!=, until=) and returns their names.
func Prune(st storage.Store, s *Store, filters []string) ([]string, error) {
	f, err := ParseFilters(filters, pruneFilterKeys)
	if err != nil {
		return nil, err
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	users, err := usersByVolume(st)
	if err != nil {
		return nil, err
	}
	vols, err := s.List()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, v := range vols {
		if len(users[v.Name]) > 0 || !f.Match(v, false) {
			continue
		}
		if err := s.remove(v.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, v.Name)
	}
	return removed, errors.Join(errs...)
}

// RemoveAnonymous removes the anonymous volumes of a removed container
// (rm -v, run --rm) that no other container uses; named volumes stay.
func RemoveAnonymous(st storage.Store, cfg *container.Config) error {
	var anon []container.Mount
	for _, m := range cfg.Mounts {
		if m.Type == container.MountVolume && m.Anonymous && m.Name != "" && m.Source != "" {
			anon = append(anon, m)
		}
	}
	if len(anon) == 0 {
		return nil
	}
	users, err := usersByVolume(st)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range anon {
		s := storeOfData(m.Source)
		err := func() error {
			unlock, err := s.lock()
			if err != nil {
				return err
			}
			defer unlock()
			v, err := s.get(m.Name)
			if errors.Is(err, ErrNoSuchVolume) {
				return nil
			}
			if err != nil || !v.Anonymous {
				return err
			}
			for _, r := range users[m.Name] {
				if r.Config.ID != cfg.ID {
					return nil
				}
			}
			return s.remove(m.Name)
		}()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
