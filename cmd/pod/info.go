package main

import (
	"context"
	"os"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/userns"
	"github.com/pod-project/pod/volumes"
)

type infoHost struct {
	Hostname   string      `json:"hostname"`
	Kernel     string      `json:"kernel"`
	OS         string      `json:"os"`
	Arch       string      `json:"arch"`
	CPUs       int         `json:"cpus"`
	Rootless   bool        `json:"rootless"`
	UID        int         `json:"uid"`
	GID        int         `json:"gid"`
	UIDMap     []string    `json:"uidMap,omitempty"`
	GIDMap     []string    `json:"gidMap,omitempty"`
	RuntimeDir string      `json:"runtimeDir"`
	PauseFile  string      `json:"pauseFile,omitempty"`
	OCIRuntime infoRuntime `json:"ociRuntime"`
	// ConfigFiles are the containers.conf and storage.conf files read.
	ConfigFiles []string `json:"configFiles"`
	// Monitor is the executable container monitors run from (Podman's
	// conmon): pod-monitor beside pod, or pod itself without one.
	Monitor        string `json:"monitor"`
	CgroupsVersion string `json:"cgroupVersion"`
	// Podman's keys that scripts read: the cgroup manager, where events
	// go, memory and swap in bytes, uptime, the distribution, security.
	CgroupManager string           `json:"cgroupManager"`
	EventLogger   string           `json:"eventLogger"`
	MemTotal      int64            `json:"memTotal"`
	MemFree       int64            `json:"memFree"`
	SwapTotal     int64            `json:"swapTotal"`
	SwapFree      int64            `json:"swapFree"`
	Uptime        string           `json:"uptime"`
	Distribution  infoDistribution `json:"distribution"`
	Security      infoSecurity     `json:"security"`
	// ResourceLimits says whether --memory, --cpus... apply here.
	ResourceLimits string `json:"resourceLimits"`
	// Cgroups says what each --cgroups mode does here.
	Cgroups []runtime.CgroupMode `json:"cgroups"`

	// Network is the default user-mode stack (network issue).
	Network slirp.Choice `json:"network"`
}

type infoDistribution struct {
	Distribution string `json:"distribution"`
	Version      string `json:"version"`
	Codename     string `json:"codename,omitempty"`
}

type infoSecurity struct {
	Rootless       bool `json:"rootless"`
	SECCOMPEnabled bool `json:"seccompEnabled"`
	SELinuxEnabled bool `json:"selinuxEnabled"`
	// AppArmorEnabled is false: pod loads no AppArmor profile.
	AppArmorEnabled bool `json:"apparmorEnabled"`
}

type infoRuntime struct {
	Name    string         `json:"name"`
	Path    string         `json:"path"`
	Version string         `json:"version"`
	Skipped []runtime.Skip `json:"skipped,omitempty"`
	Error   string         `json:"error,omitempty"`
}

type infoStore struct {
	GraphDriverName string `json:"graphDriverName"`
	NativeOverlay   bool   `json:"nativeOverlay"`
	GraphRoot       string `json:"graphRoot"`
	RunRoot         string `json:"runRoot"`
	VolumePath      string `json:"volumePath"`
	Images          int    `json:"imageCount"`
	Containers      int    `json:"containerCount"`
	// ImageStore and ContainerStore are Podman's shape of the counts.
	ImageStore     infoImageStore     `json:"imageStore"`
	ContainerStore infoContainerStore `json:"containerStore"`
}

type infoImageStore struct {
	Number int `json:"number"`
}

type infoContainerStore struct {
	Number  int `json:"number"`
	Paused  int `json:"paused"`
	Running int `json:"running"`
	Stopped int `json:"stopped"`
}

type infoReport struct {
	Host    infoHost    `json:"host"`
	Store   infoStore   `json:"store"`
	Version versionInfo `json:"version"`
}

func newInfoCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show how pod runs on this host",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			r := gatherInfo(cmd.Context(), g, st)
			w := cmd.OutOrStdout()
			switch format {
			case "":
				printInfo(w, r)
				return nil
			case "json":
				return writeJSON(w, r)
			}
			return output{format: format}.write(w, []any{r})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output: json or a Go template")
	return cmd
}

