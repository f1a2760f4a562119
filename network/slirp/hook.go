package slirp

import (
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ReadyPath is the file the monitor writes once a bundle's network is up;
// ErrPath the one with the reason it could not come up.
func ReadyPath(bundle string) string { return filepath.Join(bundle, "network.ready") }

// ErrPath holds why a bundle's network failed.
func ErrPath(bundle string) string { return filepath.Join(bundle, "network.err") }

// ClearReady removes the readiness files of a previous start.
func ClearReady(bundle string) {
	_ = os.Remove(ReadyPath(bundle))
	_ = os.Remove(ErrPath(bundle))
}

// MarkReady records that the network is up, or why it is not.
func MarkReady(bundle string, err error) {
	if err != nil {
		_ = os.WriteFile(ErrPath(bundle), []byte(err.Error()+"\n"), 0o600)
		return
	}
	_ = os.WriteFile(ReadyPath(bundle), nil, 0o600)
}

// waitScript polls for the readiness files: the OCI runtime runs it as a
// createRuntime hook, so the runtime sets the container up while the stack
// starts, and the container's process starts only once the network is up.
// It reads the state the runtime writes to its stdin first: a hook that
// exits before that write makes it fail with SIGPIPE, which runc (it
// listens for every signal) passes on to the container's process, killing
// it unless it is PID 1 of a PID namespace of its own.
const waitScript = `while IFS= read -r _; do :; done
i=0
while :; do
	[ -e "$1/network.ready" ] && exit 0
	if [ -e "$1/network.err" ]; then cat "$1/network.err" >&2; exit 1; fi
	i=$((i+1))
	if [ $i -gt 20000 ]; then echo "the container's network did not come up" >&2; exit 1; fi
	sleep 0.001
done`

// WaitHook is the createRuntime hook that waits for the bundle's network.
func WaitHook(bundle string) specs.Hook {
	timeout := 60
	return specs.Hook{
		Path:    "/bin/sh",
		Args:    []string{"sh", "-c", waitScript, "pod-network-wait", bundle},
		Env:     []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		Timeout: &timeout,
	}
}
