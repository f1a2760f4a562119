package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/network/slirp"
)

// Networks is the store of user-defined networks: "networks" next to the
// graph root, as volumes ($XDG_DATA_HOME/pod/networks by default).
func (h *Host) Networks() network.Store {
	return network.Store{Dir: filepath.Join(filepath.Dir(filepath.Clean(h.Store.GraphRoot())), "networks")}
}

// IPAM holds the addresses containers have on user-defined networks: in
// the store's run root, as the network namespace they are used in.
func (h *Host) IPAM() network.IPAM {
	return network.IPAM{Dir: filepath.Join(h.Store.RunRoot(), "networks")}
}

// RootlessNet is the network namespace of the store's user-defined
// networks (one per user rootless; for root, one per run root, so that
// stores of their own have bridges of their own).
func (h *Host) RootlessNet() network.Rootless {
	return network.Rootless{Dir: filepath.Join(h.Store.RunRoot(), "netns"), CacheDir: h.RuntimeDir, IPAMDir: h.IPAM().Dir}
}

// defaultNetwork puts a container run with no --network (or --network
// bridge) on the default network. Where no user-mode stack works it keeps
// the mode: the container runs with loopback only, with a warning at start.
func (h *Host) defaultNetwork(cfg *container.Config) {
	if !slirp.IsDefault(cfg.NetworkMode) || len(cfg.Networks) > 0 || h.RuntimeDir == "" {
		return
	}
	if slirp.Probe(h.RuntimeDir).Driver == "" {
		return
	}
	cfg.NetworkMode = network.DefaultName
	cfg.Networks = []container.NetworkAttachment{{Name: network.DefaultName}}
}

// checkNetworks refuses, at create, a container on user-defined networks
// that do not exist, or where pod cannot make them.
func (h *Host) checkNetworks(cfg *container.Config) error {
	if len(cfg.Networks) == 0 {
		return nil
	}
	for _, a := range cfg.Networks {
		if _, err := h.Networks().Get(a.Name); err != nil {
			if errors.Is(err, network.ErrNoSuchNetwork) {
				err = fmt.Errorf("network %s not found: create it with pod network create %s", a.Name, a.Name)
			}
			return container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
		}
	}
	return nil
}

