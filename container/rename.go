package container

import (
	"errors"
	"fmt"
	"path/filepath"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// Rename gives the container idOrName the name newName, in storage and in
// its record, as `docker rename` does; it works whether or not the
// container runs.
func Rename(st storage.Store, idOrName, newName string) error {
	if !validName.MatchString(newName) {
		return fmt.Errorf("name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed: %w", newName, ErrBadName)
	}
	r, err := Load(st, idOrName)
	if err != nil {
		return err
	}
	old := r.Config.Name
	if old == newName {
		return fmt.Errorf("renaming %s: the container already has that name: %w", old, ErrNameInUse)
	}
	if c, err := st.Container(newName); err == nil && c.ID != r.Config.ID {
		return fmt.Errorf("the name %q is already in use by container %s: %w", newName, ShortID(c.ID), ErrNameInUse)
	}
	unlock, err := r.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	// Adding first makes storage refuse a name another call just took.
	if err := st.AddNames(r.Config.ID, []string{newName}); err != nil {
		if errors.Is(err, cstorage.ErrDuplicateName) {
			return fmt.Errorf("the name %q is already in use by another container: %w", newName, ErrNameInUse)
		}
		return fmt.Errorf("renaming %s to %s: %w", old, newName, err)
	}
	if err := readJSON(filepath.Join(r.Dir, configFile), &r.Config); err != nil {
		_ = st.RemoveNames(r.Config.ID, []string{newName})
		return fmt.Errorf("renaming %s: %w", old, err)
	}
	r.Config.Name = newName
	if err := r.writeConfig(); err != nil {
		_ = st.RemoveNames(r.Config.ID, []string{newName})
		return fmt.Errorf("renaming %s: %w", old, err)
	}
	if err := st.RemoveNames(r.Config.ID, []string{old}); err != nil {
		return fmt.Errorf("renaming %s: removing the old name: %w", old, err)
	}
	return nil
}
