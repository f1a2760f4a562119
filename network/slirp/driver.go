package slirp

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// Driver names.
const (
	Pasta       = "pasta"
	Slirp4netns = "slirp4netns"
)

// Addresses of the user-mode stacks (pasta is given slirp4netns's layout,
// so containers see the same network with either).
const (
	ContainerAddr = "10.0.2.100"
	GatewayAddr   = "10.0.2.2"
	ForwarderAddr = "10.0.2.3"
)

// Driver is a user-mode network stack: it connects a network namespace to
// the host and publishes ports into it.
type Driver interface {
	Name() string
	// Start runs the stack for the namespace at p.NSPath until Stop.
	Start(p *Plan, dir string) (Stack, error)
}

// Stack is a running user-mode stack. Stop ends it; with wait, once it
// has exited (and its ports are free). The kernel takes tens of
// milliseconds to tear a helper's tap device down, so a stack without
// ports is not waited for.
type Stack interface {
	Stop(wait bool)
	// Done is closed once the stack's process has ended (and been reaped).
	Done() <-chan struct{}
}

// Plan is how a container's network is set up, decided when it starts
// (by the CLI, which writes the spec) and carried out by its monitor.
type Plan struct {
	// Version is the plan's schema (PlanVersion when written).
	Version int                     `json:"version"`
	Driver  string                  `json:"driver"`
	Path    string                  `json:"path"`
	Options []string                `json:"options,omitempty"`
	NSPath  string                  `json:"nsPath"`
	Ports   []container.PortMapping `json:"ports,omitempty"`
	// HostLoopback: the host's loopback is reachable at GatewayAddr.
	HostLoopback bool `json:"hostLoopback"`
}

// ErrNoStack is NewPlan's error when no user-mode network stack works for
// a container of the default network mode.
var ErrNoStack = errors.New("no user-mode network stack works")

// IsDefault reports whether a network mode asks for the default network:
// no --network, or one of the names Docker and Podman give it.
func IsDefault(mode string) bool {
	switch mode {
	case "", "private", "default", "bridge":
		return true
	}
	return false
}

// IsPrivate reports whether a network mode gets a user-mode stack.
func IsPrivate(mode string) bool {
	m, _, _ := strings.Cut(mode, ":")
	return IsDefault(m) || m == Pasta || m == Slirp4netns
}

// ParseMode checks a --network value: none, host, private, pasta[:OPTS],
// slirp4netns[:OPTS], container:NAME|ID, ns:PATH. It returns the mode
// and the driver options.
func ParseMode(s string) (mode string, opts []string, err error) {
	m, rest, hasOpts := strings.Cut(s, ":")
	switch m {
	case "", "none", "host", "private", "default", "bridge":
		if hasOpts {
			return "", nil, fmt.Errorf("--network %s takes no options", m)
		}
		return m, nil, nil
	case Pasta, Slirp4netns:
		if hasOpts && rest != "" {
			opts = strings.Split(rest, ",")
		}
		if m == Slirp4netns {
			if _, err := slirpOptions(opts); err != nil {
				return "", nil, fmt.Errorf("--network %s: %w", m, err)
			}
		}
		return m, opts, nil
	case "container", "ns":
		if rest == "" {
			return "", nil, fmt.Errorf("--network %s: needs a %s", m, map[string]string{"container": "container name or ID", "ns": "namespace path"}[m])
		}
		return s, nil, nil
	}
	return "", nil, fmt.Errorf("--network %q: use none, host, pasta[:OPTS], slirp4netns[:OPTS], container:NAME|ID or ns:PATH", s)
}

// NSPath is where the monitor binds a container's network namespace.
func NSPath(bundle string) string { return filepath.Join(bundle, "netns") }

func planPath(bundle string) string { return filepath.Join(bundle, "network.json") }

