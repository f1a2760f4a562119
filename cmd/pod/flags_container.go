package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/runtime"
)

// The one registry of the flags of run, create and start. A flag is
// added in one group's register and turned into options in that group's
// one conversion:
//
//	containerFlags  run, create   what the new container is (→ lifecycle.CreateOptions)
//	runFlags        run           how run waits for it (→ lifecycle.RunOptions)
//	startFlags      start         which containers, attached or not (→ lifecycle.StartOptions)

// containerFlags describe a new container.
type containerFlags struct {
	name, hostname, workdir, user         string
	entrypoint                            string
	env, envFile, capAdd, capDrop, secOpt []string
	labels                                []string
	interactive, tty, rm                  bool
	readOnly, privileged, rootfs          bool
	stopSignal                            string
	pod, podIDFile                        string
	stopTimeout                           int
	vol                                   volumeFlags // -v, --mount, --tmpfs, --volumes-from
	pull                                  pullFlags   // --pull and the implicit pull's registry flags
	health                                healthFlags
	logs                                  logFlags
	restart                               restartFlags
	net                                   networkFlags // --network, -p, -P, --expose, --dns*, --add-host, --domainname
	unit                                  unitFlags    // --sdnotify, --cidfile, --replace, --pidfile, --cgroups
	res                                   resourceFlags
	proc                                  processFlags
}

func (f *containerFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.StringVar(&f.name, "name", "", "assign a name to the container")
	fl.StringVar(&f.pod, "pod", "", "run in the pod NAME or ID (new:NAME makes it, with this container's network flags as the pod's)")
	fl.StringVar(&f.podIDFile, "pod-id-file", "", "run in the pod whose ID this file holds")
	fl.StringVarP(&f.hostname, "hostname", "h", "", "container host name (default: the short container ID)")
	fl.StringVarP(&f.workdir, "workdir", "w", "", "working directory inside the container (created when missing)")
	fl.StringVarP(&f.user, "user", "u", "", "USER[:GROUP] to run as, by name or number")
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
	fl.BoolVar(&f.rootfs, "rootfs", false, "the first argument is a directory the container runs in (its root filesystem, changed in place) instead of an image")
	fl.BoolVar(&f.privileged, "privileged", false, "give extended privileges (as far as rootless allows)")
	fl.StringVar(&f.stopSignal, "stop-signal", "", "signal to stop the container (default: the image's, or SIGTERM)")
	fl.IntVar(&f.stopTimeout, "stop-timeout", -1, "seconds to wait before killing the container on stop")
	f.vol.register(fl)
	f.pull.register(cmd)
	f.health.register(fl)
	f.logs.register(fl)
	f.restart.register(fl)
	f.net.register(fl)
	f.unit.register(fl)
	f.res.register(fl, runResources)
	f.proc.register(fl)
	// -h is --hostname, as in Docker; help stays on --help.
	cmd.Flags().BoolP("help", "", false, "help for "+cmd.Name())
}

// options turns the flags and IMAGE [COMMAND [ARG...]] into what
// lifecycle.Create takes.
func (f *containerFlags) options(cmd *cobra.Command, args []string) (lifecycle.CreateOptions, error) {
	imageRef, rootfs := args[0], ""
	if f.rootfs {
		// --rootfs: the first argument is a directory to run in.
		if strings.HasSuffix(imageRef, ":O") {
			return lifecycle.CreateOptions{}, usageErrorf("--rootfs %s: an overlay over the directory (:O) is not supported: the container runs in the directory itself; copy it first to keep it unchanged", imageRef)
		}
		abs, err := filepath.Abs(imageRef)
		if err != nil {
			return lifecycle.CreateOptions{}, usageErrorf("--rootfs %s: %v", imageRef, err)
		}
		imageRef, rootfs = "", abs
	}
	cfg, err := f.config(cmd, imageRef, args[1:])
	if err != nil {
		return lifecycle.CreateOptions{}, err
	}
	cfg.Rootfs = rootfs
	o := lifecycle.CreateOptions{Config: cfg, PublishAll: f.net.publishAll, Replace: f.unit.replace, CidFile: f.unit.cidFile}
	if f.podIDFile != "" {
		if f.pod != "" {
			return o, usageErrorf("--pod and --pod-id-file name the pod twice: give one")
		}
		if cfg.Pod, err = podIDFromFile(f.podIDFile); err != nil {
			return o, err
		}
	}
	if o.Pull, o.PullOptions, err = f.pull.options(cmd); err != nil {
		return o, err
	}
	return o, nil
}

