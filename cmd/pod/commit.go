package main

import (
	"fmt"

	"github.com/pod-project/pod/lifecycle"
	"github.com/spf13/cobra"
)

func newCommitCommand(g *globalOptions) *cobra.Command {
	var (
		changes                          []string
		message, author, format, iidfile string
		pause, quiet, includeVolumes     bool
		squash                           bool
	)
	cmd := &cobra.Command{
		Use:   "commit [flags] CONTAINER [IMAGE]",
		Short: "Create a new image from a container's changes",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := confImageFormat(cmd, g.conf); err != nil {
				return err
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			o := lifecycle.CommitOptions{Changes: changes, Message: message, Author: author, Pause: pause,
				Format: format, IncludeVolumes: includeVolumes, Squash: squash}
			if format != "oci" && format != "docker" {
				return usageErrorf("--format %q: use oci or docker", format)
			}
			if len(args) == 2 {
				o.Reference = args[1]
			}
			// Rootless containers have no cgroup of their own to freeze:
			// they are committed unpaused, as Podman does.
			if pause && !g.mode.Rootless {
				if rt, err := g.ociRuntime(cmd.Context()); err == nil {
					o.Pauser = rt
				}
			}
			id, err := lifecycle.Commit(cmd.Context(), st, args[0], o)
			if err != nil {
				return err
			}
			g.imageEvent("commit", id, o.Reference)
			if err := writeIIDFile(iidfile, id); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), "sha256:"+id)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&changes, "change", "c", nil, "apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)")
	fl.StringVarP(&message, "message", "m", "", "commit message")
	fl.StringVarP(&author, "author", "a", "", `author (e.g., "Jane Doe <jane@example.com>")`)
	fl.BoolVarP(&pause, "pause", "p", true, "pause the container during the commit (where cgroups allow it)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "accepted for compatibility (pod prints no progress)")
	fl.StringVarP(&format, "format", "f", "oci", "manifest format: oci or docker")
	fl.StringVar(&iidfile, "iidfile", "", "write the new image's ID to this file")
	fl.BoolVar(&includeVolumes, "include-volumes", false, "make the container's volume mount points volumes of the image")
	fl.BoolVarP(&squash, "squash", "s", false, "merge all the image's layers into one")
	return cmd
}