// planLinks decides, before the monitor is spawned, a container's links
// to its user-defined networks: the rootless namespace is made (or its
// holder restarted), each network gives the container an address, and
// the plan goes into the bundle for the monitor.
func (h *Host) planLinks(rec *container.Record, bundle string) (string, error) {
	cfg := &rec.Config
	slirp.RemovePlan(bundle)
	slirp.ClearReady(bundle)
	// Taken or privileged ports fail here, before anything starts.
	if err := slirp.CheckPorts(cfg.Ports, slirp.InUserNS()); err != nil {
		return "", container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	rn := h.RootlessNet()
	l := network.Links{RootlessNS: rn.NSPath(), IPAMDir: h.IPAM().Dir, CacheDir: rn.CacheDir, Tag: cfg.ID[:10], ContainerID: cfg.ID, Ports: cfg.Ports}
	fail := func(err error) (string, error) {
		h.releaseLinks(cfg)
		return "", container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	for i, a := range cfg.Networks {
		n, err := h.Networks().Get(a.Name)
		if err != nil {
			return fail(err)
		}
		att, err := h.allocate(cfg, n, a, i)
		if err != nil {
			return fail(err)
		}
		l.Attachments = append(l.Attachments, att)
	}
	// After the addresses are held: an idle holder ends only when no
	// address is (see network.HolderMain), so this one stays for them.
	if err := rn.Ensure(); err != nil {
		if cfg.Networks[0].Name == network.DefaultName {
			err = fmt.Errorf("%w; or give the container a network stack of its own with --network pasta", err)
		}
		return fail(err)
	}
	if err := saveLinks(rec, bundle, &l); err != nil {
		h.releaseLinks(cfg)
		return "", err
	}
	plan := &slirp.Plan{Driver: network.DriverBridge, NSPath: slirp.NSPath(bundle)}
	if err := plan.Save(bundle); err != nil {
		return "", err
	}
	return envNetBundle(bundle), nil
}

// releaseLinks gives a removed container's addresses back (its monitor
// does at each stop; this covers one that was killed), on every network:
// a connect killed before it recorded the network left an address there.
func (h *Host) releaseLinks(cfg *container.Config) {
	if len(cfg.Networks) > 0 {
		_ = h.IPAM().ReleaseAll(cfg.ID)
	}
}

// networkUsers are the containers on network n.
func (h *Host) networkUsers(n network.Network) ([]*container.Record, error) {
	recs, err := container.List(h.Store)
	if err != nil {
		return nil, err
	}
	var out []*container.Record
	for _, r := range recs {
		for _, a := range r.Config.Networks {
			if a.Name == n.Name {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}

// RemoveNetwork removes network ref; with force the containers on it are
// removed first (running ones stopped, after stopTime seconds of their
// stop signal, or at once when nil), else a network in use is refused
// naming them.
func (h *Host) RemoveNetwork(ctx context.Context, ref string, force bool, stopTime *int) (string, error) {
	n, err := h.Networks().Get(ref)
	if err != nil {
		return "", err
	}
	// Before -f removes its containers.
	if err := network.CheckRemovable(n); err != nil {
		return "", err
	}
	users, err := h.networkUsers(n)
	if err != nil {
		return "", err
	}
	if force {
		for _, r := range users {
			if _, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Force: true, Time: stopTime}); err != nil {
				return "", fmt.Errorf("removing network %s: %w", n.Name, err)
			}
		}
	}
	n, err = h.Networks().Remove(n.ID, func(n network.Network) []string {
		users, _ := h.networkUsers(n)
		var names []string
		for _, r := range users {
			names = append(names, r.Config.Name)
		}
		return names
	})
	if err != nil {
		return "", err
	}
	_ = h.IPAM().Forget(n)
	h.Event(events.Network, "remove", n.ID, n.Name)
	return n.Name, nil
}

// CreateNetwork makes a network.
func (h *Host) CreateNetwork(o network.CreateOptions) (network.Network, error) {
	n, err := h.Networks().Create(o)
	if err != nil {
		return n, err
	}
	h.Event(events.Network, "create", n.ID, n.Name)
	return n, nil
}

// PruneNetworks removes every network no container is on that match
// selects (nil: every one).
func (h *Host) PruneNetworks(ctx context.Context, match func(network.Network) bool) ([]string, error) {
	all, err := h.Networks().List()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range all {
		if n.Name == network.DefaultName || (match != nil && !match(n)) {
			continue
		}
		if users, err := h.networkUsers(n); err != nil || len(users) > 0 {
			continue
		}
		if name, err := h.RemoveNetwork(ctx, n.ID, false, nil); err == nil {
			removed = append(removed, name)
		}
	}
	return removed, nil
}

// endpoints are the container's links as its state records them.
func endpoints(atts []network.Attachment) []container.Endpoint {
	var out []container.Endpoint
	for _, a := range atts {
		e := container.Endpoint{Network: a.Network, NetworkID: a.ID, MacAddress: a.MAC, Aliases: a.Aliases}
		for i, p := range a.Addrs {
			if p.Addr().Is4() && e.IPAddress == "" {
				e.IPAddress, e.IPPrefixLen, e.Gateway = p.Addr().String(), p.Bits(), a.Gateways[i].String()
			} else if p.Addr().Is6() && e.IPv6Address == "" {
				e.IPv6Address, e.IPv6PrefixLen, e.IPv6Gateway = p.Addr().String(), p.Bits(), a.Gateways[i].String()
			}
		}
		out = append(out, e)
	}
	return out
}

// NetworkInspect is pod network inspect's object: the record, with the
// running containers on the network.
type NetworkInspect struct {
	network.Network
	Containers map[string]NetworkContainer `json:"containers"`
}

// NetworkContainer is a running container's place on a network.
type NetworkContainer struct {
	Name        string `json:"name"`
	IPv4Address string `json:"ipv4_address,omitempty"`
	IPv6Address string `json:"ipv6_address,omitempty"`
	MacAddress  string `json:"mac_address,omitempty"`
}

// InspectNetwork is network ref with its running containers.
func (h *Host) InspectNetwork(ref string) (*NetworkInspect, error) {
	n, err := h.Networks().Get(ref)
	if err != nil {
		return nil, err
	}
	users, err := h.networkUsers(n)
	if err != nil {
		return nil, err
	}
	out := &NetworkInspect{Network: n, Containers: map[string]NetworkContainer{}}
	for _, r := range users {
		if !r.Running() {
			continue
		}
		for _, e := range r.State.Endpoints {
			if e.NetworkID != n.ID {
				continue
			}
			c := NetworkContainer{Name: r.Config.Name, MacAddress: e.MacAddress}
			if e.IPAddress != "" {
				c.IPv4Address = fmt.Sprintf("%s/%d", e.IPAddress, e.IPPrefixLen)
			}
			if e.IPv6Address != "" {
				c.IPv6Address = fmt.Sprintf("%s/%d", e.IPv6Address, e.IPv6PrefixLen)
			}
			out.Containers[r.Config.ID] = c
		}
	}
	return out, nil
}

// ConnectOptions are pod network connect's.
type ConnectOptions struct {
	Aliases []string
	IPs     []string
	// MAC is the interface's address on the network ("" for a random one).
	MAC string
}

// Connect links container target to network ref: at its next start, and
// now when it runs (a new interface, its address on the network, its
// names in the network's DNS).
func (h *Host) Connect(ctx context.Context, ref, target string, o ConnectOptions) error {
	n, rec, err := h.networkAndContainer(ctx, ref, target)
	if err != nil {
		return err
	}
	cfg := &rec.Config
	if len(cfg.Networks) == 0 {
		return container.WithExitCode(125, fmt.Errorf("container %s has a network stack of its own (%s), not bridges: connect works for containers on the default network or run with --network NAME", cfg.Name, ownStack(cfg.NetworkMode)))
	}
	if attachmentIndex(cfg, n.Name) >= 0 {
		return container.WithExitCode(125, fmt.Errorf("container %s is already on network %s", cfg.Name, n.Name))
	}
	// The record first: a pod killed after it leaves the container
	// connected at its next start (and its address given back at its
	// removal), never linked without the record knowing.
	att := container.NetworkAttachment{Name: n.Name, Aliases: o.Aliases, IPs: o.IPs, MAC: o.MAC}
	if err := rec.UpdateConfig(func(c *container.Config) { c.Networks = append(c.Networks, att) }); err != nil {
		return err
	}
	if rec.Running() {
		if err := h.linkRunning(rec, n, att); err != nil {
			_ = rec.UpdateConfig(func(c *container.Config) { c.Networks = c.Networks[:len(c.Networks)-1] })
			return err
		}
	}
	h.Event(events.Network, "connect", n.ID, n.Name)
	return nil
}

// allocate takes container cfg's addresses on network n (the static ones
// membership m asks for, else free ones) with the names it answers to
// there, as its index-th link.
func (h *Host) allocate(cfg *container.Config, n network.Network, m container.NetworkAttachment, index int) (network.Attachment, error) {
	var static []netip.Addr
	for _, ip := range m.IPs {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return network.Attachment{}, fmt.Errorf("--ip %q: not an IP address", ip)
		}
		static = append(static, a)
	}
	names := append([]string{cfg.Name, container.ShortID(cfg.ID)}, m.Aliases...)
	addrs, err := h.IPAM().Allocate(n, cfg.ID, names, static)
	if err != nil {
		return network.Attachment{}, err
	}
	a := network.NewAttachment(n, addrs, index, m.Aliases)
	if m.MAC != "" {
		a.MAC = m.MAC
	}
	return a, nil
}

// saveLinks writes a container's links into its bundle and its
// endpoints into its state.
func saveLinks(rec *container.Record, bundle string, l *network.Links) error {
	if err := network.SaveLinks(bundle, *l); err != nil {
		return err
	}
	return rec.UpdateState(func(s *container.State) { s.Endpoints = endpoints(l.Attachments) })
}

// runningLinks are the links of a running container, from its bundle,
// with the rootless namespace's holder running.
func (h *Host) runningLinks(cfg *container.Config) (string, *network.Links, error) {
	bundle, err := h.Store.ContainerRunDirectory(cfg.ID)
	if err != nil {
		return "", nil, err
	}
	l, err := network.LoadLinks(bundle)
	if err != nil || l == nil {
		return "", nil, fmt.Errorf("container %s: its network links: %v", cfg.Name, err)
	}
	if err := h.RootlessNet().Ensure(); err != nil {
		return "", nil, err
	}
	return bundle, l, nil
}

// linkRunning links a running container to one more network.
func (h *Host) linkRunning(rec *container.Record, n network.Network, att container.NetworkAttachment) error {
	cfg := &rec.Config
	bundle, l, err := h.runningLinks(cfg)
	if err != nil {
		return err
	}
	a, err := h.allocate(cfg, n, att, nextInterface(l.Attachments))
	if err != nil {
		return container.WithExitCode(125, err)
	}
	if err := network.Attach(l.RootlessNS, slirp.NSPath(bundle), l.Tag, []network.Attachment{a}); err != nil {
		_ = h.IPAM().Release(n, cfg.ID)
		return fmt.Errorf("connecting container %s to network %s: %w", cfg.Name, n.Name, err)
	}
	l.Attachments = append(l.Attachments, a)
	return saveLinks(rec, bundle, l)
}

// nextInterface is the lowest ethN index no attachment uses.
func nextInterface(atts []network.Attachment) int {
	for i := 0; ; i++ {
		used := false
		for _, a := range atts {
			used = used || a.Interface == "eth"+strconv.Itoa(i)
		}
		if !used {
			return i
		}
	}
}

// Disconnect takes container target off network ref (now, when it runs,
// and for its next starts). Its last network stays: a container is on at
// least one.
func (h *Host) Disconnect(ctx context.Context, ref, target string) error {
	n, rec, err := h.networkAndContainer(ctx, ref, target)
	if err != nil {
		return err
	}
	cfg := &rec.Config
	idx := attachmentIndex(cfg, n.Name)
	switch {
	case idx < 0:
		return container.WithExitCode(125, fmt.Errorf("container %s is not on network %s", cfg.Name, n.Name))
	case len(cfg.Networks) == 1:
		return container.WithExitCode(125, fmt.Errorf("network %s is container %s's only one: connect it to another first, or remove the container", n.Name, cfg.Name))
	}
	if rec.Running() {
		bundle, err := h.Store.ContainerRunDirectory(cfg.ID)
		if err != nil {
			return err
		}
		if l, err := network.LoadLinks(bundle); err == nil && l != nil {
			kept := l.Attachments[:0]
			for _, a := range l.Attachments {
				if a.ID == n.ID {
					if err := network.Detach(l.RootlessNS, l.Tag, a); err != nil {
						return fmt.Errorf("disconnecting container %s from network %s: %w", cfg.Name, n.Name, err)
					}
					continue
				}
				kept = append(kept, a)
			}
			l.Attachments = kept
			if err := saveLinks(rec, bundle, l); err != nil {
				return err
			}
		}
	}
	_ = h.IPAM().Release(n, cfg.ID)
	if err := rec.UpdateConfig(func(c *container.Config) {
		c.Networks = append(c.Networks[:idx:idx], c.Networks[idx+1:]...)
		c.NetworkMode = c.Networks[0].Name
	}); err != nil {
		return err
	}
	h.Event(events.Network, "disconnect", n.ID, n.Name)
	return nil
}

// networkAndContainer are network ref and container target, for connect
// and disconnect.
func (h *Host) networkAndContainer(ctx context.Context, ref, target string) (network.Network, *container.Record, error) {
	n, err := h.Networks().Get(ref)
	if err != nil {
		return n, nil, err
	}
	rec, err := h.Load(ctx, target)
	return n, rec, err
}

// attachmentIndex is the position of network name among cfg's networks,
// -1 when it is not one of them.
func attachmentIndex(cfg *container.Config, name string) int {
	return slices.IndexFunc(cfg.Networks, func(a container.NetworkAttachment) bool { return a.Name == name })
}

// ownStack names the network stack of a container that has its own: ""
// is one made before the default network was a bridge, or where no stack
// works.
func ownStack(mode string) string {
	if mode == "" {
		return "pasta or slirp4netns"
	}
	return mode
}

// ReloadNetworks links running container target again to its networks
// (pod network reload): the rootless namespace and its holder, the
// bridges and their rules, and any link that is gone.
func (h *Host) ReloadNetworks(ctx context.Context, target string) (string, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return "", err
	}
	cfg := &rec.Config
	if len(cfg.Networks) == 0 {
		return "", container.WithExitCode(125, fmt.Errorf("container %s is on no bridge network (it has a network stack of its own: %s)", cfg.Name, ownStack(cfg.NetworkMode)))
	}
	if !rec.Running() {
		return "", container.WithExitCode(125, container.NotRunning(cfg.Name, "its networks are linked when it starts"))
	}
	bundle, l, err := h.runningLinks(cfg)
	if err != nil {
		return "", err
	}
	if _, err := l.Relink(slirp.NSPath(bundle)); err != nil {
		return "", fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	return cfg.ID, nil
}
