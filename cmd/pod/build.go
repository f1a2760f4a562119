package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/builder"
	"github.com/pod-project/pod/copier"
	"github.com/pod-project/pod/lifecycle"
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
			if err := confImageFormat(cmd, g.conf); err != nil {
				return err
			}
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			out, err := parseBuildOutput(f.output)
			if err != nil {
				return err
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			f.complete(cmd, g, &o)
			if o.Run.IDMap, err = lifecycle.IDMapOf(f.idmap, g.mode.Rootless); err != nil {
				return err
			}
			if o.Run.Resources != nil && lifecycle.LimitsIgnored(g.mode.Rootless) {
				// As Podman warns where a rootless container has no
				// cgroup of its own.
				logrus.Warnf("resource limits of RUN steps are not applied: rootless containers have no cgroup of their own here (pod update says what the host lacks)")
			}
			if f.stdin {
				o.Stdin = cmd.InOrStdin()
			}
			if f.logFile != "" {
				name := f.logFile
				if f.logSplit {
					name += "_" + goruntime.GOOS + "_" + goruntime.GOARCH
				}
				lf, err := os.Create(name)
				if err != nil {
					return usageErrorf("--logfile: %v", err)
				}
				defer lf.Close()
				if !f.quiet {
					o.Out = lf
				}
				if o.PullOptions.Progress != nil {
					o.PullOptions.Progress = lf
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			id, err := build(ctx, cmd, st, f, args, o)
			if err != nil {
				return err
			}
			g.imageEvent("build", id, strings.Join(o.Tags, ","))
			if err := out.export(st, id); err != nil {
				return err
			}
			if err := writeIIDFile(f.iidfile, id); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), id)
			return err
		},
	}
	f.register(cmd)
	// As Podman lists it, among build's own flags: the global one's value
	// (RUN steps' runtime gets it as every runtime call does).
	cmd.Flags().StringArrayVar(&g.runtimeFlags, "runtime-flag", nil, "a global flag for the OCI runtime of RUN steps, without its dashes (debug, log-format=json)")
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
	bc, err := builder.OpenContext(ctx, source, builder.ContextOptions{File: f.file, Stdin: cmd.InOrStdin(), GraphRoot: st.GraphRoot(), IgnoreFile: f.ignoreFile})
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

// buildOutput is --output: where the image's files are exported too.
type buildOutput struct {
	kind, dest string // "local" (a directory) or "tar"; "" for none
}

// parseBuildOutput reads --output DIR, type=local,dest=DIR or
// type=tar,dest=FILE.
func parseBuildOutput(s string) (buildOutput, error) {
	if s == "" {
		return buildOutput{}, nil
	}
	if !strings.Contains(s, "=") {
		return buildOutput{kind: "local", dest: s}, nil
	}
	var o buildOutput
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "type":
			o.kind = v
		case "dest":
			o.dest = v
		default:
			return o, usageErrorf("--output %q: unknown key %q (type, dest)", s, k)
		}
	}
	switch {
	case o.kind != "local" && o.kind != "tar":
		return o, usageErrorf("--output %q: type is local or tar", s)
	case o.dest == "" || o.dest == "-":
		return o, usageErrorf("--output %q: give dest=PATH (standard output carries the image ID)", s)
	}
	return o, nil
}

// export copies the files of image id to the output: into a directory,
// owned by the user, or as a tar file published whole.
func (o buildOutput) export(st storage.Store, id string) error {
	if o.kind == "" {
		return nil
	}
	root, err := st.MountImage(id, nil, "")
	if err != nil {
		return fmt.Errorf("--output: mounting the image: %w", err)
	}
	defer func() { _, _ = st.UnmountImage(id, false) }()
	if o.kind == "local" {
		dest, err := filepath.Abs(o.dest)
		if err != nil {
			return err
		}
		if err := copier.Copy(root, "/", "/", dest, copier.CopyOptions{WriteOptions: copier.WriteOptions{Owner: &copier.Owner{}}}); err != nil {
			return fmt.Errorf("--output %s: %w", o.dest, err)
		}
		return nil
	}
	dir, err := storage.MkdirTemp(st.GraphRoot(), "output")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "image.tar")
	fh, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = copier.WriteTar(fh, root, "/", copier.TarOptions{})
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = storage.PublishFile(tmp, o.dest)
	}
	if err != nil {
		return fmt.Errorf("--output %s: %w", o.dest, err)
	}
	return nil
}
