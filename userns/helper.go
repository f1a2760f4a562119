package userns

import (
	"fmt"
	"os"
	"path/filepath"
)

// HelperName is the executable of pod's long-lived roles, the container
// monitors and the rootless network's holder, installed beside pod. It
// links only what those roles need (not the image, registry and build
// libraries), so each of them holds less memory than pod itself would.
const HelperName = "pod-monitor"

// Helper returns the executable to start a monitor or the holder with:
// HelperName beside this executable, or else this executable itself,
// which has every role (pod copied alone still works, at pod's size).
func Helper() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding pod's own executable: %w", err)
	}
	if filepath.Base(self) == HelperName {
		return self, nil
	}
	helper := filepath.Join(filepath.Dir(self), HelperName)
	if fi, err := os.Stat(helper); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
		return helper, nil
	}
	return self, nil
}