// gatherInfo reads how pod runs here: host, user namespace, runtime,
// network stack and store.
func gatherInfo(ctx context.Context, g *globalOptions, st storage.Store) infoReport {
	r := infoReport{Version: currentVersion()}
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	hn, _ := os.Hostname()
	r.Host = infoHost{
		Hostname: hn, Kernel: unix.ByteSliceToString(uts.Release[:]), OS: goruntime.GOOS, Arch: goruntime.GOARCH,
		CPUs: goruntime.NumCPU(), Rootless: g.mode.Rootless, UID: g.mode.HostUID, GID: g.mode.HostGID,
		RuntimeDir: g.mode.RuntimeDir, CgroupsVersion: cgroupVersion(),
		CgroupManager: g.cgroupManager, EventLogger: g.eventsBackend, Distribution: distribution(),
		ConfigFiles: append([]string{}, g.configFiles()...),
		Security:    infoSecurity{Rootless: g.mode.Rootless, SECCOMPEnabled: true}, ResourceLimits: lifecycle.ResourceLimitsNote(g.mode.Rootless),
		Cgroups: runtime.CgroupModes(g.mode.Rootless),
	}
	if g.mode.Rootless {
		r.Host.UIDMap = readMap("/proc/self/uid_map")
		r.Host.GIDMap = readMap("/proc/self/gid_map")
		r.Host.PauseFile = g.mode.PauseFile()
	}
	if rt, err := g.ociRuntime(ctx); err != nil {
		r.Host.OCIRuntime.Error = err.Error()
	} else {
		r.Host.OCIRuntime = infoRuntime{Name: rt.Name, Path: rt.Path, Version: rt.Version, Skipped: rt.Skipped}
	}
	r.Host.Monitor, _ = userns.Helper()
	r.Host.Network = slirp.Probe(g.mode.RuntimeDir)
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		unit := int64(si.Unit)
		r.Host.MemTotal, r.Host.MemFree = int64(si.Totalram)*unit, int64(si.Freeram)*unit
		r.Host.SwapTotal, r.Host.SwapFree = int64(si.Totalswap)*unit, int64(si.Freeswap)*unit
		r.Host.Uptime = (time.Duration(si.Uptime) * time.Second).String()
	}
	_, err := os.Stat("/sys/fs/selinux/enforce")
	r.Host.Security.SELinuxEnabled = err == nil
	r.Store = infoStore{GraphDriverName: g.driver, NativeOverlay: g.driver == "overlay", GraphRoot: st.GraphRoot(), RunRoot: st.RunRoot(),
		VolumePath: volumes.New(st.GraphRoot()).Dir()}
	if imgs, err := st.Images(); err == nil {
		r.Store.Images = len(imgs)
		r.Store.ImageStore.Number = len(imgs)
	}
	if cs, err := st.Containers(); err == nil {
		r.Store.Containers = len(cs)
	}
	if recs, err := container.List(st); err == nil {
		cs := &r.Store.ContainerStore
		cs.Number = len(recs)
		for _, rec := range recs {
			switch {
			case rec.State.Status == container.StatusPaused:
				cs.Paused++
			case rec.Running():
				cs.Running++
			default:
				cs.Stopped++
			}
		}
	}
	return r
}

// distribution reads /etc/os-release, as Podman's info shows it.
func distribution() infoDistribution {
	var d infoDistribution
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return d
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "ID":
			d.Distribution = v
		case "VERSION_ID":
			d.Version = v
		case "VERSION_CODENAME":
			d.Codename = v
		}
	}
	return d
}

func readMap(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		out = append(out, strings.Join(strings.Fields(l), " "))
	}
	return out
}

func cgroupVersion() string {
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err == nil && fs.Type == unix.CGROUP2_SUPER_MAGIC {
		return "v2"
	}
	if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.controllers"); err == nil {
		return "v1 (hybrid)"
	}
	return "v1"
}
