package lifecycle

import (
	"context"
	"fmt"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/volumes"
)

// CreateOptions say what container to create. Config is what the user
// asked for (its Image the reference as given); what it leaves zero comes
// from the image.
type CreateOptions struct {
	Config *container.Config
	// Pull says when the image is pulled; PullOptions how.
	Pull        image.PullPolicy
	PullOptions image.PullOptions
	// PublishAll publishes every exposed port (the image's EXPOSE and
	// Config.Expose) to a free host port (-P).
	PublishAll bool
}

// Create finds (or pulls) the image, completes the Config from it (command,
// stop signal, health check, published ports, volumes) and creates the
// container: its writable layer and its record.
func (h *Host) Create(ctx context.Context, o CreateOptions) (*container.Record, *container.ImageConfig, error) {
	cfg := o.Config
	release, err := storage.HoldWriting(h.Store.GraphRoot())
	if err != nil {
		return nil, nil, err
	}
	img, err := image.Ensure(ctx, h.Store, cfg.Image, o.Pull, o.PullOptions)
	release()
	if err != nil {
		return nil, nil, err
	}
	ic := &img.Config.Config
	cfg.ImageID = img.ID
	cfg.Command, _ = container.Command(cfg, ic)
	if cfg.StopSignal == "" {
		cfg.StopSignal = ic.StopSignal
	}
	if cfg.ImageHealth, err = container.HealthFromDockerConfig(img.RawConfig); err != nil {
		return nil, nil, err
	}
	if o.PublishAll {
		exposed := append([]string(nil), cfg.Expose...)
		for p := range ic.ExposedPorts {
			exposed = append(exposed, p)
		}
		cfg.Ports = slirp.PublishAll(cfg.Ports, exposed)
	}
	if err := slirp.AllocatePorts(cfg.Ports); err != nil {
		return nil, nil, err
	}
	if err := volumes.Complete(h.Store, cfg, ic); err != nil {
		return nil, nil, err
	}
	rec, err := container.Create(h.Store, cfg)
	if err != nil {
		return nil, nil, err
	}
	h.containerEvent("create", rec, nil)
	return rec, ic, nil
}

// imageConfigOf is the configuration of the image rec was made from.
func (h *Host) imageConfigOf(rec *container.Record) (*container.ImageConfig, error) {
	img, err := image.Lookup(h.Store, rec.Config.ImageID)
	if err != nil {
		return nil, fmt.Errorf("container %s: its image: %w", rec.Config.Name, err)
	}
	return &img.Config.Config, nil
}
