package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pod-project/pod/procid"
)

// tmpDir is pod's directory for temporary files inside the graph root: on
// the same filesystem as the layers, and reclaimed by the next call when
// the process that made a directory there is gone.
const tmpDir = "tmp"

// MkdirTemp makes a directory for one operation's temporary files under
// <graphRoot>/tmp, named PREFIX-PID-STARTTIME-RANDOM after the calling
// process, so that ReclaimTemp can tell when its owner is dead.
func MkdirTemp(graphRoot, prefix string) (string, error) {
	base := filepath.Join(graphRoot, tmpDir)
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("creating pod's temporary directory: %w", err)
	}
	d, err := os.MkdirTemp(base, prefix+"-"+procid.Self().String()+"-")
	if err != nil {
		return "", fmt.Errorf("creating pod's temporary directory: %w", err)
	}
	return d, nil
}

// tempOwner returns the process that made the temporary directory name.
func tempOwner(name string) (procid.ID, bool) {
	// PREFIX-PID-STARTTIME-RANDOM; PREFIX may hold dashes itself.
	parts := strings.Split(name, "-")
	if len(parts) < 4 {
		return procid.ID{}, false
	}
	id, err := procid.ParseString(parts[len(parts)-3] + "-" + parts[len(parts)-2])
	return id, err == nil
}

// ReclaimTemp removes the temporary directories under graphRoot whose
// owner is no longer running (killed, or from an earlier boot), and
// returns what it removed.
func ReclaimTemp(graphRoot string) ([]string, error) {
	dead, err := DeadTemp(graphRoot)
	var removed []string
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range dead {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// DeadTemp lists the temporary directories under graphRoot whose owner is
// no longer running.
func DeadTemp(graphRoot string) ([]string, error) {
	base := filepath.Join(graphRoot, tmpDir)
	entries, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dead []string
	for _, e := range entries {
		if owner, ok := tempOwner(e.Name()); ok && owner.Alive() {
			continue
		}
		dead = append(dead, filepath.Join(base, e.Name()))
	}
	return dead, nil
}
