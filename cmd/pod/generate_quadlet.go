package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/systemd"
)

func newGenerateQuadletCommand(g *globalOptions) *cobra.Command {
	var dryrun, install, user, system bool
	var pod string
	cmd := &cobra.Command{
		Use:   "quadlet [flags]",
		Short: "Turn Quadlet-format files (.container, .volume, .image) into systemd units",
		Long: "Reads the Quadlet-format files the generator reads (~/.config/pod/systemd/,\n" +
			"/etc/pod/systemd/users/ for a user, /etc/pod/systemd/ for the system, or the\n" +
			"colon-separated $" + systemd.QuadletDirsEnv + ") and prints their units (--dryrun) or\n" +
			"writes them where systemd reads a user's or the system's units (--install).",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{noNamespace: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case dryrun == install:
				return usageErrorf("give --dryrun to print the units or --install to write them")
			case user && system:
				return usageErrorf("--user and --system conflict")
			}
			o := systemd.QuadletOptions{User: os.Geteuid() != 0, HasFlag: podHasFlag}
			if user || system {
				o.User = user
			}
			var err error
			if o.Pod, err = podPath(pod); err != nil {
				return err
			}
			units, failed := systemd.GenerateQuadlets(o, os.Getenv)
			if dryrun {
				err = systemd.PrintUnits(cmd.OutOrStdout(), "", units)
			} else {
				err = installUnits(cmd, o.User, units)
			}
			for _, f := range failed {
				reportError(cmd.ErrOrStderr(), f)
			}
			if err == nil && len(failed) > 0 {
				err = container.ExitStatus(125)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dryrun, "dryrun", false, "print the units the generator would write")
	f.BoolVar(&install, "install", false, "write the units into ~/.config/systemd/user/ (--system: /etc/systemd/system/)")
	f.BoolVar(&user, "user", false, "the user's files and units (the default when not root)")
	f.BoolVar(&system, "system", false, "the system's files and units (the default as root)")
	f.StringVar(&pod, "pod-path", "", "the pod binary the units run (default: this one)")
	return cmd
}

// installUnits writes the units where the user's (or the system's)
// service manager reads them and says how to make it read them.
func installUnits(cmd *cobra.Command, user bool, units []systemd.Generated) error {
	dir := systemd.SystemUnitDir
	if user {
		var err error
		if dir, err = systemd.UserUnitDir(os.Getenv); err != nil {
			return err
		}
	}
	written, err := systemd.WriteUnits(dir, units)
	out := cmd.OutOrStdout()
	for _, p := range written {
		fmt.Fprintln(out, p)
	}
	if len(written) > 0 {
		if user {
			fmt.Fprintln(out, "run: systemctl --user daemon-reload")
		} else {
			fmt.Fprintln(out, "run: systemctl daemon-reload")
		}
	}
	return err
}

// generatorMain is pod started by systemd as one of its generators.
func generatorMain(args []string) int {
	o := systemd.GeneratorOptions{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr}
	o.Quadlet.HasFlag = podHasFlag
	var err error
	if o.Quadlet.Pod, err = podPath(""); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", args[0], err)
		return 1
	}
	return systemd.GeneratorMain(args, o)
}
