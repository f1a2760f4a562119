package network

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"

	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/userns"
)

// RoleHolder is the role of the process that keeps the rootless network
// namespace's link to the host (pasta, else slirp4netns) running.
const RoleHolder = "netns-holder"

// Rootless is the user's one network namespace that every user-defined
// network's bridge lives in ("the rootless netns"), with one user-mode
// stack connecting it to the host. Dir is the store's run root's netns/
// ($XDG_RUNTIME_DIR/pod/storage/netns by default).
type Rootless struct {
	Dir string
	// CacheDir keeps the network stack probe (pod's runtime directory).
	CacheDir string
	// IPAMDir holds the leases, which the DNS role answers from.
	IPAMDir string
}

// NSPath is the bound namespace.
func (r Rootless) NSPath() string { return filepath.Join(r.Dir, "rootless") }

func (r Rootless) holderFile() string { return filepath.Join(r.Dir, "holder.id") }

// Ensure makes the namespace if there is none and starts its holder if it
// is not running (the first use, or after it was killed: the namespace,
// its bridges and the containers' links survive, the new holder gives it
// a new stack). Under Dir/rootless.lock.
func (r Rootless) Ensure() error {
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return err
	}
	unlock, err := storage.Lock(filepath.Join(r.Dir, "rootless.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	ns := r.NSPath()
	if !isNetNS(ns) {
		slirp.RemoveNetNS(ns)
		if err := slirp.NewNetNS(ns); err != nil {
			return fmt.Errorf("the rootless network namespace: %w", err)
		}
	}
	if id, err := procid.ReadFile(r.holderFile()); err == nil && id.Alive() {
		return nil
	}
	// Set up again with each new holder: a pod killed after making the
	// namespace left it unfinished.
	if err := slirp.InNetNS(ns, setupRootlessNS); err != nil {
		return fmt.Errorf("the rootless network namespace: %w", err)
	}
	return r.startHolder()
}

// setupRootlessNS brings loopback up and lets the namespace route between
// its bridges and its link to the host.
func setupRootlessNS() error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return err
	}
	if err := writeSysctl("net/ipv4/ip_forward", "1"); err != nil {
		return err
	}
	// IPv6 forwarding, where the kernel has IPv6.
	if err := writeSysctl("net/ipv6/conf/all/forwarding", "1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// Preflight: the bridges' rules need nf_tables, which an unprivileged
	// user cannot load.
	c, err := nftables.New()
	if err == nil {
		c.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: rulesTable})
		err = c.Flush()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", errNoNFTables, err)
	}
	return nil
}

// errNoNFTables says what user-defined networks need of the kernel.
const errNoNFTables = "user-defined networks need the kernel's nf_tables, nft_masq and nft_chain_nat (as root, modprobe them or list them in /etc/modules-load.d/)"

