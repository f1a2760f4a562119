package slirp

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pod-project/pod/container"
)

// proxiedUDP reports whether a UDP port is forwarded by pod itself rather
// than by the stack: slirp4netns drops replies to the gateway when host
// loopback is off, and pasta (2023 releases) loses replies to loopback
// clients when the host and container ports differ.
func proxiedUDP(driver string, m container.PortMapping) bool {
	return m.Protocol == "udp" && (driver == Slirp4netns || m.HostPort != m.ContainerPort)
}

// splitPorts separates the ports the stack forwards from the ones pod's
// UDP proxy does.
func splitPorts(driver string, ports []container.PortMapping) (stack, proxied []container.PortMapping) {
	for _, m := range ports {
		if proxiedUDP(driver, m) {
			proxied = append(proxied, m)
		} else {
			stack = append(stack, m)
		}
	}
	return stack, proxied
}

// udpIdle is how long a client's flow lives without traffic.
const udpIdle = 60 * time.Second

// UDPProxy forwards datagrams between a host port and a container's, from
// a socket of each client's that dial makes (in the container's namespace,
// as rootlesskit's builtin port driver does, or in the rootless network
// namespace towards a container on a bridge).
type UDPProxy struct {
	host  *net.UDPConn
	dial  func() (net.Conn, error)
	mu    sync.Mutex
	flows map[string]net.Conn
}

// startUDPProxy publishes m into the namespace at nsPath: the container
// sees the datagrams come from 127.0.0.1.
func startUDPProxy(nsPath string, m container.PortMapping) (*UDPProxy, error) {
	return NewUDPProxy(m, func() (net.Conn, error) {
		return dialInNetNS(nsPath, "127.0.0.1:"+strconv.Itoa(int(m.ContainerPort)))
	})
}

// NewUDPProxy listens on m's host address and port and relays each
// client's datagrams through its own socket from dial, and the replies
// back, until the client idles for udpIdle.
func NewUDPProxy(m container.PortMapping, dial func() (net.Conn, error)) (*UDPProxy, error) {
	ip := net.ParseIP(m.HostIP)
	host, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: int(m.HostPort)})
	if err != nil {
		return nil, fmt.Errorf("publishing %s:%d/udp: %w", m.HostIP, m.HostPort, err)
	}
	p := &UDPProxy{host: host, dial: dial, flows: map[string]net.Conn{}}
	go p.serve()
	return p, nil
}

func (p *UDPProxy) serve() {
	buf := make([]byte, 65535)
	for {
		n, from, err := p.host.ReadFromUDP(buf)
		if err != nil {
			return
		}
		c, err := p.flow(from)
		if err != nil {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(udpIdle))
		_, _ = c.Write(buf[:n])
	}
}

// flow is the socket of one client, made on first use.
func (p *UDPProxy) flow(from *net.UDPAddr) (net.Conn, error) {
	key := from.String()
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.flows[key]; c != nil {
		return c, nil
	}
	c, err := p.dial()
	if err != nil {
		return nil, err
	}
	p.flows[key] = c
	go func() {
		buf := make([]byte, 65535)
		for {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			_ = c.SetDeadline(time.Now().Add(udpIdle))
			_, _ = p.host.WriteToUDP(buf[:n], from)
		}
		c.Close()
		p.mu.Lock()
		delete(p.flows, key)
		p.mu.Unlock()
	}()
	return c, nil
}

// Close stops the proxy and its clients' sockets.
func (p *UDPProxy) Close() error {
	err := p.host.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.flows {
		c.Close()
	}
	return err
}

// dialInNetNS makes a connected UDP socket in the namespace at nsPath.
func dialInNetNS(nsPath, addr string) (net.Conn, error) {
	var c net.Conn
	err := InNetNS(nsPath, func() error {
		var err error
		c, err = net.Dial("udp", addr)
		return err
	})
	return c, err
}
