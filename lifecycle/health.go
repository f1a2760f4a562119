package lifecycle

import (
	"context"
	"fmt"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/runtime"
)

// Healthcheck runs target's health check once, records the result in its
// state as the monitor's checks do, and returns its health status.
func (h *Host) Healthcheck(ctx context.Context, target string) (string, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return "", err
	}
	var imgCfg *container.ImageConfig
	if img, err := image.Lookup(h.Store, rec.Config.ImageID); err == nil {
		imgCfg = &img.Config.Config
	}
	hc := container.EffectiveHealth(&rec.Config, imgCfg)
	if hc == nil {
		return "", fmt.Errorf("container %s has no health check (give one with --health-cmd): %w", rec.Config.Name, container.ErrNoHealthcheck)
	}
	if !rec.Running() {
		return "", fmt.Errorf("container %s: %w", rec.Config.Name, container.ErrNotRunning)
	}
	rt, err := h.Runtime(ctx)
	if err != nil {
		return "", err
	}
	state, err := container.NewHealthChecker(rec, *hc, runtime.ExecProbe(rt, rec.Config.ID)).RunOnce(ctx)
	if err != nil {
		return "", err
	}
	return state.Status, nil
}
