package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/storage"
)

// Pauser freezes and thaws a running container; the runtime package
// implements it.
type Pauser interface {
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
}

// CommitOptions say what `pod commit` makes of a container.
type CommitOptions struct {
	// Reference names the new image; empty leaves it untagged.
	Reference string
	// Changes are Dockerfile instructions applied to the new image's config
	// (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR).
	Changes []string
	// Message and Author go into the image's history (-m, -a).
	Message, Author string
	// Pause freezes a running container while its changes are read, with
	// Pauser; a nil Pauser (no cgroup to freeze, rootless on cgroup v1)
	// commits without pausing.
	Pause  bool
	Pauser Pauser
	// Format is the manifest's: oci (the default) or docker.
	Format string
	// IncludeVolumes makes the container's volume mount points volumes
	// of the image (--include-volumes).
	IncludeVolumes bool
	// Squash merges all the image's layers into one.
	Squash bool
}

// Commit makes a new image of the container idOrName: its image's layers
// plus its changes, and its configuration (command, environment, working
// directory, user, labels...) with the changes applied. It returns the new
// image's ID.
func Commit(ctx context.Context, st storage.Store, idOrName string, o CommitOptions) (string, error) {
	r, err := container.Load(st, idOrName)
	if err != nil {
		return "", err
	}
	if r.Config.Rootfs != "" {
		return "", fmt.Errorf("container %s runs in the directory %s (--rootfs), not on image layers: import a tar of it instead (tar -C %s -c . | pod import - NAME)", r.Config.Name, r.Config.Rootfs, r.Config.Rootfs)
	}
	cfg := &r.Config
	c, err := st.Container(cfg.ID)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	var base container.ImageConfig
	if cfg.ImageID != "" {
		img, err := image.Lookup(st, cfg.ImageID)
		if err != nil {
			return "", fmt.Errorf("committing %s: %w", cfg.Name, err)
		}
		base = img.Config.Config
	}
	newCfg := container.CommitConfig(cfg, base)
	if o.IncludeVolumes {
		for _, m := range cfg.Mounts {
			if m.Type != container.MountVolume {
				continue
			}
			if newCfg.Volumes == nil {
				newCfg.Volumes = map[string]struct{}{}
			}
			newCfg.Volumes[m.Destination] = struct{}{}
		}
	}
	if err := image.ApplyChanges(&newCfg, o.Changes); err != nil {
		return "", err
	}
	if o.Pause && r.Running() {
		if o.Pauser == nil {
			logrus.Debugf("committing %s without pausing it: it has no cgroup to freeze", cfg.Name)
		} else if err := o.Pauser.Pause(ctx, cfg.ID); err != nil {
			logrus.Debugf("committing %s without pausing it: %v", cfg.Name, err)
		} else {
			defer func() {
				if err := o.Pauser.Resume(context.WithoutCancel(ctx), cfg.ID); err != nil {
					logrus.Warnf("unpausing %s after the commit: %v", cfg.Name, err)
				}
			}()
		}
	}
	co := image.CommitOptions{
		Layer: c.LayerID, Parent: cfg.ImageID, Reference: o.Reference, Config: newCfg,
		Author: o.Author, Comment: o.Message, CreatedBy: strings.Join(cfg.Command, " "), Format: o.Format,
	}
	if !o.Squash {
		return image.Commit(ctx, st, co)
	}
	// The commit is made unnamed, squashed into one layer, and given the
	// name; the unsquashed image goes (a crash between leaves an unnamed
	// image that image prune removes).
	co.Reference = ""
	id, err := image.Commit(ctx, st, co)
	if err != nil {
		return "", err
	}
	squashed, err := image.Squash(ctx, st, id, 0)
	if err != nil {
		return "", err
	}
	if squashed != id {
		if _, err := st.DeleteImage(id, true); err != nil {
			logrus.Warnf("removing the unsquashed commit %s: %v", container.ShortID(id), err)
		}
	}
	if o.Reference != "" {
		if err := image.Tag(st, squashed, o.Reference); err != nil {
			return "", err
		}
	}
	return squashed, nil
}
