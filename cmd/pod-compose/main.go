// Command pod-compose runs compose files on pod: pod compose runs it (it
// is a second executable so that compose-go's start-up cost stays out of
// every other pod call). It drives pod's own command line, whose path
// and global flags pod passes in $POD_COMPOSE_POD and $POD_COMPOSE_GLOBAL.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/compose"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	g := &globals{}
	root := newRoot(g)
	rest, err := g.parse(os.Args[1:])
	if len(os.Args) > 1 && os.Args[1] == "kube" {
		root, rest, err = newKube(), os.Args[2:], nil
	}
	if err == nil {
		root.SetArgs(rest)
		err = root.ExecuteContext(ctx)
	}
	stop()
	if err == nil {
		return
	}
	var ee *compose.ExitError
	if errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "Error: %s\n", ee.Msg)
		os.Exit(ee.Code)
	}
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	os.Exit(125)
}

type globals struct {
	lo compose.LoadOptions
}

// globalsHelp is the global options' help: they come before the command
// (as Docker Compose's), so that a command's own -f (logs -f) is its.
const globalsHelp = `Global options (before the command):
  -f, --file FILE              a compose file (repeat for several; default: compose.yaml,
                               compose.yml, docker-compose.yaml, docker-compose.yml)
  -p, --project-name NAME      the project's name (default: the directory's)
      --project-directory DIR  the project's directory (default: the first file's)
      --env-file FILE          variables for interpolation (default: .env)
      --profile NAME           enable the services of a profile
`

// parse takes the global options from the front of args and returns the
// rest (the command and its arguments).
func (g *globals) parse(args []string) ([]string, error) {
	fs := pflag.NewFlagSet("compose", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	fs.StringArrayVarP(&g.lo.Files, "file", "f", nil, "")
	fs.StringVarP(&g.lo.ProjectName, "project-name", "p", "", "")
	fs.StringVar(&g.lo.WorkDir, "project-directory", "", "")
	fs.StringArrayVar(&g.lo.EnvFiles, "env-file", nil, "")
	fs.StringArrayVar(&g.lo.Profiles, "profile", nil, "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *help && fs.NArg() == 0 {
		return []string{"--help"}, nil
	}
	return fs.Args(), nil
}

// pod is how pod-compose calls pod.
func pod() (compose.Pod, error) {
	p := compose.Pod{Path: os.Getenv("POD_COMPOSE_POD"), Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin}
	if g := os.Getenv("POD_COMPOSE_GLOBAL"); g != "" {
		if err := json.Unmarshal([]byte(g), &p.Global); err != nil {
			return p, fmt.Errorf("$POD_COMPOSE_GLOBAL: %w", err)
		}
	}
	if p.Path == "" {
		self, err := os.Executable()
		if err == nil {
			if beside := filepath.Join(filepath.Dir(self), "pod"); isExec(beside) {
				p.Path = beside
			}
		}
	}
	if p.Path == "" {
		path, err := exec.LookPath("pod")
		if err != nil {
			return p, fmt.Errorf("pod-compose runs pod, and finds none beside it or on PATH: %w", err)
		}
		p.Path = path
	}
	return p, nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// container loads the project and names replica index of service.
func (g *globals) container(cmd *cobra.Command, service string, index int) (compose.Pod, string, error) {
	p, pd, err := g.load(cmd)
	if err != nil {
		return pd, "", err
	}
	c, err := compose.ServiceContainer(p, service, index)
	return pd, c, err
}

func (g *globals) load(cmd *cobra.Command) (*types.Project, compose.Pod, error) {
	p, err := pod()
	if err != nil {
		return nil, p, err
	}
	proj, err := compose.Load(cmd.Context(), g.lo)
	return proj, p, err
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "compose [global options] COMMAND",
		Short:         "Run multi-container applications from compose files, daemonless",
		Long:          "Run multi-container applications from compose files, daemonless.\n\n" + globalsHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newUp(g), newDown(g), newPs(g), newLogs(g), newConfig(g), newBuild(g), newPullPush(g, "pull"),
		newPullPush(g, "push"), newExec(g), newRun(g), newVerb(g, "start"), newVerb(g, "stop"), newVerb(g, "restart"),
		newVerb(g, "rm"), newVerb(g, "top"), newVerb(g, "pause"), newVerb(g, "unpause"), newVerb(g, "kill"),
		newPort(g), newImages(g), newVersion())
	return root
}

func newUp(g *globals) *cobra.Command {
	var o compose.UpOptions
	var timeout int
	cmd := &cobra.Command{
		Use:   "up [flags] [SERVICE...]",
		Short: "Create and start the project's containers (and its networks and volumes)",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			o.Services = args
			o.Timeout = time.Duration(timeout) * time.Second
			return compose.Up(cmd.Context(), pd, p, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&o.Detach, "detach", "d", false, "run in the background")
	fl.BoolVar(&o.Build, "build", false, "build images before starting")
	fl.BoolVar(&o.NoBuild, "no-build", false, "never build images")
	fl.BoolVar(&o.ForceRecreate, "force-recreate", false, "make every container again, changed or not")
	fl.BoolVar(&o.NoDeps, "no-deps", false, "do not start the services named services depend on")
	fl.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "remove containers of services the files no longer have")
	fl.BoolVar(&o.NoStart, "no-start", false, "create the containers without starting them")
	fl.IntVar(&timeout, "wait-timeout", 120, "seconds to wait for a dependency's condition (healthy, completed)")
	return cmd
}

func newDown(g *globals) *cobra.Command {
	var o compose.DownOptions
	var timeout int
	cmd := &cobra.Command{
		Use:   "down [flags]",
		Short: "Stop and remove the project's containers and networks (-v: and volumes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("timeout") {
				o.Timeout = &timeout
			}
			if o.RMI != "" && o.RMI != "local" && o.RMI != "all" {
				return fmt.Errorf("--rmi %q: local or all", o.RMI)
			}
			return compose.Down(cmd.Context(), pd, p, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&o.Volumes, "volumes", "v", false, "remove the project's named volumes and the containers' anonymous ones")
	fl.StringVar(&o.RMI, "rmi", "", "remove images: local (those services build) or all")
	fl.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "accepted: every container of the project is removed")
	fl.IntVarP(&timeout, "timeout", "t", 10, "seconds to wait for each container to stop")
	return cmd
}

