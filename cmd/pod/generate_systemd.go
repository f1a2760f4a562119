package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/systemd"
)

// generateSystemdFlags are the flags of generate systemd.
type generateSystemdFlags struct {
	o                                     systemd.ContainerUnitOptions
	files                                 bool
	pod, prefix, separator, format        string
	podPrefix                             string
	restartSec, startTimeout, stopTimeout uint
}

func newGenerateSystemdCommand(g *globalOptions) *cobra.Command {
	var f generateSystemdFlags
	cmd := &cobra.Command{
		Use:   "systemd [flags] CONTAINER",
		Short: "Write a systemd unit that runs a container",
		Long: "Writes a systemd service unit for a container, as podman generate systemd does:\n" +
			"with --new the unit creates the container when it starts and removes it when it\n" +
			"stops; without, it starts and stops the existing container.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			rec, err := h.Load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			o, err := f.options(cmd, g, h, rec)
			if err != nil {
				return err
			}
			if f.format != "" && f.format != "json" {
				return usageErrorf("--format %q: generate systemd prints json or the units themselves", f.format)
			}
			name, text, err := systemd.ContainerUnit(&rec.Config, o)
			if err != nil {
				return usageErrorf("%v", err)
			}
			out := text
			if f.files {
				p, err := filepath.Abs(name + ".service")
				if err == nil {
					err = os.WriteFile(p, []byte(text), 0o644)
				}
				if err != nil {
					return err
				}
				out = p + "\n"
			}
			if f.format == "json" {
				// Podman's: the unit's name, and its text (or with
				// --files its path).
				return writeJSON(cmd.OutOrStdout(), map[string]string{name: strings.TrimSuffix(out, "\n")})
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.o.New, "new", false, "create the container when the unit starts and remove it when it stops")
	fl.BoolVarP(&f.o.UseName, "name", "n", false, "use the container's name, not its ID, in the unit")
	fl.BoolVarP(&f.files, "files", "f", false, "write the unit as UNIT.service in the current directory and print its path")
	fl.StringVar(&f.o.RestartPolicy, "restart-policy", "", "systemd Restart= policy: no, on-success, on-failure (default), on-abnormal, on-watchdog, on-abort, always")
	fl.UintVar(&f.restartSec, "restart-sec", 0, "systemd RestartSec=")
	fl.UintVar(&f.startTimeout, "start-timeout", 0, "systemd TimeoutStartSec=")
	fl.UintVar(&f.stopTimeout, "stop-timeout", 0, "seconds to wait for the container to stop (default: its --stop-timeout, or 10)")
	fl.UintVarP(&f.stopTimeout, "time", "t", 0, "same as --stop-timeout")
	fl.StringVar(&f.prefix, "container-prefix", "container", "unit name prefix")
	fl.StringVar(&f.separator, "separator", "-", "separator between the prefix and the name or ID")
	fl.StringArrayVar(&f.o.Wants, "wants", nil, "add Wants= on a unit")
	fl.StringArrayVar(&f.o.After, "after", nil, "add After= on a unit")
	fl.StringArrayVar(&f.o.Requires, "requires", nil, "add Requires= on a unit")
	fl.StringArrayVarP(&f.o.Env, "env", "e", nil, "add Environment=KEY=VALUE for the unit's commands")
	fl.BoolVar(&f.o.NoHeader, "no-header", false, "leave out the header with pod's version and the date")
	fl.StringVar(&f.pod, "pod-path", "", "the pod binary the unit runs (default: this one)")
	fl.StringVar(&f.format, "format", "", "print the unit (or with --files its path) as json, by unit name")
	fl.BoolVar(&f.o.Template, "template", false, "make a template unit, NAME@.service, whose instances run NAME-INSTANCE (implies --new)")
	fl.StringVar(&f.podPrefix, "pod-prefix", "pod", "unit name prefix for groups of containers (a container's unit takes --container-prefix)")
	return cmd
}

// options are the unit's options for the container rec.
func (f *generateSystemdFlags) options(cmd *cobra.Command, g *globalOptions, h *lifecycle.Host, rec *container.Record) (systemd.ContainerUnitOptions, error) {
	o := f.o
	fl := cmd.Flags()
	if fl.Changed("restart-sec") {
		o.RestartSec = &f.restartSec
	}
	if fl.Changed("start-timeout") {
		o.StartTimeout = &f.startTimeout
	}
	if fl.Changed("stop-timeout") || fl.Changed("time") {
		o.StopTimeout = &f.stopTimeout
	}
	o.Prefix, o.Separator = &f.prefix, &f.separator
	if o.Template {
		// Podman's rule: --template implies --new, and refuses --new=false.
		if fl.Changed("new") && !o.New {
			return o, usageErrorf("--template makes units that create their containers: it cannot be used with --new=false")
		}
		o.New = true
	}
	var err error
	if o.Pod, err = podPath(f.pod); err != nil {
		return o, err
	}
	if o.GlobalArgs, err = g.unitArgs(cmd); err != nil {
		return o, err
	}
	if img, err := image.Lookup(h.Store, rec.Config.ImageID); err == nil {
		o.Image = &img.Config.Config
	}
	switch {
	case !o.New:
		o.RunRoot = h.Store.RunRoot()
		if rec.Config.RestartPolicy != "" {
			logrus.Warnf("container %s has restart policy %q, which can fight systemd's at shutdown: recreate it without one and let Restart= restart it, or use --new", rec.Config.Name, rec.Config.RestartPolicy)
		}
	case g.runroot != "":
		o.RunRoot = h.Store.RunRoot()
	}
	o.Version, o.Now = version, time.Now()
	o.HasRunFlag = func(flag string) bool { return podHasFlag("run", flag) }
	return o, nil
}

// unitArgs are the global flags of this call that a unit's pod commands
// need to act on the same store: --root, --runroot, --storage-driver and
// --runtime as given, the paths made absolute.
func (g *globalOptions) unitArgs(cmd *cobra.Command) ([]string, error) {
	var out []string
	for _, f := range []struct {
		name, value string
		path        bool
	}{{"root", g.root, true}, {"runroot", g.runroot, true}, {"storage-driver", g.storageDriver, false}, {"runtime", g.runtime, false}} {
		if !cmd.Flags().Changed(f.name) {
			continue
		}
		v := f.value
		if f.path {
			var err error
			if v, err = filepath.Abs(v); err != nil {
				return nil, err
			}
		}
		out = append(out, "--"+f.name, v)
	}
	return out, nil
}
