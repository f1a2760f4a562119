package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

// mountRow is one line of pod mount's list; --format json gives Podman's
// keys.
type mountRow struct {
	ID         string   `json:"id"`
	Names      []string `json:"Names"`
	Mountpoint string   `json:"mountpoint"`
}

func newMountRow(rec *container.Record, path string) mountRow {
	return mountRow{ID: rec.Config.ID, Names: []string{rec.Config.Name}, Mountpoint: path}
}

// inUnshare refuses a rootless mount command run outside pod unshare:
// the mount is made in pod's mount namespace, and its path means nothing
// outside it (Podman's rule and wording).
func (g *globalOptions) inUnshare(cmd *cobra.Command) error {
	if g.mode.Rootless && !g.mode.CalledInside {
		return usageErrorf("cannot run command %q in rootless mode, must execute `pod unshare` first: the mount is seen only inside pod's namespace", cmd.CommandPath())
	}
	return nil
}

func newMountCommand(g *globalOptions) *cobra.Command {
	var all, noTrunc bool
	var format string
	cmd := &cobra.Command{
		Use:   "mount [flags] [CONTAINER...]",
		Short: "Mount containers' root filesystems and print where; with none, list the mounted ones",
		Long: "Mount containers' root filesystems and print where. Rootless, run it inside pod unshare:\n" +
			"the mounts are in pod's mount namespace. pod umount undoes each mount.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.inUnshare(cmd); err != nil {
				return err
			}
			if format != "" && format != "json" {
				return usageErrorf("--format %q: pod mount prints json or its default lines", format)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(args) > 0 || all {
				_, targets, err := containerTargets(cmd, g, args, all, anyContainer)
				if err != nil {
					return err
				}
				if format == "json" {
					items, err := collectTargets(cmd, targets, func(ref string) (any, error) {
						rec, path, err := h.Mount(ref)
						if err != nil {
							return nil, err
						}
						return newMountRow(rec, path), nil
					})
					if werr := writeJSON(w, items); werr != nil {
						return werr
					}
					return err
				}
				// Named, the paths alone; with --all, each beside its ID.
				return eachTarget(cmd, targets, func(ref string) (string, error) {
					rec, path, err := h.Mount(ref)
					if err != nil || !all {
						return path, err
					}
					return idColumn(rec, noTrunc) + " " + path, nil
				})
			}
			mounted, err := h.Mounted()
			if err != nil {
				return err
			}
			if format == "json" {
				rows := make([]mountRow, 0, len(mounted))
				for _, m := range mounted {
					rows = append(rows, newMountRow(m.Record, m.MountPoint))
				}
				return writeJSON(w, rows)
			}
			for _, m := range mounted {
				fmt.Fprintf(w, "%s %s\n", idColumn(m.Record, noTrunc), m.MountPoint)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "mount every container")
	fl.BoolVar(&noTrunc, "no-trunc", false, "show full container IDs")
	fl.StringVar(&format, "format", "", "print the mounted containers as json")
	return cmd
}

func idColumn(rec *container.Record, noTrunc bool) string {
	if noTrunc {
		return rec.Config.ID
	}
	return container.ShortID(rec.Config.ID)
}

func newUmountCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:     "umount [flags] CONTAINER [CONTAINER...]",
		Aliases: []string{"unmount"},
		Short:   "Undo pod mount: unmount containers' root filesystems",
		Long: "Undo pod mount's mounts of containers' root filesystems (all of them with -f). A running\n" +
			"container's root filesystem stays mounted for it.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.inUnshare(cmd); err != nil {
				return err
			}
			if len(args) == 0 && !all {
				return usageErrorf("pod %s needs at least one container (or --all)", cmd.Name())
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			targets := args
			if all {
				mounted, err := h.Mounted()
				if err != nil {
					return err
				}
				for _, m := range mounted {
					targets = append(targets, m.Record.Config.ID)
				}
			}
			return eachTarget(cmd, targets, func(ref string) (string, error) {
				rec, err := h.Unmount(ref, force)
				if err != nil {
					return "", err
				}
				return rec.Config.ID, nil
			})
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "unmount every container pod mount mounted")
	fl.BoolVarP(&force, "force", "f", false, "undo all of pod mount's mounts of each container, not one")
	return cmd
}
