package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/volumes"
)

func newVolumeCreateCommand(g *globalOptions) *cobra.Command {
	var labels, opts []string
	var driver string
	var uid, gid int
	var ignore bool
	cmd := &cobra.Command{
		Use:   "create [flags] [NAME]",
		Short: "Create a volume",
		Long: "Create a volume; a random name is chosen when NAME is omitted.\n" +
			"Driver options (--opt) as Docker's local driver: type=tmpfs with o=size=64m,uid=...,\n" +
			"or type=none,device=/host/dir,o=bind.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := volumeCreateOptions(args, driver, labels, opts)
			if err != nil {
				return err
			}
			o.IgnoreExisting = ignore
			if cmd.Flags().Changed("uid") {
				o.UID = &uid
			}
			if cmd.Flags().Changed("gid") {
				o.GID = &gid
			}
			_, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			v, err := vs.Create(o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), v.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&driver, "driver", "d", "local", "volume driver (only local)")
	f.StringArrayVarP(&labels, "label", "l", nil, "set metadata on the volume (KEY=VALUE)")
	f.StringArrayVarP(&opts, "opt", "o", nil, "driver options: type=tmpfs|none, device=..., o=...")
	f.IntVar(&uid, "uid", 0, "owner (user ID inside containers) of the volume's data directory")
	f.IntVar(&gid, "gid", 0, "group (group ID inside containers) of the volume's data directory")
	f.BoolVar(&ignore, "ignore", false, "do nothing if the volume exists already")
	return cmd
}

// parseDriverOptions turns KEY=VALUE --opt values into a map; a repeated
// o= is joined with commas.
func parseDriverOptions(opts []string) (map[string]string, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--opt %q: use KEY=VALUE", o)
		}
		if k == "o" && m[k] != "" {
			v = m[k] + "," + v
		}
		m[k] = v
	}
	return m, nil
}

// volumeCreateOptions checks NAME, --driver, --label and --opt.
func volumeCreateOptions(args []string, driver string, labels, opts []string) (volumes.CreateOptions, error) {
	var o volumes.CreateOptions
	if len(args) == 1 {
		o.Name = args[0]
		if err := volumes.CheckName(o.Name); err != nil {
			return o, usageErrorf("volume name %v", err)
		}
	}
	if driver != "local" {
		return o, usageErrorf("--driver %q: only the local driver exists", driver)
	}
	var err error
	if o.Labels, err = container.ParseLabels(labels); err != nil {
		return o, usageErrorf("%v", err)
	}
	o.Options, err = parseDriverOptions(opts)
	return o, err
}
