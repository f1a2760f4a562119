package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pod-project/pod/userns"
)

func printInfo(w io.Writer, r infoReport) {
	h := r.Host
	fmt.Fprintf(w, "host:\n  hostname: %s\n  kernel: %s\n  os/arch: %s/%s\n  cpus: %d\n  cgroupVersion: %s\n", h.Hostname, h.Kernel, h.OS, h.Arch, h.CPUs, h.CgroupsVersion)
	fmt.Fprintln(w, "  cgroups:")
	for _, c := range h.Cgroups {
		fmt.Fprintf(w, "    %s: %s\n", c.Mode, c.Effect)
	}
	fmt.Fprintf(w, "  rootless: %t\n  uid: %d\n  gid: %d\n  runtimeDir: %s\n", h.Rootless, h.UID, h.GID, h.RuntimeDir)
	if h.Rootless {
		fmt.Fprintf(w, "  pauseFile: %s\n", h.PauseFile)
		fmt.Fprintln(w, "  uidMap:")
		for _, m := range h.UIDMap {
			fmt.Fprintf(w, "    - %s\n", m)
		}
		fmt.Fprintln(w, "  gidMap:")
		for _, m := range h.GIDMap {
			fmt.Fprintf(w, "    - %s\n", m)
		}
	}
	rt := h.OCIRuntime
	fmt.Fprintln(w, "  ociRuntime:")
	if rt.Error != "" {
		fmt.Fprintf(w, "    error: %s\n", rt.Error)
	} else {
		fmt.Fprintf(w, "    name: %s\n    path: %s\n    version: %s\n", rt.Name, rt.Path, rt.Version)
	}
	for _, s := range rt.Skipped {
		fmt.Fprintf(w, "    skipped %s: %s\n", s.Name, s.Reason)
	}
	if filepath.Base(h.Monitor) == userns.HelperName {
		fmt.Fprintf(w, "  monitor: %s\n", h.Monitor)
	} else {
		fmt.Fprintf(w, "  monitor: %s (no %s beside it: each monitor is a whole pod, larger)\n", h.Monitor, userns.HelperName)
	}
	printNetwork(w, h.Network)
	if len(h.ConfigFiles) == 0 {
		fmt.Fprintln(w, "  configFiles: none (containers.conf and storage.conf give pod's defaults where present)")
	} else {
		fmt.Fprintf(w, "  configFiles:\n    - %s\n", strings.Join(h.ConfigFiles, "\n    - "))
	}
	s := r.Store
	fmt.Fprintf(w, "store:\n  graphDriverName: %s\n  nativeOverlay: %t\n  graphRoot: %s\n  runRoot: %s\n  imageCount: %d\n  containerCount: %d\n",
		s.GraphDriverName, s.NativeOverlay, s.GraphRoot, s.RunRoot, s.Images, s.Containers)
	v := r.Version
	fmt.Fprintf(w, "version:\n  version: %s\n  goVersion: %s\n", v.Version, v.GoVersion)
	for k, lv := range v.Libraries {
		fmt.Fprintf(w, "  %s: %s\n", k, lv)
	}
}
