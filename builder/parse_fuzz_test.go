package builder

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/pod-project/pod/container"
)

// FuzzParseDockerfile parses arbitrary Dockerfiles, the parser directives
// at their top (# syntax=, # escape=, # check=) first among the seeds:
// nothing panics or hangs, a refusal is ErrParse, and what is accepted
// has a FROM, a valid escape character, a RUN with a command and a
// STOPSIGNAL that is a signal.
func FuzzParseDockerfile(f *testing.F) {
	body := "FROM a AS b\nRUN echo `\n  hi \\\n  there\nSTOPSIGNAL TERM\n"
	for _, front := range []string{
		"", "# syntax=docker/dockerfile:1\n", "# escape=`\n", "# escape=\\\n", "# check=skip=all\n",
		"# check=skip=JSONArgsRecommended;error=true\n", "#syntax=x\n#escape=`\n#check=error=true\n",
		"# escape=x\n", "# escape=`\n# escape=`\n", "# Syntax = a\n", "\xef\xbb\xbf# escape=`\n",
		"# escape=`\n\n# syntax=late\n", "# directive=unknown\n", "#\n# escape=`\n", "  # escape = ` \n",
		"# syntax=\n", "# escape=\n", "# check=\n", "# escape=``\n", "# syntax=a\r\n# escape=`\r\n",
	} {
		f.Add([]byte(front + body))
	}
	for _, s := range []string{"FROM a\nRUN\n", "FROM a\nSTOPSIGNAL BOGUS\n", "ARG X\nFROM $X\nSTOPSIGNAL $X\n", "RUN x\n", "FROM a\nRUN <<EOF\nx\nEOF\n", "FROM a\nONBUILD RUN\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8<<10 {
			return
		}
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				buf := make([]byte, 1<<20)
				panic(fmt.Sprintf("parseDockerfile hangs on %q:\n%s", data, buf[:runtime.Stack(buf, true)]))
			}
		}()
		df, err := parseDockerfile("Dockerfile", bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrParse) {
				t.Fatalf("parseDockerfile(%q) = %v, not ErrParse", data, err)
			}
			return
		}
		if len(df.Stages) == 0 || (df.Escape != '\\' && df.Escape != '`') || strings.ContainsAny(df.Syntax, "\r\n") {
			t.Fatalf("parseDockerfile(%q) = stages %d escape %q syntax %q", data, len(df.Stages), df.Escape, df.Syntax)
		}
		if bytes.HasPrefix(data, []byte("# escape=`\n")) && df.Escape != '`' {
			t.Fatalf("parseDockerfile(%q): escape %q, want `", data, df.Escape)
		}
		for _, s := range df.Stages {
			for _, c := range s.Commands {
				switch c := c.(type) {
				case *instructions.RunCommand:
					if len(c.CmdLine) == 0 && len(c.Files) == 0 {
						t.Fatalf("parseDockerfile(%q): a RUN without a command", data)
					}
				case *instructions.StopSignalCommand:
					if _, err := container.ParseSignal(c.Signal); err != nil && !strings.Contains(c.Signal, "$") {
						t.Fatalf("parseDockerfile(%q): STOPSIGNAL %q", data, c.Signal)
					}
				}
			}
		}
		// The same bytes parse the same way.
		again, err := parseDockerfile("Dockerfile", bytes.NewReader(data))
		if err != nil || again.Escape != df.Escape || again.Syntax != df.Syntax || len(again.Stages) != len(df.Stages) {
			t.Fatalf("parseDockerfile(%q) twice: %+v then %+v, %v", data, df, again, err)
		}
	})
}
