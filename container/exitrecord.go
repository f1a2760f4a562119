package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/pod-project/pod/storage"
)

// exitFile is the exit record in a container's run directory.
const exitFile = "exit.json"

// ExitRecord is what the monitor writes into the container's run directory
// (in the run root, normally a tmpfs) as soon as the container exits,
// before anything else: should the state not be written (the graph root's
// disk is full) or the monitor die then, repair takes the exit from it.
type ExitRecord struct {
	Version    int       `json:"version"`
	Code       int       `json:"code"`
	FinishedAt time.Time `json:"finishedAt"`
}

// WriteExitRecord records an exit in runDir.
func WriteExitRecord(runDir string, code int, at time.Time) error {
	b, err := json.Marshal(ExitRecord{Version: 1, Code: code, FinishedAt: at})
	if err != nil {
		return err
	}
	return storage.WriteFileAtomicVolatile(filepath.Join(runDir, exitFile), b, 0o600)
}

// ReadExitRecord reads the exit recorded in runDir, if any.
func ReadExitRecord(runDir string) (ExitRecord, bool) {
	var x ExitRecord
	b, err := os.ReadFile(filepath.Join(runDir, exitFile))
	if err != nil || json.Unmarshal(b, &x) != nil || x.Version > 1 {
		return ExitRecord{}, false
	}
	return x, true
}

// ClearExitRecord forgets the last exit (a new run starts).
func ClearExitRecord(runDir string) { _ = os.Remove(filepath.Join(runDir, exitFile)) }