// startHolder starts the holder in its own session and waits until its
// stack is up (it writes its identity then) or it failed.
func (r Rootless) startHolder() error {
	exe, err := userns.Helper()
	if err != nil {
		return err
	}
	_ = os.Remove(r.holderFile())
	logPath := filepath.Join(r.Dir, "holder.log")
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(exe)
	// Its argv[0] names it in ps (as the monitors' pod-monitor).
	cmd.Args = []string{"pod-netns-holder"}
	cmd.Env = append(os.Environ(), userns.RoleEnv+"="+RoleHolder, "POD_NETNS_DIR="+r.Dir, "POD_NETNS_CACHE="+r.CacheDir, "POD_IPAM_DIR="+r.IPAMDir)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the rootless network's holder: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		if id, err := procid.ReadFile(r.holderFile()); err == nil && id.PID == cmd.Process.Pid {
			// Its parent, pod, exits soon; the holder lives on.
			return nil
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(logPath)
			return fmt.Errorf("the rootless network's link to the host did not start: %s", firstLine(string(b)))
		case <-deadline:
			_ = cmd.Process.Kill()
			return errors.New("the rootless network's link to the host did not start in 30 s")
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// HolderMain is the holder role: it connects the rootless namespace to
// the host with the probed stack (pasta, else slirp4netns), serves DNS to
// the containers (the DNS role), records itself and waits; the stack
// ends with it.
func HolderMain() {
	r := Rootless{Dir: os.Getenv("POD_NETNS_DIR"), CacheDir: os.Getenv("POD_NETNS_CACHE"), IPAMDir: os.Getenv("POD_IPAM_DIR")}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	c := slirp.Probe(r.CacheDir)
	if c.Driver == "" {
		fmt.Fprintf(os.Stderr, "no user-mode network stack works (install passt or slirp4netns)\n")
		os.Exit(1)
	}
	plan := &slirp.Plan{Driver: c.Driver, Path: c.Path, NSPath: r.NSPath()}
	dir := filepath.Join(r.Dir, "holder")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stackNet, err := slirp.Up(plan, dir, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	conn, up, err := listenDNS(r.NSPath())
	if err != nil {
		fmt.Fprintf(os.Stderr, "the DNS role: %v\n", err)
		os.Exit(1)
	}
	go newDNSServer(conn, up, r.IPAMDir).serve()
	if err := os.WriteFile(r.holderFile(), procid.Self().Marshal(), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A stack that dies (killed) ends the holder too, so that the next
	// pod call that needs a network starts both again. (Its process is
	// watched, not looked for among the children: a child forked by a
	// thread that ends moves to another thread, and a listing of the
	// threads' children can miss it meanwhile.)
	tick := time.NewTicker(holderTick)
	idle := 0
	for {
		select {
		case <-sigs:
			// The stack ends with this process (its parent-death
			// signal); the namespace stays for the containers linked
			// to it.
			os.Exit(0)
		case <-stackNet.Done():
			fmt.Fprintln(os.Stderr, "the stack ended: the holder ends too")
			os.Exit(1)
		case <-tick.C:
			if idle++; !(IPAM{Dir: r.IPAMDir}).Unused() {
				idle = 0
			}
			if idle >= holderIdleTicks && r.endIfUnused(stackNet) {
				os.Exit(0)
			}
		}
	}
}

// The holder looks at its stack and at the leases every holderTick, and
// ends once no container has held an address for holderIdleTicks of them:
// a script's run after run keeps it, the last container's end lets it go.
const (
	holderTick      = 500 * time.Millisecond
	holderIdleTicks = 2
)

// endIfUnused stops the stack and gives up the holder's place when no
// container holds an address. Under the namespace's lock and then the
// leases', as a run takes its addresses before Ensure: either the run's
// addresses keep this holder, or its Ensure finds none and starts another
// once this one's stack is gone.
func (r Rootless) endIfUnused(stack *slirp.Network) bool {
	unlock, err := storage.Lock(filepath.Join(r.Dir, "rootless.lock"))
	if err != nil {
		return false
	}
	defer unlock()
	ended, err := IPAM{Dir: r.IPAMDir}.IfUnused(func() {
		stack.Stop()
		_ = os.Remove(r.holderFile())
	})
	return err == nil && ended
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// holderCheck is how often a monitor of a linked container looks at the
// holder.
const holderCheck = 2 * time.Second

// KeepHolder starts the holder again whenever it is gone, until stop is
// closed: a container's monitor runs it, so that the containers on a
// network keep their way out and their names even when no pod command
// comes (the holder is killed with the systemd unit it was started in).
func (l *Links) KeepHolder(stop <-chan struct{}) {
	r := Rootless{Dir: filepath.Dir(l.RootlessNS), CacheDir: l.CacheDir, IPAMDir: l.IPAMDir}
	tick := time.NewTicker(holderCheck)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if id, err := procid.ReadFile(r.holderFile()); err == nil && id.Alive() {
				continue
			}
			if err := r.Ensure(); err != nil {
				fmt.Fprintf(os.Stderr, "starting the rootless network's holder again: %v\n", err)
			}
		}
	}
}
