package procid

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// fileVersion is the version of the PID files WriteFile writes.
const fileVersion = 1

type pidFile struct {
	Version int `json:"version"`
	ID
}

// Marshal is id as a PID file holds it: a versioned JSON object.
func (id ID) Marshal() []byte {
	b, _ := json.Marshal(pidFile{Version: fileVersion, ID: id})
	return append(b, '\n')
}

// Parse reads what Marshal wrote, or a plain decimal PID (a file of an
// earlier pod, or another tool's): that ID has no start time, so it is
// never Alive and never signalled.
func Parse(b []byte) (ID, error) {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "{") {
		var f pidFile
		if err := json.Unmarshal([]byte(s), &f); err != nil {
			return ID{}, fmt.Errorf("malformed PID file: %w", err)
		}
		if f.Version > fileVersion {
			return ID{}, fmt.Errorf("PID file of version %d, newer than this pod's %d", f.Version, fileVersion)
		}
		return f.ID, nil
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		return ID{}, fmt.Errorf("malformed PID file %q", s)
	}
	return ID{PID: pid}, nil
}

// ReadFile reads a PID file (see Parse).
func ReadFile(path string) (ID, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return ID{}, err
	}
	return Parse(b)
}
