package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/monitor"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/volumes"
)

// startOptions are the monitor's options for this call.
func (g *globalOptions) startOptions(ctx context.Context, st storage.Store, stdio *monitor.Stdio) (monitor.StartOptions, error) {
	rt, err := g.ociRuntime(ctx)
	if err != nil {
		return monitor.StartOptions{}, err
	}
	return monitor.StartOptions{
		Runtime: rt, Rootless: g.mode.Rootless, RuntimeDir: g.mode.RuntimeDir,
		GraphRoot: st.GraphRoot(), RunRoot: st.RunRoot(), Driver: g.driver,
		LogLevel: g.logLevel, Stdio: stdio,
	}, nil
}

// runAttached starts rec through its monitor with the user's stdio and
// waits for it: pod run without -d, pod start -a.
func runAttached(cmd *cobra.Command, g *globalOptions, st storage.Store, rec *container.Record, img *container.ImageConfig, stdin *os.File) error {
	ctx := cmd.Context()
	o, err := g.startOptions(ctx, st, &monitor.Stdio{Stdin: stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	code := 0
	if err == nil {
		var h *monitor.Handle
		if h, err = monitor.Start(ctx, st, rec, img, o); err == nil {
			code, err = h.Wait(ctx)
		}
	}
	if rec.Config.AutoRemove {
		if rmErr := removeWithVolumes(st, &rec.Config); rmErr != nil && err == nil {
			err = fmt.Errorf("removing container %s after it exited: %w", rec.Config.Name, rmErr)
		}
	}
	if err != nil {
		return err
	}
	return &containerExit{code: code}
}

// startDetached starts rec through its monitor and returns once it runs.
func startDetached(cmd *cobra.Command, g *globalOptions, st storage.Store, rec *container.Record, img *container.ImageConfig, printID bool) error {
	ctx := cmd.Context()
	o, err := g.startOptions(ctx, st, nil)
	if err == nil {
		_, err = monitor.Start(ctx, st, rec, img, o)
	}
	if err != nil {
		if rec.Config.AutoRemove {
			_ = removeWithVolumes(st, &rec.Config)
		}
		return err
	}
	if printID {
		fmt.Fprintln(cmd.OutOrStdout(), rec.Config.ID)
	}
	return nil
}

// imageConfigOf is the configuration of the image rec was made from.
func imageConfigOf(st storage.Store, rec *container.Record) (*container.ImageConfig, error) {
	img, err := image.Lookup(st, rec.Config.ImageID)
	if err != nil {
		return nil, fmt.Errorf("container %s: its image: %w", rec.Config.Name, err)
	}
	return &img.Config.Config, nil
}

// repairOptions let stale records be repaired with the runtime, found
// only when one is stale.
func (g *globalOptions) repairOptions(ctx context.Context) container.RepairOptions {
	return container.RepairOptions{
		Runtime: func() (container.Deleter, error) {
			rt, err := g.ociRuntime(ctx)
			if err != nil {
				return nil, err
			}
			return rt, nil
		},
		Warn: logrus.Warnf,
		Removed: func(cfg *container.Config) {
			if st, err := g.store(); err == nil {
				if err := volumes.RemoveAnonymous(st, cfg); err != nil {
					logrus.Warnf("removing the anonymous volumes of %s: %v", cfg.Name, err)
				}
			}
		},
	}
}

// listContainers is container.List with stale records (running, but
// their monitor is dead) repaired first.
func (g *globalOptions) listContainers(ctx context.Context) ([]*container.Record, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	recs, err := container.List(st)
	if err != nil {
		return nil, err
	}
	return container.RepairStale(ctx, st, recs, g.repairOptions(ctx)), nil
}

// loadContainer is container.Load with a stale record repaired first.
func (g *globalOptions) loadContainer(ctx context.Context, idOrName string) (*container.Record, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	r, err := container.Load(st, idOrName)
	if err != nil {
		return nil, err
	}
	if len(container.RepairStale(ctx, st, []*container.Record{r}, g.repairOptions(ctx))) == 0 {
		return nil, fmt.Errorf("%w: %q (it was removed: --rm)", container.ErrNoSuchContainer, idOrName)
	}
	return r, nil
}

// eachContainer runs fn on every named container and prints the name of
// each success, as Docker does. One target's error is returned as it is;
// with several, each failure is reported and the call exits 125.
func eachContainer(cmd *cobra.Command, g *globalOptions, names []string, fn func(r *container.Record) error) error {
	failed := 0
	for _, n := range names {
		r, err := g.loadContainer(cmd.Context(), n)
		if err == nil {
			err = fn(r)
		}
		if err != nil {
			if len(names) == 1 {
				return err
			}
			failed++
			fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", err)
			continue
		}
		fmt.Fprintln(cmd.OutOrStdout(), n)
	}
	if failed > 0 {
		return &exitError{code: 125, err: fmt.Errorf("%d of %d containers failed", failed, len(names))}
	}
	return nil
}