func newPs(g *globals) *cobra.Command {
	var all, quiet bool
	cmd := &cobra.Command{
		Use:   "ps [flags] [SERVICE...]",
		Short: "List the project's containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			fa := []string{"ps", "--sort", "names", "--filter", "label=" + compose.LabelProject + "=" + p.Name,
				"--format", `{{.Names}}	{{.Image}}	{{.Command}}	{{index .Labels "` + compose.LabelService + `"}}	{{.RunningFor}}	{{.Status}}	{{.Ports}}`}
			if all {
				fa = append(fa, "-a")
			}
			out, err := pd.Output(cmd.Context(), fa...)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 3, ' ', 0)
			if !quiet {
				fmt.Fprintln(w, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
			}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Split(l, "\t")
				if l == "" || len(f) < 4 || len(args) > 0 && !slices.Contains(args, f[3]) {
					continue
				}
				if quiet {
					fmt.Fprintln(w, f[0])
				} else {
					fmt.Fprintln(w, l)
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "also stopped containers")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only the names")
	return cmd
}

func newLogs(g *globals) *cobra.Command {
	var follow, timestamps bool
	var tail string
	cmd := &cobra.Command{
		Use:   "logs [flags] [SERVICE...]",
		Short: "Show the logs of the project's containers, each line led by its container",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			names, err := pd.Containers(cmd.Context(), p.Name, args)
			if err != nil || len(names) == 0 {
				return err
			}
			la := []string{"logs", "--names", "--tail", tail}
			if follow {
				la = append(la, "-f")
			}
			if timestamps {
				la = append(la, "-t")
			}
			return pd.Run(cmd.Context(), append(la, names...)...)
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "follow the logs")
	cmd.Flags().BoolVarP(&timestamps, "timestamps", "t", false, "show timestamps")
	cmd.Flags().StringVarP(&tail, "tail", "n", "all", "lines from the end of each log")
	return cmd
}

func newConfig(g *globals) *cobra.Command {
	var services, quiet bool
	cmd := &cobra.Command{
		Use:   "config [flags]",
		Short: "Check the files and print the project as pod compose reads it (resolved, normalised)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _, err := g.load(cmd)
			if err != nil {
				return err
			}
			if u := compose.ProjectUnsupported(p); len(u) > 0 {
				return fmt.Errorf("pod compose does not support: %s", strings.Join(u, ", "))
			}
			if quiet {
				return nil
			}
			if services {
				for _, s := range p.ServiceNames() {
					fmt.Println(s)
				}
				return nil
			}
			b, err := p.MarshalYAML()
			if err != nil {
				return err
			}
			_, err = os.Stdout.Write(b)
			return err
		},
	}
	cmd.Flags().BoolVar(&services, "services", false, "print the services' names")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only check the files")
	return cmd
}

func newBuild(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "build [SERVICE...]",
		Short: "Build the images of services that have a build: section",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			return compose.Build(cmd.Context(), pd, p, args)
		},
	}
}

