package builder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/pod-project/pod/container"
)

// ErrParse is a Dockerfile that cannot be parsed; the error names the file
// and the line.
var ErrParse = errors.New("invalid Dockerfile")

// dockerfile is a parsed Dockerfile.
type dockerfile struct {
	Name     string // base name, for messages
	Stages   []instructions.Stage
	MetaArgs []instructions.ArgCommand
	Escape   rune
	// Syntax is a `# syntax=` directive, which pod ignores.
	Syntax string
}

// parseDockerfile parses the Dockerfile read from r; name is used in
// errors ("Containerfile:3: unknown instruction: FORM").
func parseDockerfile(name string, r io.Reader) (*dockerfile, error) {
	name = filepath.Base(name)
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		var le *parser.LocationError
		if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrParse, name, le.Locations[0][0].Start.Line, le.Unwrap())
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrParse, name, err)
	}
	df := &dockerfile{Name: name, Escape: res.EscapeToken}
	if syntax, _, _, ok := parser.DetectSyntax(data); ok {
		df.Syntax = syntax
	}
	for _, n := range res.AST.Children {
		cmd, err := parseInstruction(n)
		if err != nil {
			var unknown *instructions.UnknownInstructionError
			if errors.As(err, &unknown) {
				return nil, fmt.Errorf("%w: %s:%d: unknown instruction: %s", ErrParse, name, n.StartLine, unknown.Instruction)
			}
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrParse, name, n.StartLine, err)
		}
		if err := checkInstruction(cmd); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrParse, name, n.StartLine, err)
		}
		switch c := cmd.(type) {
		case *instructions.Stage:
			df.Stages = append(df.Stages, *c)
		case *instructions.ArgCommand:
			if len(df.Stages) == 0 {
				df.MetaArgs = append(df.MetaArgs, *c)
				continue
			}
			df.Stages[len(df.Stages)-1].AddCommand(c)
		case instructions.Command:
			if len(df.Stages) == 0 {
				return nil, fmt.Errorf("%w: %s:%d: %s before the first FROM: only ARG may come before FROM", ErrParse, name, n.StartLine, c.Name())
			}
			df.Stages[len(df.Stages)-1].AddCommand(c)
		default:
			return nil, fmt.Errorf("%w: %s:%d: %T is not an instruction", ErrParse, name, n.StartLine, cmd)
		}
	}
	if len(df.Stages) == 0 {
		return nil, fmt.Errorf("%w: %s has no FROM instruction", ErrParse, name)
	}
	return df, nil
}

// parseInstruction is instructions.ParseInstruction with a silent linter
// instead of its nil one: buildkit reads a "# check=" comment before an
// instruction into the linter it is given, and a nil one panics.
func parseInstruction(n *parser.Node) (any, error) {
	return instructions.ParseInstructionWithLinter(n, linter.New(&linter.Config{}))
}

// checkInstruction refuses what Docker refuses of an instruction before
// running anything: a RUN without a command, a STOPSIGNAL that is no
// signal (one given through a variable is checked once expanded).
func checkInstruction(cmd any) error {
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		if len(c.CmdLine) == 0 && len(c.Files) == 0 {
			return errors.New("RUN requires at least one argument: the command to run")
		}
	case *instructions.StopSignalCommand:
		if strings.Contains(c.Signal, "$") {
			return nil
		}
		if _, err := container.ParseSignal(c.Signal); err != nil {
			return fmt.Errorf("STOPSIGNAL: %w", err)
		}
	}
	return nil
}

// line is the first line of an instruction, for messages.
func line(c instructions.Command) int {
	type located interface{ Location() []parser.Range }
	if l, ok := c.(located); ok {
		if r := l.Location(); len(r) > 0 {
			return r[0].Start.Line
		}
	}
	return 0
}

// stageIndex finds a stage by name (case-insensitive) or index among the
// first n stages; -1 when none matches.
func stageIndex(stages []instructions.Stage, n int, ref string) int {
	if i, ok := instructions.HasStage(stages[:n], ref); ok {
		return i
	}
	var idx int
	if _, err := fmt.Sscanf(ref, "%d", &idx); err == nil && fmt.Sprint(idx) == ref && idx >= 0 && idx < n {
		return idx
	}
	return -1
}
