package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/config"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/userns"
)

// globalOptions are the flags every command takes, and the handles opened
// from them once per call.
type globalOptions struct {
	root          string
	runroot       string
	storageDriver string
	runtime       string
	logLevel      string

	mode      userns.Mode
	storeOnce sync.Once
	st        storage.Store
	driver    string
	storeErr  error
	rt        *runtime.Runtime
	lc        *lifecycle.Host
	// eventsBackend is --events-backend: file or none.
	eventsBackend string
	// notifySocket is the unit's $NOTIFY_SOCKET (see prepare).
	notifySocket string
	// storageOpts, runtimeFlags, cgroupManager and noOut are
	// --storage-opt, --runtime-flag, --cgroup-manager and --noout.
	storageOpts, runtimeFlags []string
	cgroupManager             string
	noOut                     bool
	// conf and storageConf are containers.conf's and storage.conf's
	// settings (see loadConfig).
	conf        *config.Config
	storageConf *config.Storage
}

// noNamespace marks commands that must never create or join the user
// namespace (version, help, completion...).
const noNamespace = "pod.io/no-namespace"

func newRootCommand(g *globalOptions) *cobra.Command {
	self := engineName()
	root := &cobra.Command{
		Use:           self,
		Short:         "Run and manage OCI containers, rootless and daemonless",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.prepare(cmd)
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	// --version (-v) prints one line, as Podman's does, without joining
	// the user namespace (cobra answers it before any pre-run).
	root.Version = version
	root.SetVersionTemplate(self + " version {{.Version}}\n")
	f := root.PersistentFlags()
	f.StringVar(&g.root, "root", "", "storage graph root (default $XDG_DATA_HOME/pod/storage, or /var/lib/pod/storage as root)")
	f.StringVar(&g.runroot, "runroot", "", "storage run root (default $XDG_RUNTIME_DIR/pod/storage, or /run/pod/storage as root)")
	f.StringVar(&g.storageDriver, "storage-driver", "", "force a storage driver: overlay, fuse-overlayfs or vfs")
	f.StringVar(&g.runtime, "runtime", "", "force an OCI runtime: crun, runc, or a path")
	f.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	f.StringVar(&g.eventsBackend, "events-backend", "file", "where events are kept: file ($XDG_RUNTIME_DIR/pod/events/events.log) or none")
	f.StringArrayVar(&g.storageOpts, "storage-opt", nil, "a storage driver option, such as overlay.mount_program=PATH (\"\" drops pod's own)")
	f.StringArrayVar(&g.runtimeFlags, "runtime-flag", nil, "a global flag for the OCI runtime, without its dashes (debug, log-format=json)")
	f.StringVar(&g.cgroupManager, "cgroup-manager", "cgroupfs", "how cgroups are managed: cgroupfs (pod's way; systemd is refused)")
	f.BoolVar(&g.noOut, "noout", false, "print nothing on standard output")

	root.AddCommand(
		newVersionCommand(g),
		newInfoCommand(g),
		newUnshareCommand(g),
		newRunCommand(g),
		newPsCommand(g),
		newRmCommand(g),
		newContainerCommand(g),
		newImportCommand(g),
		newImagesCommand(g),
		newTagCommand(g),
		newUntagCommand(g),
		newRmiCommand(g),
		newHistoryCommand(g),
		newImageCommand(g),
		newInspectCommand(g),
		newVolumeCommand(g),
		newSecretCommand(g),
		newMountCommand(g),
		newUmountCommand(g),
		newUpdateCommand(g),
		newNetworkCommand(g),
		newPodsCommand(g),
		newComposeCommand(g),
		newKubeCommand(g),
		newCompletionCommand(g),
		newSystemCommand(g),
		newCreateCommand(g),
		newStartCommand(g),
		newStopCommand(g),
		newRestartCommand(g),
		newKillCommand(g),
		newWaitCommand(g),
		newAttachCommand(g),
		newPullCommand(g),
		newPushCommand(g),
		newLoginCommand(g),
		newLogoutCommand(g),
		newSaveCommand(g),
		newLoadCommand(g),
		newExecCommand(g),
		newCpCommand(g),
		newDiffCommand(g),
		newExportCommand(g),
		newRenameCommand(g),
		newTopCommand(g),
		newCommitCommand(g),
		newPauseCommand(g),
		newUnpauseCommand(g),
		newStatsCommand(g),
		newLogsCommand(g),
		newHealthcheckCommand(g),
		newBuildCommand(g),
		newBuildxCommand(g),
		newPortCommand(g),
		newGenerateCommand(g),
		newAutoUpdateCommand(g),
		newEventsCommand(g),
		newSearchCommand(g),
	)
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Annotations = map[string]string{noNamespace: "true"}
		}
	}
	markLayerWriters(root)
	addLatest(root, g)
	for _, c := range root.Commands() {
		commandNames = append(append(commandNames, c.Name()), c.Aliases...)
	}
	if slices.ContainsFunc(os.Args, func(a string) bool {
		return a == cobra.ShellCompRequestCmd || a == cobra.ShellCompNoDescRequestCmd
	}) {
		// Only a shell's completion request needs the name completers:
		// other calls do not walk the tree for them.
		addCompletions(root, g)
	}
	requireSubcommands(root)
	return root
}

