package main

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// readLines reads a testdata file's lines, without comments and blanks.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// podCommand finds pod's command for Podman's command path (aliases
// count: "container list" is pod's "container ls"), nil if pod has none.
func podCommand(root *cobra.Command, path []string) *cobra.Command {
	c, rest, err := root.Find(path)
	if err != nil || len(rest) > 0 || c == root {
		return nil
	}
	return c
}

// TestPodmanFlagCoverage holds pod's flags against Podman 4.3.1's
// (testdata/podman-4.3.1-flags.txt, from podman's --help): every flag of
// a command pod has too is pod's, or listed with its reason in
// testdata/unsupported-flags.txt; a listed flag pod has since gained
// fails too, so the list stays true. The share pod implements must stay
// at 95% or more.
func TestPodmanFlagCoverage(t *testing.T) {
	root := newRootCommand(&globalOptions{})
	unsupported := map[string]string{}
	for _, l := range readLines(t, "testdata/unsupported-flags.txt") {
		key, reason, ok := strings.Cut(l, ": ")
		if !ok || reason == "" {
			t.Fatalf("unsupported-flags.txt: %q gives no reason", l)
		}
		unsupported[key] = reason
	}
	var shared, have int
	missingCommands := map[string]bool{}
	listed := map[string]bool{}
	for _, l := range readLines(t, "testdata/podman-4.3.1-flags.txt") {
		f := strings.Fields(l)
		path, flag := f[:len(f)-1], strings.TrimPrefix(f[len(f)-1], "--")
		c := podCommand(root, path)
		if c == nil {
			name := strings.Join(path, " ")
			if !missingCommands[name] && unsupportedCommand(unsupported, path) == "" {
				t.Errorf("pod has no command %q: build it, or list it with its reason in testdata/unsupported-flags.txt", name)
			}
			missingCommands[name] = true
			continue
		}
		shared++
		if c.Flags().Lookup(flag) != nil || c.InheritedFlags().Lookup(flag) != nil {
			have++
			if _, ok := unsupported[l]; ok {
				t.Errorf("%s is listed as not supported, but pod has it: take it off unsupported-flags.txt", l)
			}
			continue
		}
		if _, ok := unsupported[l]; !ok {
			t.Errorf("%s: pod lacks it; implement it, or list it with its reason in testdata/unsupported-flags.txt", l)
		}
		listed[l] = true
	}
	for l := range unsupported {
		f := strings.Fields(l)
		if strings.HasPrefix(f[len(f)-1], "--") {
			if !listed[l] && podCommand(root, f[:len(f)-1]) != nil {
				t.Errorf("unsupported-flags.txt lists %s, which is not one of Podman's flags there", l)
			}
		} else if podCommand(root, f) != nil {
			t.Errorf("unsupported-flags.txt lists the command %q, which pod has: take it off", l)
		}
	}
	share := float64(have) / float64(shared) * 100
	t.Logf("Podman 4.3.1's long flags on the commands pod has: %d of %d (%.1f%%); %d listed as not supported; %d commands pod does not have", have, shared, share, len(listed), len(missingCommands))
	if share < 95 {
		t.Errorf("pod has %.1f%% of Podman's flags on the commands both have, under 95%%", share)
	}
}

// unsupportedCommand is the reason listed for a command pod lacks (or
// for one above it: "machine" covers "machine init"), "" for none.
func unsupportedCommand(unsupported map[string]string, path []string) string {
	for i := len(path); i > 0; i-- {
		if r, ok := unsupported[strings.Join(path[:i], " ")]; ok {
			return r
		}
	}
	return ""
}
