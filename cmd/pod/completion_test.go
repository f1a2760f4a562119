package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCompletionsUpToDate keeps the checked-in scripts in completions/ equal
// to what `pod completion SHELL` prints; `make completions` regenerates them.
func TestCompletionsUpToDate(t *testing.T) {
	for shell, file := range map[string]string{"bash": "pod.bash", "zsh": "_pod", "fish": "pod.fish", "powershell": "pod.ps1"} {
		var out bytes.Buffer
		root := newRootCommand(&globalOptions{})
		root.SetOut(&out)
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatalf("pod completion %s: %v", shell, err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "completions", file))
		if err != nil {
			t.Fatalf("%v (run make completions)", err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("completions/%s is stale: run make completions", file)
		}
	}
}
