package slirp

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// slirpDriver runs slirp4netns; ports are published through its API
// socket (add_hostfwd): the container sees connections from the gateway.
type slirpDriver struct{}

func (slirpDriver) Name() string { return Slirp4netns }

type slirpOpts struct {
	allowHostLoopback bool
	mtu               string
	enableIPv6        bool
}

// slirpOptions parses Podman's slirp4netns options.
func slirpOptions(opts []string) (slirpOpts, error) {
	o := slirpOpts{mtu: "65520"}
	for _, opt := range opts {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "allow_host_loopback":
			o.allowHostLoopback = v == "" || v == "true"
		case "enable_ipv6":
			o.enableIPv6 = v == "" || v == "true"
		case "mtu":
			if n, err := strconv.Atoi(v); err != nil || n < 68 {
				return o, fmt.Errorf("slirp4netns option mtu=%s: not a valid MTU", v)
			}
			o.mtu = v
		case "port_handler":
			if v != "slirp4netns" {
				return o, fmt.Errorf("slirp4netns option port_handler=%s: only slirp4netns is supported", v)
			}
		case "":
		default:
			return o, fmt.Errorf("unknown slirp4netns option %q (use allow_host_loopback, enable_ipv6, mtu, port_handler)", k)
		}
	}
	return o, nil
}

func (slirpDriver) Start(p *Plan, dir string) (Stack, error) {
	o, err := slirpOptions(p.Options)
	if err != nil {
		return nil, err
	}
	// A socket's path must be short (108 bytes): not in the bundle.
	sockDir, err := os.MkdirTemp("", "pod-slirp")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(sockDir, "api.sock")
	logPath := filepath.Join(dir, "slirp4netns.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer readyR.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		readyW.Close()
		return nil, err
	}
	args := []string{"--configure", "--mtu=" + o.mtu, "--ready-fd=3", "--exit-fd=4", "--api-socket", sock, "--netns-type=path"}
	if !o.allowHostLoopback {
		args = append(args, "--disable-host-loopback")
	}
	if o.enableIPv6 {
		args = append(args, "--enable-ipv6")
	}
	cmd := exec.Command(p.Path, append(args, p.NSPath, "tap0")...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.ExtraFiles = []*os.File{readyW, exitR}
	err = cmd.Start()
	readyW.Close()
	exitR.Close()
	if err != nil {
		exitW.Close()
		os.RemoveAll(sockDir)
		return nil, fmt.Errorf("starting slirp4netns: %w", err)
	}
	s := &slirpStack{cmd: cmd, exit: exitW, sockDir: sockDir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	buf := make([]byte, 1)
	if _, err := readyR.Read(buf); err != nil {
		s.Stop(true)
		return nil, fmt.Errorf("starting slirp4netns: not ready: %s", logHead(logPath))
	}
	for _, m := range p.Ports {
		if err := addHostFwd(sock, m.Protocol, m.HostIP, int(m.HostPort), int(m.ContainerPort)); err != nil {
			s.Stop(true)
			return nil, err
		}
	}
	return s, nil
}

type slirpStack struct {
	cmd     *exec.Cmd
	exit    *os.File
	sockDir string
	done    chan struct{}
}

func (s *slirpStack) Done() <-chan struct{} { return s.done }

// Stop closes the exit fd (slirp4netns quits) and, with wait, reaps it.
func (s *slirpStack) Stop(wait bool) {
	s.exit.Close()
	if !wait {
		os.RemoveAll(s.sockDir)
		return
	}
	select {
	case <-s.done:
	case <-time.After(2 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	os.RemoveAll(s.sockDir)
}

// addHostFwd publishes one port through slirp4netns's API socket.
func addHostFwd(sock, proto, hostIP string, hostPort, ctrPort int) error {
	if hostIP == "" {
		hostIP = "0.0.0.0"
	}
	req := map[string]any{"execute": "add_hostfwd", "arguments": map[string]any{
		"proto": proto, "host_addr": hostIP, "host_port": hostPort, "guest_addr": ContainerAddr, "guest_port": ctrPort,
	}}
	c, err := net.Dial("unix", sock)
	if err != nil {
		return fmt.Errorf("publishing port %d: %w", hostPort, err)
	}
	defer c.Close()
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return fmt.Errorf("publishing port %d: %w", hostPort, err)
	}
	_ = c.(*net.UnixConn).CloseWrite()
	b, _ := io.ReadAll(c)
	var resp struct {
		Error *struct {
			Desc string `json:"desc"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return fmt.Errorf("publishing port %d: slirp4netns answered %q", hostPort, b)
	}
	if resp.Error != nil {
		return fmt.Errorf("publishing %s:%d/%s: %s", hostIP, hostPort, proto, resp.Error.Desc)
	}
	return nil
}
