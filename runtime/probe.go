package runtime

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"sync"
	"time"
)

// healthOutputMax bytes of a probe's output are kept (as the container
// package keeps them in the state).
const healthOutputMax = 4096

// ExecProbe returns a run function for NewHealthChecker that runs argv in
// the running container id with the OCI runtime's exec (the container's
// environment, user and working directory), collecting stdout and stderr.
func ExecProbe(rt *Runtime, id string) func(ctx context.Context, argv []string) (int, string, error) {
	return func(ctx context.Context, argv []string) (int, string, error) {
		cmd := rt.Command(ctx, append([]string{"exec", id}, argv...)...)
		var out lockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		// A probe that outlives its timeout keeps the pipe open: do not
		// wait for it longer than this.
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() >= 0 {
			return ee.ExitCode(), out.String(), nil
		}
		if err != nil {
			return -1, out.String(), err
		}
		return 0, out.String(), nil
	}
}

// lockedBuffer collects a probe's output, stdout and stderr together.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() < healthOutputMax {
		b.buf.Write(p[:min(len(p), healthOutputMax-b.buf.Len())])
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