func newPullPush(g *globals, verb string) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " [SERVICE...]",
		Short: map[string]string{"pull": "Pull the images of services", "push": "Push the images services build"}[verb],
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			for _, name := range p.ServiceNames() {
				s := p.Services[name]
				if len(args) > 0 && !slices.Contains(args, name) || (verb == "pull" && s.Build != nil) || (verb == "push" && (s.Build == nil || s.Image == "")) {
					continue
				}
				if err := pd.Run(cmd.Context(), verb, compose.ImageName(p, s)); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func newExec(g *globals) *cobra.Command {
	var index int
	var detach, noTTY, interactive bool
	var user, workdir string
	var env []string
	cmd := &cobra.Command{
		Use:   "exec [flags] SERVICE COMMAND [ARG...]",
		Short: "Run a command in a service's running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			pd, c, err := g.container(cmd, args[0], index)
			if err != nil {
				return err
			}
			ea := []string{"exec"}
			if interactive {
				ea = append(ea, "-i")
			}
			if !noTTY && isTerminal() {
				ea = append(ea, "-t")
			}
			if detach {
				ea = append(ea, "-d")
			}
			if user != "" {
				ea = append(ea, "--user", user)
			}
			if workdir != "" {
				ea = append(ea, "--workdir", workdir)
			}
			for _, e := range env {
				ea = append(ea, "--env", e)
			}
			return pd.Run(cmd.Context(), append(append(ea, c), args[1:]...)...)
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.IntVar(&index, "index", 1, "which replica")
	fl.BoolVarP(&detach, "detach", "d", false, "run in the background")
	fl.BoolVarP(&noTTY, "no-TTY", "T", false, "no terminal")
	fl.BoolVarP(&interactive, "interactive", "i", true, "keep standard input open")
	fl.StringVarP(&user, "user", "u", "", "run as this user")
	fl.StringVarP(&workdir, "workdir", "w", "", "in this directory")
	fl.StringArrayVarP(&env, "env", "e", nil, "set a variable")
	return cmd
}

func isTerminal() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newRun(g *globals) *cobra.Command {
	var rm, detach, noTTY bool
	var env []string
	cmd := &cobra.Command{
		Use:   "run [flags] SERVICE [COMMAND [ARG...]]",
		Short: "Run a one-off command in a new container of a service",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			var flags []string
			if rm {
				flags = append(flags, "--rm")
			}
			if detach {
				flags = append(flags, "-d")
			} else if !noTTY && isTerminal() {
				flags = append(flags, "-it")
			}
			for _, e := range env {
				flags = append(flags, "--env", e)
			}
			return compose.RunOne(cmd.Context(), pd, p, args[0], args[1:], flags)
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVar(&rm, "rm", false, "remove the container when it ends")
	fl.BoolVarP(&detach, "detach", "d", false, "run in the background")
	fl.BoolVarP(&noTTY, "no-TTY", "T", false, "no terminal")
	fl.StringArrayVarP(&env, "env", "e", nil, "set a variable")
	return cmd
}

// newVerb is start, stop, restart, rm, top, pause, unpause or kill of the
// services' containers through pod's own verb.
func newVerb(g *globals, verb string) *cobra.Command {
	var timeout int
	var force, stopFirst bool
	var signal string
	cmd := &cobra.Command{
		Use:   verb + " [flags] [SERVICE...]",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " the services' containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			names, err := pd.Containers(cmd.Context(), p.Name, args)
			if err != nil || len(names) == 0 {
				return err
			}
			va := []string{verb}
			switch verb {
			case "stop", "restart":
				if cmd.Flags().Changed("timeout") {
					va = append(va, "-t", strconv.Itoa(timeout))
				}
			case "rm":
				if stopFirst || force {
					va = append(va, "-f")
				}
			case "kill":
				va = append(va, "-s", signal)
			case "top":
				for _, n := range names {
					fmt.Println(n)
					if err := pd.Run(cmd.Context(), "top", n); err != nil {
						return err
					}
				}
				return nil
			}
			return pd.Run(cmd.Context(), append(va, names...)...)
		},
	}
	fl := cmd.Flags()
	switch verb {
	case "stop", "restart":
		fl.IntVarP(&timeout, "timeout", "t", 10, "seconds to wait before killing")
	case "rm":
		fl.BoolVarP(&force, "force", "f", false, "do not ask (and remove running ones, stopped first)")
		fl.BoolVarP(&stopFirst, "stop", "s", false, "stop the containers first")
	case "kill":
		fl.StringVarP(&signal, "signal", "s", "KILL", "the signal to send")
	}
	return cmd
}

func newPort(g *globals) *cobra.Command {
	var index int
	cmd := &cobra.Command{
		Use:   "port [flags] SERVICE PRIVATE_PORT",
		Short: "Print the host address a service's port is published on",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			pd, c, err := g.container(cmd, args[0], index)
			if err != nil {
				return err
			}
			return pd.Run(cmd.Context(), "port", c, args[1])
		},
	}
	cmd.Flags().IntVar(&index, "index", 1, "which replica")
	return cmd
}

func newImages(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "images [SERVICE...]",
		Short: "List the images the project's containers use",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, pd, err := g.load(cmd)
			if err != nil {
				return err
			}
			out, err := pd.Output(cmd.Context(), "ps", "-a", "--filter", "label="+compose.LabelProject+"="+p.Name,
				"--format", `{{.Names}}	{{index .Labels "`+compose.LabelService+`"}}	{{.Image}}`)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 3, ' ', 0)
			fmt.Fprintln(w, "CONTAINER\tSERVICE\tIMAGE")
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Split(l, "\t")
				if l != "" && len(f) == 3 && (len(args) == 0 || slices.Contains(args, f[1])) {
					fmt.Fprintln(w, l)
				}
			}
			return w.Flush()
		},
	}
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show pod compose's version and its compose-go's",
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Println("pod compose, on compose-go v2 (the compose specification)")
			return nil
		},
	}
}
