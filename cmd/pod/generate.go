package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"
)

// newGenerateCommand groups the commands that write systemd units.
func newGenerateCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate systemd units for containers, or Kubernetes YAML (kube)",
	}
	cmd.AddCommand(newGenerateSystemdCommand(g), newGenerateQuadletCommand(g), newKubeGenerateCommand("kube"))
	return cmd
}

// podPath is the absolute path of the pod binary a generated unit runs:
// the --pod-path flag, else $POD_BINARY, else this binary.
func podPath(flag string) (string, error) {
	p := flag
	if p == "" {
		p = os.Getenv("POD_BINARY")
	}
	if p == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("finding the pod binary for the units (give --pod-path): %w", err)
		}
		p = exe
	}
	return filepath.Abs(p)
}

var podFlags struct {
	once sync.Once
	root *cobra.Command
}

// podHasFlag reports whether pod's command ("run", "image pull") has the
// flag, so that generated units use only flags this pod has.
func podHasFlag(command, flag string) bool {
	podFlags.once.Do(func() { podFlags.root = newRootCommand(&globalOptions{}) })
	c, _, err := podFlags.root.Find(strings.Fields(command))
	if err != nil || c == podFlags.root {
		return false
	}
	return c.Flags().Lookup(flag) != nil || c.InheritedFlags().Lookup(flag) != nil
}
