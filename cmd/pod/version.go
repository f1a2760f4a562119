package main

import (
	"fmt"
	goruntime "runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

type versionInfo struct {
	Version   string            `json:"Version"`
	GoVersion string            `json:"GoVersion"`
	OsArch    string            `json:"OsArch"`
	Libraries map[string]string `json:"Libraries"`
}

func currentVersion() versionInfo {
	v := versionInfo{Version: version, GoVersion: goruntime.Version(), OsArch: goruntime.GOOS + "/" + goruntime.GOARCH, Libraries: map[string]string{}}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "go.podman.io/storage", "go.podman.io/image/v5", "github.com/opencontainers/runtime-spec", "github.com/spf13/cobra":
				v.Libraries[d.Path] = d.Version
			}
		}
	}
	return v
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:         "version",
		Short:       "Show pod's version",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{noNamespace: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			v := currentVersion()
			w := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(w, v)
			}
			if format != "" {
				return output{format: format}.write(w, []any{v})
			}
			fmt.Fprintf(w, "Version:      %s\nGo Version:   %s\nOS/Arch:      %s\n", v.Version, v.GoVersion, v.OsArch)
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output: json or a Go template")
	return cmd
}