// config turns the flags into the container's Config.
func (f *containerFlags) config(cmd *cobra.Command, imageRef string, args []string) (*container.Config, error) {
	env, err := container.ParseEnv(f.env, f.envFile, os.LookupEnv)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	labels, err := container.ParseLabels(f.labels)
	labels = unitLabel(labels)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if err := f.checkValues(); err != nil {
		return nil, err
	}
	cfg := &container.Config{
		Name: f.name, Hostname: f.hostname, WorkingDir: f.workdir, User: f.user,
		Env: env, Labels: labels, Image: imageRef,
		Interactive: f.interactive, Tty: f.tty, AutoRemove: f.rm,
		CapAdd: f.capAdd, CapDrop: f.capDrop, Privileged: f.privileged,
		ReadOnlyRootfs: f.readOnly, SecurityOpt: f.secOpt, StopSignal: f.stopSignal,
		Created: time.Now().UTC(), Pod: f.pod,
	}
	if cmd.Flags().Changed("entrypoint") {
		cfg.Entrypoint = []string{}
		switch {
		case strings.HasPrefix(f.entrypoint, "["):
			// Podman's JSON form: several words.
			if err := json.Unmarshal([]byte(f.entrypoint), &cfg.Entrypoint); err != nil {
				return nil, usageErrorf("--entrypoint %s: a JSON array of strings: %v", f.entrypoint, err)
			}
		case f.entrypoint != "":
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
	for _, apply := range []func(*container.Config) error{f.vol.apply, f.health.apply, f.logs.apply, f.restart.apply, f.net.apply, f.unit.apply, f.proc.apply} {
		if err := apply(cfg); err != nil {
			return nil, err
		}
	}
	res, err := f.res.parseNew()
	if err != nil {
		return nil, err
	}
	if !res.IsZero() {
		cfg.Resources = &res
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

// checkValues refuses a --hostname, --workdir or --stop-signal Docker
// would refuse, before anything is made.
func (f *containerFlags) checkValues() error {
	if f.hostname != "" {
		if err := container.CheckHostName("--hostname", f.hostname); err != nil {
			return usageErrorf("%v", err)
		}
	}
	if f.workdir != "" {
		if err := container.CheckWorkdir(f.workdir); err != nil {
			return usageErrorf("%v", err)
		}
	}
	if f.stopSignal != "" {
		if _, err := container.ParseSignal(f.stopSignal); err != nil {
			return usageErrorf("--stop-signal: %v", err)
		}
	}
	return nil
}

// userStdio is the user's stdio for an attached run; stdin only when
// interactive (else /dev/null, which the caller closes).
func userStdio(interactive bool) (*lifecycle.Stdio, func(), error) {
	if interactive {
		return &lifecycle.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, func() {}, nil
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, nil, err
	}
	return &lifecycle.Stdio{Stdin: null, Stdout: os.Stdout, Stderr: os.Stderr}, func() { null.Close() }, nil
}

// runFlags are run's own flags.
type runFlags struct {
	detach, sigProxy bool
	attach           []string
	detachKeys       string
	preserveFDs      uint
}

func (f *runFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVarP(&f.detach, "detach", "d", false, "run the container in the background and print its ID")
	fl.BoolVar(&f.sigProxy, "sig-proxy", true, "pass the signals pod gets to the container (attached)")
	fl.UintVar(&f.preserveFDs, "preserve-fds", 0, "pass pod's file descriptors 3 to 3+N-1 on to the container's process")
	fl.StringVar(&f.detachKeys, "detach-keys", lifecycle.DefaultDetachKeys, "with -it: keys that detach from the container, leaving it running (\"\" never detaches)")
	fl.StringSliceVarP(&f.attach, "attach", "a", nil, "attach only these of the container's streams: stdin, stdout, stderr")
}

// options are the lifecycle's RunOptions for a container made from co.
func (f *runFlags) options(co lifecycle.CreateOptions) (lifecycle.RunOptions, func(), error) {
	o := lifecycle.RunOptions{Create: co, Detach: f.detach, PreserveFDs: f.preserveFDs}
	done := func() {}
	for fd := 3; fd < 3+int(f.preserveFDs); fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return o, done, usageErrorf("--preserve-fds %d: file descriptor %d is not open", f.preserveFDs, fd)
		}
	}
	keys, err := lifecycle.ParseDetachKeys(f.detachKeys)
	if err != nil {
		return o, done, usageErrorf("--detach-keys: %v", err)
	}
	if f.detach {
		if len(f.attach) > 0 {
			return o, done, usageErrorf("--attach and --detach cannot be used together")
		}
		return o, done, nil
	}
	o.Stdio = &lifecycle.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, NoSigProxy: !f.sigProxy, DetachKeys: keys}
	if done, err = o.Stdio.Only(f.attach); err != nil {
		return o, done, usageErrorf("%v", err)
	}
	return o, done, nil
}

// startFlags are start's flags.
type startFlags struct {
	attach, interactive, all, latest bool
	sigProxy                         bool
	filters                          []string
	detachKeys                       string
}

func (f *startFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVarP(&f.attach, "attach", "a", false, "attach to the container's output and wait for it")
	fl.BoolVarP(&f.interactive, "interactive", "i", false, "attach the container's stdin")
	fl.BoolVar(&f.sigProxy, "sig-proxy", true, "with --attach: pass the signals pod gets to the container")
	fl.StringVar(&f.detachKeys, "detach-keys", lifecycle.DefaultDetachKeys, "with --attach and a terminal (-t): keys that detach from the container, leaving it running (\"\" never detaches)")
	fl.BoolVar(&f.all, "all", false, "start every container that is not running (see --filter)")
	fl.StringArrayVarP(&f.filters, "filter", "f", nil, "with --all: only containers matching (restart-policy=always, status=exited...)")
	fl.BoolVarP(&f.latest, "latest", "l", false, "start the container created last")
}

// attached: start -a or -i joins the user to the container.
func (f *startFlags) attached() bool { return f.attach || f.interactive }

// check refuses what start cannot do with args.
func (f *startFlags) check(args []string) error {
	switch {
	case f.latest && (len(args) > 0 || f.all):
		return usageErrorf("--latest and containers cannot be used together")
	case len(args) == 0 && !f.all && !f.latest:
		return usageErrorf("pod start needs at least one container (or --all, or --latest)")
	case f.attached() && f.latest:
		return nil
	case f.attached() && (len(args) != 1 || f.all):
		return usageErrorf("you cannot start and attach several containers at once")
	case len(f.filters) > 0 && !f.all:
		return usageErrorf("--filter needs --all")
	}
	if _, err := lifecycle.ParseDetachKeys(f.detachKeys); err != nil {
		return usageErrorf("--detach-keys: %v", err)
	}
	return nil
}

// unitLabel records the systemd unit pod runs in ($PODMAN_SYSTEMD_UNIT, as
// Podman, or $POD_SYSTEMD_UNIT), which pod auto-update restarts, unless
// --label gave one.
func unitLabel(labels map[string]string) map[string]string {
	if _, ok := labels[container.UnitLabel]; ok {
		return labels
	}
	for _, v := range []string{"PODMAN_SYSTEMD_UNIT", "POD_SYSTEMD_UNIT"} {
		if u := os.Getenv(v); u != "" {
			if labels == nil {
				labels = map[string]string{}
			}
			labels[container.UnitLabel] = u
			break
		}
	}
	return labels
}
