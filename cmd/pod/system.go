package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/userns"
	"github.com/pod-project/pod/volumes"
)

// newSystemCommand groups host-wide commands: info, prune, migrate.
func newSystemCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "system",
		Short: "Manage pod on this host",
	}
	cmd.AddCommand(newInfoCommand(g), newSystemPruneCommand(g), newSystemMigrateCommand(g))
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
	var all, force, vols bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove stopped containers, dangling images (-a: unused images) and, with --volumes, unused volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if !force {
				what := "  - all stopped containers\n  - all dangling images"
				if all {
					what = "  - all stopped containers\n  - all images without at least one container associated to them"
				}
				if vols {
					what += "\n  - all volumes not used by at least one container"
				}
				if !confirm(cmd.InOrStdin(), w, "WARNING! This will remove:\n"+what) {
					return nil
				}
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			recs, err := g.listContainers(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintln(w, "Deleted Containers")
			for _, r := range recs {
				if r.Active() {
					continue
				}
				if err := removeWithVolumes(st, &r.Config); err != nil {
					return fmt.Errorf("removing container %s: %w", r.Config.Name, err)
				}
				fmt.Fprintln(w, r.Config.ID)
			}
			if vols {
				fmt.Fprintln(w, "Deleted Volumes")
				removed, err := volumes.Prune(st, volumes.New(st.GraphRoot()), nil)
				for _, name := range removed {
					fmt.Fprintln(w, name)
				}
				if err != nil {
					return err
				}
			}
			fmt.Fprintln(w, "Deleted Images")
			pruned, err := image.Prune(st, image.PruneOptions{All: all, Filters: filters})
			var space int64
			for _, p := range pruned {
				fmt.Fprintln(w, p.ID)
				space += p.Size
			}
			fmt.Fprintf(w, "Total reclaimed space: %s\n", units.HumanSize(float64(space)))
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all unused images, not only dangling ones")
	f.BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	f.BoolVar(&vols, "volumes", false, "also remove volumes no container uses")
	f.StringArrayVar(&filters, "filter", nil, "only prune images that match (until=, label=)")
	return cmd
}

// newSystemMigrateCommand starts afresh after /etc/subuid or /etc/subgid
// changed: containers are stopped and the pause process ends, so the next
// call creates a namespace with the new ranges.
func newSystemMigrateCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Stop all containers and the pause process, so the next call uses new subuid/subgid ranges",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, err := g.listContainers(cmd.Context())
			if err != nil {
				return err
			}
			for _, r := range recs {
				if !r.Active() {
					continue
				}
				zero := 0
				if err := r.Stop(cmd.Context(), &zero); err != nil {
					return fmt.Errorf("stopping container %s: %w", r.Config.Name, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "stopped %s\n", r.Config.Name)
			}
			if !g.mode.Rootless {
				return nil
			}
			return userns.StopPause(g.mode, 10*time.Second)
		},
	}
}
