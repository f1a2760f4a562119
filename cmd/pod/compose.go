package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// composeHelper is the executable pod compose runs: beside pod, as
// installed, else on PATH.
const composeHelper = "pod-compose"

// newComposeCommand runs compose files through pod-compose, a second
// executable: compose-go's package initialisation alone costs more than
// pod's whole start-up budget (testdata/budgets.json), which every other
// pod call would pay. pod-compose calls pod back, with the global flags
// given here.
func newComposeCommand(g *globalOptions) *cobra.Command {
	return helperCommand("compose", "compose [flags] COMMAND", "Run multi-container applications from compose files (up, down, ps, logs, config...)")
}

// newKubeCommand is pod kube: its generate is served by pod-compose, as
// compose is (k8s.io/api's initialisation would take pod over its budget
// too), and so is play.
func newKubeCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "kube", Short: "Kubernetes YAML: generate it of pods and containers, play it"}
	play := helperCommand("play", "play [flags] FILE|URL|-", "Run the pods, deployments, claims, config maps and secrets of Kubernetes YAML (--down removes them)")
	fl := play.Flags()
	fl.Bool("down", false, "remove the pods the file describes (claims' volumes stay)")
	fl.Bool("replace", false, "remove the pods of the same names first")
	fl.Bool("build", false, "build an image from the directory of its name even when it exists")
	fl.String("network", "", "the network of the pods")
	fl.StringArray("publish", nil, "publish another port of the pods: [IP:]HOSTPORT:PORT")
	fl.StringArray("configmap", nil, "a YAML file of ConfigMaps the pods' environment names")
	cmd.AddCommand(newKubeGenerateCommand("generate"), play)
	return cmd
}

// newKubeGenerateCommand is kube generate (and Podman's generate kube):
// its flags are listed here for --help, and parsed by pod-compose.
func newKubeGenerateCommand(use string) *cobra.Command {
	cmd := helperCommand("generate", use+" [flags] CONTAINER|POD...", "Kubernetes YAML (a Pod or Deployment, claims, a Service) of containers or a pod")
	cmd.Use = use + " [flags] CONTAINER|POD..."
	fl := cmd.Flags()
	fl.StringP("filename", "f", "", "write the YAML to this file")
	fl.BoolP("service", "s", false, "add a Service of the published ports")
	fl.StringP("type", "t", "pod", "what to generate: pod or deployment")
	fl.Int32P("replicas", "r", 1, "the Deployment's replicas")
	return cmd
}

// helperCommand is a command pod-compose serves: pod execs it with the
// command's name first, and its own path and global flags in the
// environment.
func helperCommand(name, use, short string) *cobra.Command {
	return &cobra.Command{
		Use:                use,
		Short:              short,
		DisableFlagParsing: true,
		Annotations:        map[string]string{noNamespace: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			self, err := os.Executable()
			if err != nil {
				return err
			}
			self, _ = filepath.EvalSymlinks(self)
			helper := filepath.Join(filepath.Dir(self), composeHelper)
			if _, err := os.Stat(helper); err != nil {
				if helper, err = exec.LookPath(composeHelper); err != nil {
					return usageErrorf("pod %s runs %s, which is neither beside pod (%s) nor on PATH: make install puts it there", name, composeHelper, filepath.Dir(self))
				}
			}
			// The flags are not parsed (the command's are its own): pod's
			// global ones are those before its name on the command line.
			split := name
			if name != "compose" {
				split = cmd.Parent().Name() // kube generate, kube play, generate kube
			}
			global, rest := splitGlobal(cmd.Root().PersistentFlags(), os.Args[1:], split)
			if name != "compose" && len(rest) > 0 {
				rest = rest[1:] // its own name, after its parent's
			}
			if len(rest) > 0 || len(global) > 0 {
				args = rest
			}
			globalJSON, err := json.Marshal(global)
			if err != nil {
				return err
			}
			env := append(os.Environ(), "POD_COMPOSE_POD="+self, "POD_COMPOSE_GLOBAL="+string(globalJSON), "POD_COMPOSE_NAME="+engineName())
			argv := []string{composeHelper}
			if name != "compose" {
				argv = append(argv, "kube", name)
			}
			err = syscall.Exec(helper, append(argv, args...), env)
			return fmt.Errorf("running %s: %w", helper, err)
		},
	}
}

// splitGlobal splits pod's command line at the command name: the global
// flags before it (their values too), and what follows it.
func splitGlobal(fs *pflag.FlagSet, args []string, name string) (global, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == name {
			return args[:i], args[i+1:]
		}
		if !strings.HasPrefix(a, "-") || strings.Contains(a, "=") {
			continue
		}
		var f *pflag.Flag
		if strings.HasPrefix(a, "--") {
			f = fs.Lookup(a[2:])
		} else if len(a) == 2 {
			f = fs.ShorthandLookup(a[1:])
		}
		if f != nil && f.NoOptDefVal == "" {
			i++ // its value
		}
	}
	return nil, nil
}