// group marks a command that only groups others: it never joins the user
// namespace itself (its sub-commands decide for themselves).
const group = "pod.io/group"

// requireSubcommands makes the groups (pod container, pod system...)
// answer as Podman's do: with no sub-command, their help and exit 125
// ("missing command"); with an unknown one, exit 125 ("unrecognized
// command"). Scripts that probe for a sub-command rely on the code.
func requireSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		requireSubcommands(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[group] = "true"
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			_ = cmd.Help()
			return usageErrorf("missing command '%s COMMAND'", cmd.CommandPath())
		}
		return usageErrorf("unrecognized command `%s %s`\nTry '%s --help' for more information", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
}

// writesLayers marks the commands that store layers (pull, load, import,
// commit, build, wherever they sit in the tree): they hold the store's
// writers lock while they run, so that no prune takes their layers for
// unreferenced ones before their image is recorded. run and create take
// it in the library, only while they pull.
const writesLayers = "pod.io/writes-layers"

func markLayerWriters(c *cobra.Command) {
	switch c.Name() {
	case "pull", "load", "import", "commit", "build", "auto-update":
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[writesLayers] = "true"
	}
	for _, sub := range c.Commands() {
		markLayerWriters(sub)
	}
}

// prepare sets up logging and, for commands that need it, enters the user
// namespace. Rootless is decided here, once, for the whole call.
func (g *globalOptions) prepare(cmd *cobra.Command) error {
	lvl, err := logrus.ParseLevel(g.logLevel)
	if err != nil {
		return usageErrorf("--log-level %q: use debug, info, warn or error", g.logLevel)
	}
	logrus.SetLevel(lvl)
	logrus.SetFormatter(&logrus.TextFormatter{FullTimestamp: true, TimestampFormat: "15:04:05.000000"})
	logrus.SetOutput(os.Stderr)
	g.mode, err = userns.Detect()
	if err != nil {
		return err
	}
	if err := g.loadConfig(cmd); err != nil {
		return err
	}
	if g.noOut {
		// Podman's --noout: standard output goes nowhere, for pod and
		// for the containers it attaches to.
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		os.Stdout = null
		cmd.SetOut(null)
		cmd.Root().SetOut(null)
	}
	switch g.cgroupManager {
	case "cgroupfs":
	case "systemd":
		return usageErrorf("--cgroup-manager systemd: pod places containers' cgroups itself (cgroupfs: rootful under /pod, rootless under a unit's delegated cgroup) and does not ask systemd for scopes; use --cgroup-manager cgroupfs")
	default:
		return usageErrorf("--cgroup-manager %q: use cgroupfs", g.cgroupManager)
	}
	switch g.eventsBackend {
	case "file", "none":
	case "journald":
		return usageErrorf("--events-backend journald: pod keeps its events in a file; use file or none")
	default:
		return usageErrorf("--events-backend %q: use file or none", g.eventsBackend)
	}
	if !needsNamespace(cmd) {
		return nil
	}
	// Returns only on error when a re-exec into the namespace is needed.
	if err := userns.Enter(g.mode, os.Args); err != nil {
		return err
	}
	// A unit's notification socket goes to the monitors pod starts, and
	// never to an OCI runtime (which would announce the container's own
	// PID as the unit's main process).
	g.notifySocket = os.Getenv("NOTIFY_SOCKET")
	_ = os.Unsetenv("NOTIFY_SOCKET")
	if cmd.Annotations[writesLayers] == "" {
		return nil
	}
	st, err := g.store()
	if err != nil {
		return err
	}
	// Held until the process exits.
	_, err = storage.HoldWriting(st.GraphRoot())
	return err
}

