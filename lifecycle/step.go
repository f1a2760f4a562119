package lifecycle

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// StepOptions say how a build step's container runs.
type StepOptions struct {
	Runtime  *runtime.Runtime
	Rootless bool
	// Stdout and Stderr receive the step's output (nil discards it).
	Stdout, Stderr io.Writer
	// Stdin is the step's input (build --stdin); nil gives it none.
	Stdin io.Reader
}

// RunStep runs the created container rec (a build's RUN step) in the
// foreground with the same spec as `pod run`, with no monitor process:
// the calling process is its monitor. It holds the container's monitor
// lock and records itself and the step's process in the state, so that
// when it is killed the next pod call finds the record stale and kills
// what is left, as for any container. It returns the command's exit code;
// a command that cannot start is a *container.ExitError (125, 126, 127).
// Cancelling ctx kills the container.
func RunStep(ctx context.Context, st storage.Store, rec *container.Record, img *container.ImageConfig, o StepOptions) (code int, err error) {
	lock, err := rec.TryLockMonitor()
	if err != nil {
		return 0, err
	}
	defer lock.Close()
	if err := rec.UpdateState(func(s *container.State) { s.SetMonitor(procid.Self()) }); err != nil {
		return 0, err
	}
	defer func() {
		_ = rec.UpdateState(func(s *container.State) {
			s.Status, s.ExitCode, s.FinishedAt = container.StatusExited, code, time.Now().UTC()
			s.SetInit(procid.ID{})
			s.SetMonitor(procid.ID{})
			if err != nil {
				s.Error = err.Error()
			}
		})
	}()
	return runStep(ctx, st, rec, img, o)
}

func runStep(ctx context.Context, st storage.Store, rec *container.Record, img *container.ImageConfig, o StepOptions) (int, error) {
	cfg := &rec.Config
	bundle, err := st.ContainerRunDirectory(cfg.ID)
	if err != nil {
		return 0, fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	if err := os.MkdirAll(bundle, 0o700); err != nil {
		return 0, err
	}
	rootfs, err := st.Mount(cfg.ID, "")
	if err != nil {
		return 0, fmt.Errorf("mounting container %s: %w", cfg.Name, err)
	}
	defer func() { _, _ = st.Unmount(cfg.ID, true) }()
	if cfg.IDMap != nil && !cfg.IDMap.MapsOwner() {
		if err := reachRootfs(rootfs, st.GraphRoot()); err != nil {
			return 0, fmt.Errorf("container %s: %w", cfg.Name, err)
		}
	}
	created := newMountpoints(rootfs, cfg.Mounts)
	defer removeMountpoints(created)
	// As at a container's start: a step with limits gets a cgroup of its
	// own beside pod's processes where the user's cgroup is delegated.
	if err := leaveDelegatedCgroup(cfg, o.Rootless); err != nil {
		return 0, err
	}
	if _, err := prepare(rec, img, rootfs, bundle, o.Rootless); err != nil {
		return 0, err
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer devNull.Close()
	// The runtime's child inherits a file: pod's own stdin when it is
	// one, else a pipe fed from the reader.
	stdin := devNull
	if f, ok := o.Stdin.(*os.File); ok {
		stdin = f
	} else if o.Stdin != nil {
		inR, inW, err := os.Pipe()
		if err != nil {
			return 0, err
		}
		defer inR.Close()
		go func() { _, _ = io.Copy(inW, o.Stdin); inW.Close() }()
		stdin = inR
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	var copies sync.WaitGroup
	copies.Add(1)
	go func() {
		defer copies.Done()
		w := o.Stdout
		if w == nil {
			w = io.Discard
		}
		_, _ = io.Copy(w, outR)
		outR.Close()
	}()
	errOut := outW
	if o.Stderr != nil && o.Stderr != o.Stdout {
		errR, errW, err := os.Pipe()
		if err != nil {
			outW.Close()
			return 0, err
		}
		copies.Add(1)
		go func() {
			defer copies.Done()
			_, _ = io.Copy(o.Stderr, errR)
			errR.Close()
		}()
		errOut = errW
	}
	pidFile := filepath.Join(bundle, "pid")
	_ = os.Remove(pidFile)
	cmd, err := o.Runtime.Run(ctx, cfg.ID, bundle, runtime.RunOptions{
		PidFile: pidFile, Stdin: stdin, Stdout: outW, Stderr: errOut, NewProcessGroup: true,
	})
	outW.Close()
	if errOut != outW {
		errOut.Close()
	}
	if err != nil {
		copies.Wait()
		return 0, container.WithExitCode(125, fmt.Errorf("running container %s: %w", cfg.Name, err))
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	stop := make(chan struct{})
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		if id, err := procid.Of(runtime.WaitPidFile(pidFile, stop)); err == nil {
			_ = rec.UpdateState(func(s *container.State) {
				s.Status, s.StartedAt = container.StatusRunning, time.Now().UTC()
				s.SetInit(id)
			})
		}
	}()
	defer func() { close(stop); <-recorded }()
	var waitErr error
	select {
	case waitErr = <-waited:
	case <-ctx.Done():
		_ = o.Runtime.Kill(context.WithoutCancel(ctx), cfg.ID, syscall.SIGKILL, true)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		waitErr = <-waited
		_ = o.Runtime.Delete(context.WithoutCancel(ctx), cfg.ID, true)
	}
	copies.Wait()
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	code, err := o.Runtime.RunResult(cfg.ID, bundle, waitErr)
	if err != nil {
		return 0, container.WithExitCode(runtime.StartExitCode(err), fmt.Errorf("running container %s: %w", cfg.Name, err))
	}
	return code, nil
}

// newMountpoints lists, for each mount, the host paths of its destination
// and of the parents the runtime will create (innermost first): a build
// step's layer must not keep them.
func newMountpoints(rootfs string, mounts []container.Mount) [][]string {
	var out [][]string
	for _, m := range mounts {
		var missing []string
		for d := path.Clean("/" + m.Destination); d != "/"; d = path.Dir(d) {
			p, err := securejoin.SecureJoin(rootfs, d)
			if err != nil {
				break
			}
			if _, err := os.Lstat(p); err == nil {
				break
			}
			missing = append(missing, p)
		}
		out = append(out, missing)
	}
	return out
}

// removeMountpoints removes the mountpoints the runtime created, as long
// as they are empty (the step may have put files beside a mount).
func removeMountpoints(created [][]string) {
	for i := len(created) - 1; i >= 0; i-- {
		for _, p := range created[i] {
			if fi, err := os.Lstat(p); err != nil || (!fi.IsDir() && fi.Size() > 0) || os.Remove(p) != nil {
				break
			}
		}
	}
}

// RemoveStep removes a build step's working container, which no monitor
// manages, through the one place records are deleted.
func RemoveStep(ctx context.Context, st storage.Store, rec *container.Record) error {
	lock, err := rec.TryLockMonitor()
	if err != nil {
		return err
	}
	defer lock.Close()
	return container.Destroy(ctx, st, rec, lock, container.DestroyOptions{})
}
