package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newLogoutCommand builds `pod logout`.
func newLogoutCommand(g *globalOptions) *cobra.Command {
	var rf registryFlags
	var all bool
	cmd := &cobra.Command{
		Use:   "logout [flags] [REGISTRY]",
		Short: "Log out of a registry",
		Long:  "Remove the stored credentials of REGISTRY (default docker.io), or of all registries with --all.",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			registry := "docker.io"
			if len(args) == 1 {
				registry = args[0]
			} else if all {
				registry = ""
			}
			if all && len(args) == 1 {
				return usageErrorf("--all takes no registry")
			}
			if err := image.Logout(registry, all, rf.options(cmd)); err != nil {
				return err
			}
			if all {
				fmt.Fprintln(cmd.OutOrStdout(), "Removed login credentials for all registries")
				return nil
			}
			key, _ := image.RegistryKey(registry)
			fmt.Fprintf(cmd.OutOrStdout(), "Removed login credentials for %s\n", key)
			return nil
		},
	}
	cmd.Flags().StringVar(&rf.authFile, "authfile", "", "auth file (default: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json)")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove the credentials of all registries")
	return cmd
}
