package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/builder"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

func newBuildCommand(g *globalOptions) *cobra.Command {
	f := &buildFlags{}
	cmd := &cobra.Command{
		Use:   "build [flags] [CONTEXT]",
		Short: "Build an image from a Containerfile or Dockerfile",
		Long: "Build an image from a Containerfile or Dockerfile. CONTEXT is a directory (default .), - for a tar\n" +
			"on standard input, an http(s) URL of a tarball, or a git repository URL (URL#REF:SUBDIR).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			f.complete(cmd, g, &o)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			id, err := build(ctx, cmd, st, f, args, o)
			if err != nil {
				return err
			}
			g.imageEvent("build", id, strings.Join(o.Tags, ","))
			if err := writeIIDFile(f.iidfile, id); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), id)
			return err
		},
	}
	f.register(cmd)
	return cmd
}

// complete fills what the build takes from this call: where its output
// goes, rootless or not, the runtime for RUN steps.
func (f *buildFlags) complete(cmd *cobra.Command, g *globalOptions, o *builder.Options) {
	if f.quiet {
		o.PullOptions.Progress = nil
	} else {
		o.Out = cmd.OutOrStdout()
	}
	o.Rootless = g.mode.Rootless
	o.Runtime = func(ctx context.Context) (*runtime.Runtime, error) { return g.ociRuntime(ctx) }
}

// build opens the context (a directory, default ., -, a URL or a git
// repository) and builds it.
func build(ctx context.Context, cmd *cobra.Command, st storage.Store, f *buildFlags, args []string, o builder.Options) (string, error) {
	source := "."
	if len(args) == 1 {
		source = args[0]
	}
	bc, err := builder.OpenContext(ctx, source, builder.ContextOptions{File: f.file, Stdin: cmd.InOrStdin(), GraphRoot: st.GraphRoot()})
	if err != nil {
		return "", err
	}
	defer bc.Close()
	id, err := builder.Build(ctx, st, bc, o)
	if err != nil && ctx.Err() != nil {
		return "", fmt.Errorf("build interrupted: no image was made: %w", err)
	}
	return id, err
}
