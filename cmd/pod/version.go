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
	Version    string            `json:"Version"`
	APIVersion string            `json:"APIVersion"`
	Os         string            `json:"Os"`
	GoVersion  string            `json:"GoVersion"`
	OsArch     string            `json:"OsArch"`
	Libraries  map[string]string `json:"Libraries"`
}

func currentVersion() versionInfo {
	v := versionInfo{Version: version, APIVersion: version, Os: goruntime.GOOS, GoVersion: goruntime.Version(), OsArch: goruntime.GOOS + "/" + goruntime.GOARCH, Libraries: map[string]string{}}
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

// versionReport is what version's templates read: pod's version
// ({{.Version}}), and the same as Docker's and Podman's {{.Client.*}} and
// {{.Server.*}}.
type versionReport struct {
	versionInfo
	Client, Server versionInfo
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
			// pod is its own "server" (there is no daemon): Docker's
			// scripts that read {{.Server.Version}} get pod's too.
			r := versionReport{versionInfo: v, Client: v, Server: v}
			if format == "json" {
				return writeJSON(w, struct {
					Client versionInfo `json:"Client"`
					Server versionInfo `json:"Server"`
				}{v, v})
			}
			if format != "" {
				return output{format: format}.write(w, []any{r})
			}
			fmt.Fprintf(w, "Version:      %s\nGo Version:   %s\nOS/Arch:      %s\n", v.Version, v.GoVersion, v.OsArch)
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output: json or a Go template")
	return cmd
}
