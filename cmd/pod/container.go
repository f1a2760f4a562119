package main

import "github.com/spf13/cobra"

// newContainerCommand groups the container commands: `pod container ls` is
// `pod ps`, built by the same constructors.
func newContainerCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "container",
		Short: "Manage containers",
	}
	ls := newPsCommand(g)
	ls.Use, ls.Aliases = "ls [flags]", []string{"list", "ps"}
	cmd.AddCommand(ls, newRmCommand(g), newRunCommand(g), newContainerInspectCommand(g))
	cmd.AddCommand(newLogsCommand(g))
	cmd.AddCommand(newCreateCommand(g), newStartCommand(g), newStopCommand(g), newRestartCommand(g))
	cmd.AddCommand(newKillCommand(g), newWaitCommand(g), newAttachCommand(g))
	cmd.AddCommand(newPortCommand(g), newContainerPruneCommand(g), newContainerExistsCommand(g), newMountCommand(g), newUmountCommand(g), newUpdateCommand(g))
	cmd.AddCommand(newExecCommand(g), newCpCommand(g), newDiffCommand(g), newCommitCommand(g), newExportCommand(g), newRenameCommand(g), newTopCommand(g), newPauseCommand(g), newUnpauseCommand(g), newStatsCommand(g))
	return cmd
}
