package slirp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/pod-project/pod/container"
)

// pastaDriver runs pasta (passt) against the namespace. pasta forwards
// published ports itself; a connection from the host's loopback reaches
// the container from 127.0.0.1, others keep their source address.
type pastaDriver struct{}

func (pastaDriver) Name() string { return Pasta }

// pastaArgs are pasta's arguments for a plan.
func pastaArgs(p *Plan, pidFile string) []string {
	args := []string{"--config-net", "-q", "-a", ContainerAddr, "-n", "24", "-g", GatewayAddr,
		"--dns-forward", ForwarderAddr, "-T", "none", "-U", "none"}
	var tcp, udp []string
	for _, m := range p.Ports {
		spec := strconv.Itoa(int(m.HostPort)) + ":" + strconv.Itoa(int(m.ContainerPort))
		if m.HostIP != "" {
			spec = m.HostIP + "/" + spec
		}
		if m.Protocol == "udp" {
			udp = append(udp, "-u", spec)
		} else {
			tcp = append(tcp, "-t", spec)
		}
	}
	if tcp == nil {
		tcp = []string{"-t", "none"}
	}
	if udp == nil {
		udp = []string{"-u", "none"}
	}
	args = append(args, tcp...)
	args = append(args, udp...)
	// IPv4 only, as slirp4netns, unless asked: it also starts a third
	// faster. enable_ipv6 is pod's option (as slirp4netns's), not pasta's.
	v6 := false
	for _, o := range p.Options {
		switch o {
		case "enable_ipv6":
			v6 = true
			continue
		case "-6", "--ipv6-only", "-4", "--ipv4-only":
			v6 = true
		}
		args = append(args, o)
	}
	if !v6 {
		args = append(args, "-4")
	}
	return append(args, "-P", pidFile, "--netns", p.NSPath)
}

func (pastaDriver) Start(p *Plan, dir string) (Stack, error) {
	pidFile := filepath.Join(dir, "pasta.pid")
	logPath := filepath.Join(dir, "pasta.log")
	_ = os.Remove(pidFile)
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	// pasta stays in the foreground, the caller's child, so that it is
	// reaped (and its ports free) as soon as it is stopped. It writes its
	// pid file once the namespace is configured and its ports are bound:
	// that is the readiness.
	cmd := exec.Command(p.Path, append([]string{"-f"}, pastaArgs(p, pidFile)...)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	exited, done := make(chan error, 1), make(chan struct{})
	if err := startOnOwnThread(cmd, exited, done); err != nil {
		return nil, fmt.Errorf("starting pasta: %w", err)
	}
	s := &pastaStack{cmd: cmd, exited: exited, done: done}
	for delay := 200 * time.Microsecond; ; delay = min(delay*2, 10*time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			return s, nil
		}
		select {
		case err := <-exited:
			s.exited = nil
			return nil, fmt.Errorf("starting pasta: %v: %s", err, logHead(logPath))
		case <-time.After(delay):
		}
	}
}

// startOnOwnThread starts cmd from an OS thread kept for it until it
// ends, and then sends its end to exited and closes done. The parent-death
// signal is sent when the thread that forked the child ends, not the
// process: a Go thread ends when a goroutine locked to it returns (as the
// ones that enter a network namespace do), and a stack forked from such a
// thread was killed with it, at random.
func startOnOwnThread(cmd *exec.Cmd, exited chan<- error, done chan<- struct{}) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the child's wait
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
		close(done)
	}()
	return <-started
}

type pastaStack struct {
	cmd    *exec.Cmd
	exited chan error
	done   chan struct{}
}

func (s *pastaStack) Done() <-chan struct{} { return s.done }

func (s *pastaStack) Stop(wait bool) {
	if s.exited == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	if !wait {
		return
	}
	select {
	case <-s.exited:
	case <-time.After(2 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.exited = nil
}

// probePasta runs pasta on a scratch namespace.
func probePasta(path, dir string) error {
	ns := filepath.Join(dir, "probe-netns")
	RemoveNetNS(ns)
	if err := NewNetNS(ns); err != nil {
		return err
	}
	defer RemoveNetNS(ns)
	s, err := pastaDriver{}.Start(&Plan{Driver: Pasta, Path: path, NSPath: ns, Ports: []container.PortMapping{}}, dir)
	if err != nil {
		return err
	}
	s.Stop(true)
	_ = os.Remove(filepath.Join(dir, "pasta.log"))
	return nil
}
