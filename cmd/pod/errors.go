package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/userns"
)

// reportError prints err the one way pod prints errors ("Error: ", then a
// hint for a well-known cause) and returns the exit code for it: Docker's
// 125/126/127, or a container's own status (printed by nobody).
func reportError(w io.Writer, err error) int {
	var ee *container.ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return ee.Code
	}
	msg := err.Error()
	fmt.Fprintf(w, "Error: %s\n", selfNamed(msg))
	if h := hint(err); h != "" && !strings.Contains(msg, h) {
		fmt.Fprintf(w, "Hint: %s\n", selfNamed(h))
	}
	return container.ExitCodeOf(err)
}

// hint returns the fix for well-known failures, keyed by sentinel.
func hint(err error) string {
	for _, h := range hints {
		if errors.Is(err, h.err) {
			return h.text
		}
	}
	return ""
}

var hints = []struct {
	err  error
	text string
}{
	{userns.ErrNoSubIDRange, "add ranges as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER; then run: pod system migrate"},
	{userns.ErrNoIDMapTools, "install the uidmap package: sudo apt-get install uidmap"},
	{unix.ENOSPC, "the disk holding pod's storage is full: remove what you no longer need (pod system prune, pod rmi, pod volume rm)"},
}

// eachTarget runs do on every target of a multi-target command, in order.
// A success prints what do returns (the target as given, or an ID) on
// stdout, as Docker echoes them; a failure is reported on stderr as every
// error is. With one target its error is returned as it is; with several,
// the call ends with the worst exit code of the failures.
func eachTarget(cmd *cobra.Command, targets []string, do func(target string) (string, error)) error {
	return report(cmd, targets, func(i int) (string, error) { return do(targets[i]) })
}

// parallelTargets bounds how many targets eachTargetAtOnce works on at
// once: stopping is mostly waiting for a stop timeout.
const parallelTargets = 64

// eachTargetAtOnce is eachTarget with the targets' work done at the same
// time (stop, kill, restart and rm of many containers wait for their
// stop timeouts together, as Podman's do); what it prints comes after,
// in the order of the targets.
func eachTargetAtOnce(cmd *cobra.Command, targets []string, do func(target string) (string, error)) error {
	if len(targets) < 2 {
		return eachTarget(cmd, targets, do)
	}
	outs := make([]string, len(targets))
	errs := make([]error, len(targets))
	sem := make(chan struct{}, parallelTargets)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			outs[i], errs[i] = do(t)
		}()
	}
	wg.Wait()
	return report(cmd, targets, func(i int) (string, error) { return outs[i], errs[i] })
}

// report prints the result of each target in order, as eachTarget says.
func report(cmd *cobra.Command, targets []string, result func(i int) (string, error)) error {
	worst := 0
	for i := range targets {
		out, err := result(i)
		if err != nil {
			if len(targets) == 1 {
				return err
			}
			worst = max(worst, reportError(cmd.ErrOrStderr(), err))
			continue
		}
		if out != "" {
			fmt.Fprintln(cmd.OutOrStdout(), out)
		}
	}
	return container.ExitStatus(worst)
}

// collectTargets is eachTarget for commands that print the results of all
// targets together (inspect): it reports each failure and returns what do
// returned for the others, with an error that ends the call with the worst
// exit code of the failures, printing nothing more.
func collectTargets(cmd *cobra.Command, targets []string, do func(target string) (any, error)) ([]any, error) {
	items := []any{}
	worst := 0
	for _, t := range targets {
		item, err := do(t)
		if err != nil {
			worst = max(worst, reportError(cmd.ErrOrStderr(), err))
			continue
		}
		items = append(items, item)
	}
	return items, container.ExitStatus(worst)
}

// commandNames are pod's top-level commands and their aliases (filled as
// the root command is built), which selfNamed looks for after "pod ".
var commandNames []string

// selfNamed is msg with the commands it suggests ("pod rm -f x", "pod
// pods rm") spelt with the name pod was called by (podman, docker: the
// drop-in mode), so that the fix can be pasted as it is.
func selfNamed(msg string) string { return selfNamedAs(msg, engineName()) }

func selfNamedAs(msg, self string) string {
	if self == "pod" {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.Index(msg, "pod ")
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		rest := msg[i+len("pod "):]
		word, _, _ := strings.Cut(rest, " ")
		word = strings.TrimRight(word, ").,;:'\"")
		switch {
		case i > 0 && isWordByte(msg[i-1]) || !slices.Contains(commandNames, word):
			b.WriteString(msg[:i+len("pod ")])
		case word == "pods" && self == "podman" && strings.HasPrefix(rest, "pods "):
			b.WriteString(msg[:i] + "podman pod ")
			rest = rest[len("pods "):]
		default:
			b.WriteString(msg[:i] + self + " ")
		}
		msg = rest
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c == '/' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
