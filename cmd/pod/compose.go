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
	return &cobra.Command{
		Use:                "compose [flags] COMMAND",
		Short:              "Run multi-container applications from compose files (up, down, ps, logs, config...)",
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
					return usageErrorf("pod compose runs %s, which is neither beside pod (%s) nor on PATH: make install puts it there", composeHelper, filepath.Dir(self))
				}
			}
			// The flags are not parsed (compose's are its own): pod's
			// global ones are those before "compose" on the command line.
			global, rest := splitGlobal(cmd.Root().PersistentFlags(), os.Args[1:])
			if len(rest) > 0 {
				args = rest
			}
			globalJSON, err := json.Marshal(global)
			if err != nil {
				return err
			}
			env := append(os.Environ(), "POD_COMPOSE_POD="+self, "POD_COMPOSE_GLOBAL="+string(globalJSON), "POD_COMPOSE_NAME="+engineName())
			err = syscall.Exec(helper, append([]string{composeHelper}, args...), env)
			return fmt.Errorf("running %s: %w", helper, err)
		},
	}
}

// splitGlobal splits pod's command line at "compose": the global flags
// before it (their values too), and what follows it.
func splitGlobal(fs *pflag.FlagSet, args []string) (global, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "compose" {
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
