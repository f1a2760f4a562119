package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/userns"
)

// newSystemCommand groups host-wide commands: info, prune, migrate.
func newSystemCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "system",
		Short: "Manage pod on this host",
	}
	cmd.AddCommand(newInfoCommand(g), newSystemPruneCommand(g), newSystemMigrateCommand(g), newSystemDfCommand(g), newSystemCheckCommand(g), newSystemResetCommand(g))
	return cmd
}

// confirm asks a yes/no question on out and reads the answer from in.
func confirm(in io.Reader, out io.Writer, question string) bool {
	fmt.Fprintf(out, "%s\nAre you sure you want to continue? [y/N] ", question)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

func newSystemPruneCommand(g *globalOptions) *cobra.Command {
	var o lifecycle.PruneOptions
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove stopped containers, dangling images (-a: unused images) and, with --volumes, unused volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !confirm(cmd.InOrStdin(), cmd.OutOrStdout(), "WARNING! This will remove:\n"+pruneWhat(o)) {
				return nil
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			rep, err := h.Prune(cmd.Context(), o)
			printPruneReport(cmd.OutOrStdout(), rep, o.Volumes)
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "remove all unused images, not only dangling ones")
	f.BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	f.BoolVar(&o.Volumes, "volumes", false, "also remove volumes no container uses")
	f.StringArrayVar(&o.Filters, "filter", nil, "only prune images that match (until=, label=)")
	return cmd
}

// pruneWhat lists what system prune removes, for its question.
func pruneWhat(o lifecycle.PruneOptions) string {
	what := "  - all stopped pods\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images"
	if o.All {
		what = "  - all stopped pods\n  - all stopped containers\n  - all networks not used by at least one container\n  - all images without at least one container associated to them"
	}
	if o.Volumes {
		what += "\n  - all volumes not used by at least one container"
	}
	return what
}

func printPruneReport(w io.Writer, rep lifecycle.PruneReport, vols bool) {
	if len(rep.Pods) > 0 {
		fmt.Fprintln(w, "Deleted Pods")
		for _, id := range rep.Pods {
			fmt.Fprintln(w, id)
		}
	}
	fmt.Fprintln(w, "Deleted Containers")
	for _, id := range rep.Containers {
		fmt.Fprintln(w, id)
	}
	if len(rep.Networks) > 0 {
		fmt.Fprintln(w, "Deleted Networks")
		for _, n := range rep.Networks {
			fmt.Fprintln(w, n)
		}
	}
	if vols {
		fmt.Fprintln(w, "Deleted Volumes")
		for _, name := range rep.Volumes {
			fmt.Fprintln(w, name)
		}
	}
	fmt.Fprintln(w, "Deleted Images")
	var space int64
	for _, p := range rep.Images {
		fmt.Fprintln(w, p.ID)
		space += p.Size
	}
	if len(rep.Layers) > 0 {
		fmt.Fprintln(w, "Deleted Layers (of no image or container)")
	}
	for _, l := range rep.Layers {
		fmt.Fprintln(w, l.ID)
		space += l.Size
	}
	fmt.Fprintf(w, "Total reclaimed space: %s\n", units.HumanSize(float64(space)))
}

// newSystemMigrateCommand starts afresh after /etc/subuid or /etc/subgid
// changed: containers are stopped and the pause process ends, so the next
// call creates a namespace with the new ranges.
func newSystemMigrateCommand(g *globalOptions) *cobra.Command {
	var newRuntime string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Stop all containers and the pause process, so the next call uses new subuid/subgid ranges",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if newRuntime != "" {
				return usageErrorf("--new-runtime %s: pod chooses the OCI runtime at each start (--runtime, else the first that works here), so containers keep none to change: start them with --runtime %s", newRuntime, newRuntime)
			}
			h, targets, err := containerTargets(cmd, g, nil, true, activeOnly)
			if err != nil {
				return err
			}
			zero := 0
			for _, t := range targets {
				if err := h.Stop(cmd.Context(), t, lifecycle.StopOptions{Timeout: &zero}); err != nil {
					return fmt.Errorf("stopping container %s: %w", t, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "stopped %s\n", t)
			}
			if !g.mode.Rootless {
				return nil
			}
			return userns.StopPause(g.mode, 10*time.Second)
		},
	}
	cmd.Flags().StringVar(&newRuntime, "new-runtime", "", "refused: pod keeps no runtime per container (give --runtime at start)")
	return cmd
}

// newSystemResetCommand builds `pod system reset`: every container,
// image, volume, secret and user network removed, and the store with
// them.
func newSystemResetCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "reset [flags]",
		Short: "Remove every container, image, volume, secret and network, and the store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !confirm(cmd.InOrStdin(), cmd.OutOrStdout(), "WARNING! This will remove:\n - all containers\n - all images\n - all networks\n - all build cache\n - all volumes\n - all secrets") {
				return nil
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			if err := h.Reset(cmd.Context()); err != nil {
				return err
			}
			// The store is gone: nothing to shut down at the end.
			g.st = nil
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return cmd
}
