package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/monitor"
	"github.com/pod-project/pod/runtime"
)

// createFlags are the flags `run` (and later `create`) turn into a Config.
type createFlags struct {
	name, hostname, workdir, user, network string
	entrypoint                             string
	env, envFile, capAdd, capDrop, secOpt  []string
	labels                                 []string
	interactive, tty, rm                   bool
	readOnly, privileged                   bool
	stopSignal                             string
	stopTimeout                            int
}

func (f *createFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.StringVar(&f.name, "name", "", "assign a name to the container")
	fl.StringVarP(&f.hostname, "hostname", "h", "", "container host name (default: the short container ID)")
	fl.StringVarP(&f.workdir, "workdir", "w", "", "working directory inside the container (created when missing)")
	fl.StringVarP(&f.user, "user", "u", "", "USER[:GROUP] to run as, by name or number")
	fl.StringVar(&f.network, "network", "", "network mode: none or host (default: a private network namespace)")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "overwrite the image's ENTRYPOINT")
	fl.StringArrayVarP(&f.env, "env", "e", nil, "set environment variables (KEY=VALUE, or KEY to pass the host's)")
	fl.StringArrayVar(&f.envFile, "env-file", nil, "read environment variables from a file")
	fl.StringArrayVarP(&f.labels, "label", "l", nil, "set metadata on the container (KEY=VALUE)")
	fl.StringSliceVar(&f.capAdd, "cap-add", nil, "add Linux capabilities")
	fl.StringSliceVar(&f.capDrop, "cap-drop", nil, "drop Linux capabilities")
	fl.StringArrayVar(&f.secOpt, "security-opt", nil, "security options: seccomp=unconfined|FILE, no-new-privileges")
	fl.BoolVarP(&f.interactive, "interactive", "i", false, "keep STDIN open")
	fl.BoolVarP(&f.tty, "tty", "t", false, "allocate a pseudo-TTY")
	fl.BoolVar(&f.rm, "rm", false, "remove the container when it exits")
	fl.BoolVar(&f.readOnly, "read-only", false, "mount the container's root filesystem read-only")
	fl.BoolVar(&f.privileged, "privileged", false, "give extended privileges (as far as rootless allows)")
	fl.StringVar(&f.stopSignal, "stop-signal", "", "signal to stop the container (default: the image's, or SIGTERM)")
	fl.IntVar(&f.stopTimeout, "stop-timeout", -1, "seconds to wait before killing the container on stop")
	// -h is --hostname, as in Docker; help stays on --help.
	cmd.Flags().BoolP("help", "", false, "help for "+cmd.Name())
}

// config turns the flags into the container's Config.
func (f *createFlags) config(cmd *cobra.Command, imageRef string, args []string) (*container.Config, error) {
	env, err := container.ParseEnv(f.env, f.envFile, os.LookupEnv)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	labels, err := container.ParseLabels(f.labels)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	switch f.network {
	case "", "none", "host", "private", "default":
	default:
		return nil, usageErrorf("--network %q: use none or host (user-mode networks come with slirp4netns/pasta support)", f.network)
	}
	cfg := &container.Config{
		Name: f.name, Hostname: f.hostname, WorkingDir: f.workdir, User: f.user,
		NetworkMode: f.network, Env: env, Labels: labels, Image: imageRef,
		Interactive: f.interactive, Tty: f.tty, AutoRemove: f.rm,
		CapAdd: f.capAdd, CapDrop: f.capDrop, Privileged: f.privileged,
		ReadOnlyRootfs: f.readOnly, SecurityOpt: f.secOpt, StopSignal: f.stopSignal,
		Created: time.Now().UTC(),
	}
	if cmd.Flags().Changed("entrypoint") {
		cfg.Entrypoint = []string{}
		if f.entrypoint != "" {
			cfg.Entrypoint = []string{f.entrypoint}
		}
	}
	if len(args) > 0 {
		cfg.Cmd = args
	}
	if cmd.Flags().Changed("stop-timeout") {
		t := f.stopTimeout
		cfg.StopTimeout = &t
	}
	sec, err := runtime.ParseSecurityOpts(f.secOpt)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if _, err := runtime.Capabilities(f.capAdd, f.capDrop, f.privileged); err != nil {
		return nil, usageErrorf("%v", err)
	}
	if p := sec.Seccomp; p != "" && p != "builtin" && p != "unconfined" {
		// Read now, so the container keeps its profile if the file goes.
		if cfg.SeccompProfile, err = os.ReadFile(p); err != nil {
			return nil, usageErrorf("--security-opt seccomp=%s: %v", p, err)
		}
	}
	return cfg, nil
}

func newRunCommand(g *globalOptions) *cobra.Command {
	var f createFlags
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Run a command in a new container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.config(cmd, args[0], args[1:])
			if err != nil {
				return err
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			img, err := image.Lookup(st, args[0])
			if err != nil {
				return err
			}
			cfg.ImageID = img.ID
			cfg.Command, _ = container.Command(cfg, &img.Config.Config)
			rt, err := g.ociRuntime(cmd.Context())
			if err != nil {
				return err
			}
			rec, err := container.Create(st, cfg)
			if err != nil {
				return err
			}
			code, runErr := monitor.Run(cmd.Context(), st, rec, &img.Config.Config, monitor.RunOptions{
				Runtime: rt, Rootless: g.mode.Rootless,
				Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			})
			if cfg.AutoRemove {
				if err := container.Remove(st, rec.Config.ID); err != nil && runErr == nil {
					runErr = fmt.Errorf("removing container %s after it exited: %w", cfg.Name, err)
				}
			}
			if runErr != nil {
				return runErr
			}
			return &containerExit{code: code}
		},
	}
	f.register(cmd)
	return cmd
}
