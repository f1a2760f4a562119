// Package podbin finds the pod binary the end-to-end and VM tests run:
// $POD_BINARY, or bin/pod built in the repository as the Makefile builds
// it.
package podbin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Tags are the tags pod is always built with (as in the Makefile).
const Tags = "containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper"

// Path returns $POD_BINARY as an absolute path, or builds bin/pod in repo
// (and bin/pod-monitor and bin/pod-compose beside it, as the Makefile does).
func Path(ctx context.Context, repo string) (string, error) {
	if b := os.Getenv("POD_BINARY"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("POD_BINARY: %w", err)
		}
		return abs, nil
	}
	out := filepath.Join(repo, "bin", "pod")
	for _, b := range []struct{ out, pkg string }{{out, "./cmd/pod"}, {Monitor(out), "./cmd/pod-monitor"}, {Compose(out), "./cmd/pod-compose"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", Tags, "-o", b.out, b.pkg)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building %s: %v\n%s", b.pkg, err, msg)
		}
	}
	return out, nil
}

// Monitor is the pod-monitor executable beside pod, which the tests
// install beside their copy of pod so that monitors run from it.
func Monitor(pod string) string { return filepath.Join(filepath.Dir(pod), "pod-monitor") }

// Compose is the pod-compose executable beside pod, which pod compose
// runs.
func Compose(pod string) string { return filepath.Join(filepath.Dir(pod), "pod-compose") }