func needsNamespace(cmd *cobra.Command) bool {
	if cmd.Annotations[group] != "" {
		return false
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[noNamespace] != "" {
			return false
		}
	}
	return true
}

// store opens the storage once per call, with the paths and driver the flags
// and the mode say.
func (g *globalOptions) store() (storage.Store, error) {
	g.storeOnce.Do(func() {
		graph, run := g.mode.StoragePaths()
		if g.root != "" {
			graph = g.root
		}
		if g.runroot != "" {
			run = g.runroot
		}
		var warn io.Writer = os.Stderr
		g.st, g.driver, g.storeErr = storage.Open(storage.Options{
			GraphRoot: graph, RunRoot: run, Driver: g.storageDriver, Warn: warn, DriverOptions: g.storageOpts,
		})
		if g.storeErr == nil {
			storage.EnsureReserve(graph)
			// What killed writers left in pod's temporary directory.
			if _, err := storage.ReclaimTemp(graph); err != nil {
				logrus.Warnf("reclaiming temporary files: %v", err)
			}
		}
	})
	return g.st, g.storeErr
}

// events is the events log, or none with --events-backend=none.
func (g *globalOptions) events() *events.Log {
	if g.eventsBackend == "none" {
		return nil
	}
	return events.Open(g.mode.RuntimeDir)
}

// imageEvent records an image event (pull, push, tag, untag, build,
// commit, import, load, save) in the events log.
func (g *globalOptions) imageEvent(action, id, name string) {
	if h, err := g.host(); err == nil {
		h.Event(events.Image, action, id, name)
	}
}

// shutdown releases the store at the end of a call.
func (g *globalOptions) shutdown() {
	if g.st != nil {
		_, _ = g.st.Shutdown(false)
	}
}

func run(args []string) int {
	g := &globalOptions{}
	root := newRootCommand(g)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	g.shutdown()
	if err == nil {
		return 0
	}
	return reportError(os.Stderr, err)
}

// usageErrorf is a bad flag or argument: pod's own error (125).
func usageErrorf(format string, a ...any) error {
	return container.WithExitCode(125, fmt.Errorf(format, a...))
}

// ociRuntime finds the OCI runtime once per call (probed and cached on disk
// per binary), as --runtime says or the first that works.
func (g *globalOptions) ociRuntime(ctx context.Context) (*runtime.Runtime, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	if g.rt == nil {
		g.rt, err = runtime.Find(ctx, runtime.FindOptions{Forced: g.runtime, RunRoot: st.RunRoot(), Rootless: g.mode.Rootless})
		if err == nil {
			g.rt.AddGlobalFlags(g.runtimeFlags)
		}
	}
	return g.rt, err
}

// host is the lifecycle of containers on the store of this call.
func (g *globalOptions) host() (*lifecycle.Host, error) {
	if g.lc != nil {
		return g.lc, nil
	}
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	g.lc = &lifecycle.Host{
		Store: st, Driver: g.driver, Rootless: g.mode.Rootless, RuntimeDir: g.mode.RuntimeDir,
		LogLevel: g.logLevel, FindRuntime: g.ociRuntime, Warn: logrus.Warnf,
		Events: g.events(), NotifySocket: g.notifySocket,
		Engine: engineName(), Version: version,
	}
	return g.lc, nil
}

// engineName is the name pod was called by, as its containers' $container
// says it: podman or docker through a link of that name, else pod.
func engineName() string {
	switch n := filepath.Base(userns.Argv0()); n {
	case "podman", "docker":
		return n
	}
	return "pod"
}
