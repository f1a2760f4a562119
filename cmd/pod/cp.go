package main

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

func newCpCommand(g *globalOptions) *cobra.Command {
	var archive, follow, quiet, overwrite bool
	cmd := &cobra.Command{
		Use:   "cp [flags] CONTAINER:SRC_PATH DEST_PATH|-\n  pod cp [flags] SRC_PATH|- CONTAINER:DEST_PATH",
		Short: "Copy files or folders between a container and the host",
		Long: "Copy files or folders between a container and the host. Use - as SRC_PATH to read a tar archive\n" +
			"from stdin into a directory of the container, or as DEST_PATH to write one to stdout.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			srcCtr, src := splitCpArg(args[0])
			dstCtr, dst := splitCpArg(args[1])
			switch {
			case srcCtr == "" && dstCtr == "":
				return usageErrorf("one of the paths must name a container: CONTAINER:PATH")
			case src == "" || dst == "":
				return usageErrorf("a path must not be empty")
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			opts := container.CopyOptions{
				Archive: archive, FollowLink: follow, Stdin: os.Stdin, Stdout: cmd.OutOrStdout(),
				InUserNS: g.mode.Rootless, Overwrite: overwrite,
			}
			if srcCtr != "" && dstCtr != "" {
				return copyBetween(st, srcCtr, src, dstCtr, dst, opts)
			}
			if srcCtr != "" {
				return container.CopyFrom(st, srcCtr, src, dst, opts)
			}
			return container.CopyTo(st, src, dstCtr, dst, opts)
		},
	}
	cmd.Flags().BoolVarP(&archive, "archive", "a", false, "archive mode: keep the uid and gid of the source")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "let the copy replace a directory in the container with a non-directory")
	cmd.Flags().BoolVarP(&follow, "follow-link", "L", false, "always follow a symlink in SRC_PATH")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "accepted for compatibility (pod prints no progress)")
	return cmd
}

// splitCpArg splits CONTAINER:PATH as Docker does: a path that starts
// with / or . is local even if it has a colon.
func splitCpArg(arg string) (ctr, p string) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	c, rest, ok := strings.Cut(arg, ":")
	if !ok {
		return "", arg
	}
	return c, rest
}

// copyBetween copies from one container to another through a directory
// of the store's own (reclaimed if pod is killed): out of the first as to
// the host, then into the second.
func copyBetween(st storage.Store, srcCtr, src, dstCtr, dst string, opts container.CopyOptions) error {
	if src == "-" || dst == "-" {
		return usageErrorf("- is the host's standard input or output: it cannot be used between containers")
	}
	tmp, err := storage.MkdirTemp(st.GraphRoot(), "cp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	name := path.Base(path.Clean("/" + src))
	if name == "/" {
		name = "root"
	}
	via := filepath.Join(tmp, name)
	if err := container.CopyFrom(st, srcCtr, src, via, opts); err != nil {
		return err
	}
	// What was copied keeps its name: "dir/." copies a directory's
	// contents, as from the host.
	from := via
	if strings.HasSuffix(src, "/.") {
		from = via + "/."
	}
	return container.CopyTo(st, from, dstCtr, dst, opts)
}
