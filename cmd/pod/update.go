package main

import (
	"github.com/spf13/cobra"
)

func newUpdateCommand(g *globalOptions) *cobra.Command {
	var r resourceFlags
	cmd := &cobra.Command{
		Use:   "update [flags] CONTAINER [CONTAINER...]",
		Short: "Change containers' cgroup limits, at once if they run and at every later start",
		Long: "Change containers' cgroup limits: a running container gets them at once, and every later\n" +
			"start applies them. A container needs a cgroup of its own: rootful containers have one;\n" +
			"rootless ones are refused, saying what the host lacks.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := r.parse()
			if err != nil {
				return err
			}
			if u.IsZero() {
				return usageErrorf("pod update: give at least one limit (--memory, --cpus, --cpu-shares, ...)")
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			return eachTarget(cmd, args, func(ref string) (string, error) {
				rec, err := h.Update(cmd.Context(), ref, u)
				if err != nil {
					return "", err
				}
				return rec.Config.ID, nil
			})
		},
	}
	r.register(cmd.Flags(), updateResources)
	return cmd
}