// NewPlan decides the network of a container that gets a private one: the
// driver its mode forces, or the probed one. cacheDir keeps the probe.
func NewPlan(cfg *container.Config, bundle, cacheDir string) (*Plan, error) {
	mode, _, _ := strings.Cut(cfg.NetworkMode, ":")
	var name, path string
	switch mode {
	case Pasta, Slirp4netns:
		p, err := exec.LookPath(mode)
		if err != nil {
			return nil, fmt.Errorf("--network %s: %s is not installed (apt-get install %s)", mode, mode, map[string]string{Pasta: "passt", Slirp4netns: "slirp4netns"}[mode])
		}
		name, path = mode, p
	default:
		c := Probe(cacheDir)
		if c.Driver == "" {
			return nil, fmt.Errorf("%w (%s); install passt or slirp4netns, or use --network none", ErrNoStack, c.skipped())
		}
		name, path = c.Driver, c.Path
	}
	p := &Plan{Driver: name, Path: path, Options: cfg.NetworkOptions, NSPath: NSPath(bundle), Ports: cfg.Ports}
	if name == Pasta {
		p.HostLoopback = !contains(p.Options, "--no-map-gw")
	} else {
		so, _ := slirpOptions(p.Options)
		p.HostLoopback = so.allowHostLoopback
	}
	return p, nil
}

// PlanVersion is the schema of the plans Save writes.
const PlanVersion = 1

// Save writes the plan into the bundle for the monitor.
func (p *Plan) Save(bundle string) error {
	p.Version = PlanVersion
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return storage.WriteFileAtomicVolatile(planPath(bundle), b, 0o600)
}

// LoadPlan reads a bundle's plan; nil when the container has none.
func LoadPlan(bundle string) (*Plan, error) {
	b, err := os.ReadFile(planPath(bundle))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("reading %s: %w", planPath(bundle), err)
	}
	if p.Version > PlanVersion {
		return nil, fmt.Errorf("reading %s: a network plan of version %d, newer than this pod's %d", planPath(bundle), p.Version, PlanVersion)
	}
	return &p, nil
}

// RemovePlan removes a bundle's plan (a start without a private network).
func RemovePlan(bundle string) { _ = os.Remove(planPath(bundle)) }

func driverFor(name string) (Driver, error) {
	switch name {
	case Pasta:
		return pastaDriver{}, nil
	case Slirp4netns:
		return slirpDriver{}, nil
	}
	return nil, fmt.Errorf("unknown network driver %q", name)
}

// Network is a container's running network: its namespace and stack.
type Network struct {
	plan    *Plan
	stack   Stack
	proxies []*UDPProxy
}

// MakeNamespace makes the plan's namespace (replacing a stale one): the
// runtime needs it to exist before the stack is up.
func (p *Plan) MakeNamespace() error {
	RemoveNetNS(p.NSPath)
	return NewNetNS(p.NSPath)
}

// Up starts the stack of a plan whose namespace exists; dir holds the
// stack's log. Ports that cannot be had fail it, and no stack is left
// behind (the namespace stays for RemoveNetNS or Down).
func Up(p *Plan, dir string, rootless bool) (*Network, error) {
	d, err := driverFor(p.Driver)
	if err != nil {
		return nil, err
	}
	if err := CheckPorts(p.Ports, rootless); err != nil {
		return nil, err
	}
	stackPorts, proxied := splitPorts(p.Driver, p.Ports)
	sp := *p
	sp.Ports = stackPorts
	s, err := d.Start(&sp, dir)
	if err != nil {
		return nil, err
	}
	n := &Network{plan: p, stack: s}
	for _, m := range proxied {
		u, err := startUDPProxy(p.NSPath, m)
		if err != nil {
			n.Down()
			return nil, err
		}
		n.proxies = append(n.proxies, u)
	}
	return n, nil
}

// Down stops the stack (releasing the ports) and removes the namespace.
func (n *Network) Down() {
	if n == nil {
		return
	}
	for _, u := range n.proxies {
		_ = u.Close()
	}
	RemoveNetNS(n.plan.NSPath)
	n.stack.Stop(len(n.plan.Ports) > len(n.proxies))
}

// Done is closed once the stack's process has ended, whoever ended it.
func (n *Network) Done() <-chan struct{} { return n.stack.Done() }

// Stop stops the stack and waits until it is gone, keeping the namespace
// (the rootless network namespace outlives its holder).
func (n *Network) Stop() {
	for _, u := range n.proxies {
		_ = u.Close()
	}
	n.stack.Stop(true)
}

// logHead is the start of a helper's log, where its error is (pasta
// prints its usage after it), for error messages.
func logHead(path string) string {
	b, _ := os.ReadFile(path)
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		// pasta also reports to syslog, and says so when there is none.
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "Failed to send") {
			lines = append(lines, l)
		}
		if len(lines) == 2 {
			break
		}
	}
	s := strings.Join(lines, "; ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
