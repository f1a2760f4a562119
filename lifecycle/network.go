package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/storage"
)

// netContext is what prepare needs to set up a container's network.
type netContext struct {
	// notify: give the container the monitor's notification socket
	// (--sdnotify=container under a unit).
	notify bool
	// cacheDir keeps the network stack probe.
	cacheDir string
	// loopbackOnly: the default network mode where no user-mode stack
	// works (a host with no routable interface and no slirp4netns): a
	// namespace of its own with loopback only, as --network none.
	loopbackOnly bool
	st           storage.Store
	// version is pod's, for /run/.containerenv ("" for build steps, which
	// get none: it would land in the image).
	version string
}

type etcFiles struct {
	hosts, hostname, resolv, netns string
	// waitNetwork: the monitor starts a stack the container waits for.
	waitNetwork bool
}

// writeEtcFiles decides the container's network (writing the monitor's
// plan for a private one) and writes its /etc/hosts, /etc/hostname and
// /etc/resolv.conf into the bundle.
func writeEtcFiles(bundle, hostname string, cfg *container.Config, nc netContext) (etcFiles, error) {
	f := etcFiles{
		hosts:    filepath.Join(bundle, "hosts"),
		hostname: filepath.Join(bundle, "hostname"),
		resolv:   filepath.Join(bundle, "resolv.conf"),
	}
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	ho := slirp.HostsOptions{Hostname: hostname, Name: cfg.Name, Domainname: cfg.Domainname}
	ro := slirp.ResolvOptions{DNS: cfg.DNS, Search: cfg.DNSSearch, Options: cfg.DNSOptions}
	var hosts string
	var resolv []byte
	gateway := ""
	switch mode := cfg.NetworkMode; {
	case len(cfg.Networks) > 0:
		// User-defined networks: planLinks saved the links.
		l, err := network.LoadLinks(bundle)
		if err != nil || l == nil || len(l.Attachments) == 0 || len(l.Attachments[0].Addrs) == 0 {
			return f, fmt.Errorf("container %s: no network links planned: %v", cfg.Name, err)
		}
		f.netns, f.waitNetwork = slirp.NSPath(bundle), true
		ho.Address, ro.Forwarder = l.Attachments[0].Addrs[0].Addr().String(), slirp.ForwarderAddr
		ho.HostGateway, gateway = slirp.GatewayAddr, slirp.GatewayAddr
		// The DNS role, at the first network's gateway that has it,
		// answers the network's names and passes the rest on.
		for _, a := range l.Attachments {
			if a.DNS && len(a.Gateways) > 0 && len(ro.DNS) == 0 {
				ro.Forwarder = a.Gateways[0].String()
				if len(cfg.DNS) == 0 {
					ro.DNS = []string{ro.Forwarder}
				}
				if len(cfg.DNSSearch) == 0 {
					ro.Search = []string{network.DNSDomain}
				}
			}
		}
	case slirp.IsPrivate(mode) && (nc.cacheDir == "" || nc.loopbackOnly):
		// A build step, or no stack works: an empty namespace of its own.
	case slirp.IsPrivate(mode):
		// planNetwork saved it before the monitor was spawned.
		plan, err := slirp.LoadPlan(bundle)
		if err != nil || plan == nil {
			return f, fmt.Errorf("container %s: no network plan: %v", cfg.Name, err)
		}
		f.netns, f.waitNetwork = plan.NSPath, true
		ho.Address, ro.Forwarder = slirp.ContainerAddr, slirp.ForwarderAddr
		if plan.HostLoopback {
			ho.HostGateway = slirp.GatewayAddr
		}
		gateway = slirp.GatewayAddr
	case mode == "host":
		b, _ := os.ReadFile("/etc/hosts")
		hosts = string(b)
		resolv = slirp.ResolvConf(hostResolv, ro)
	case strings.HasPrefix(mode, "container:"):
		ns, err := otherNetNS(nc.st, strings.TrimPrefix(mode, "container:"), f)
		if err != nil {
			return f, container.WithExitCode(125, fmt.Errorf("container %s: --network %s: %w", cfg.Name, mode, err))
		}
		f.netns = ns
		return f, os.WriteFile(f.hostname, []byte(hostname+"\n"), 0o644)
	case strings.HasPrefix(mode, "ns:"):
		f.netns = strings.TrimPrefix(mode, "ns:")
	}
	ho.ExtraHosts = slirp.ResolveExtraHosts(cfg.ExtraHosts, gateway)
	if hosts == "" {
		hosts = slirp.Hosts(ho)
	} else if len(ho.ExtraHosts) > 0 {
		// The host's /etc/hosts (--network host), after --add-host's
		// entries.
		hosts = slirp.ExtraHostLines(ho.ExtraHosts) + hosts
	}
	if resolv == nil {
		resolv = slirp.ResolvConf(hostResolv, ro)
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{f.hosts, []byte(hosts)}, {f.hostname, []byte(hostname + "\n")}, {f.resolv, resolv}} {
		if err := os.WriteFile(w.path, w.data, 0o644); err != nil {
			return f, fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	return f, nil
}

// otherNetNS is the network namespace of another container (its bound
// namespace, or its running process's), whose /etc/hosts and
// /etc/resolv.conf the container shares.
func otherNetNS(st storage.Store, name string, f etcFiles) (string, error) {
	if st == nil {
		return "", fmt.Errorf("no store to find container %s", name)
	}
	other, err := container.Load(st, name)
	if err != nil {
		return "", err
	}
	dir, err := st.ContainerRunDirectory(other.Config.ID)
	if err != nil {
		return "", err
	}
	for _, n := range []struct{ from, to string }{{"hosts", f.hosts}, {"resolv.conf", f.resolv}} {
		if b, err := os.ReadFile(filepath.Join(dir, n.from)); err == nil {
			_ = os.WriteFile(n.to, b, 0o644)
		}
	}
	if other.State.Status != container.StatusRunning || other.State.Pid <= 0 {
		return "", fmt.Errorf("container %s is not running", other.Config.Name)
	}
	if other.Config.NetworkMode == "host" {
		return "", fmt.Errorf("container %s uses the host's network (use --network host)", other.Config.Name)
	}
	if p, _ := slirp.LoadPlan(dir); p != nil {
		return p.NSPath, nil
	}
	return "/proc/" + strconv.Itoa(other.State.Pid) + "/ns/net", nil
}

// planNetwork decides a private network before the monitor is spawned and
// returns the monitor's environment entry that starts it early.
func planNetwork(cfg *container.Config, bundle string, nc *netContext, warn func(string, ...any)) (string, error) {
	slirp.RemovePlan(bundle)
	slirp.ClearReady(bundle)
	if !slirp.IsPrivate(cfg.NetworkMode) {
		return "", nil
	}
	// Taken or privileged ports fail here, before anything starts.
	if err := slirp.CheckPorts(cfg.Ports, slirp.InUserNS()); err != nil {
		return "", container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	plan, err := slirp.NewPlan(cfg, bundle, nc.cacheDir)
	if errors.Is(err, slirp.ErrNoStack) && len(cfg.Ports) == 0 {
		// Containers that need no outside network still run.
		warn("container %s runs with loopback only, as with --network none: %v", cfg.Name, err)
		nc.loopbackOnly = true
		return "", nil
	}
	if err != nil {
		return "", container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	if err := plan.Save(bundle); err != nil {
		return "", err
	}
	return envNetBundle(bundle), nil
}

// envNetBundle is the monitor's environment entry that has it start the
// network planned in bundle while it waits for its start message.
func envNetBundle(bundle string) string { return protocol.EnvNetBundle + "=" + bundle }

// netCacheDir keeps the network probe: pod's runtime directory, else the
// bundle's parent.
func netCacheDir(runtimeDir string, bundle string) string {
	if runtimeDir != "" {
		return runtimeDir
	}
	return filepath.Dir(bundle)
}
