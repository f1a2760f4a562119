package network

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/pod-project/pod/container"
)

// A shared pasta cannot add and remove port forwards while it runs, so a
// container on user-defined networks has its published ports relayed by
// its monitor: it listens on the host's side and, for each client,
// connects to the container's address on its first network from a socket
// made in the rootless namespace. The container sees the connection come
// from its network's gateway: the client's address does not cross.

// relayDialTimeout bounds a connection to the container.
const relayDialTimeout = 5 * time.Second

// Relays are a container's published ports.
type Relays struct {
	closers []io.Closer
}

// StartRelays publishes ports to target (the container's address) through
// the rootless namespace at ns.
func StartRelays(ns string, target netip.Addr, ports []container.PortMapping) (*Relays, error) {
	r := &Relays{}
	for _, m := range ports {
		to := netip.AddrPortFrom(target, m.ContainerPort)
		var c io.Closer
		var err error
		if m.Protocol == "udp" {
			c, err = relayUDP(ns, m, to)
		} else {
			c, err = relayTCP(ns, m, to)
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		r.closers = append(r.closers, c)
	}
	return r, nil
}

// Close stops every relay (connections under way end with their peers).
func (r *Relays) Close() {
	if r == nil {
		return
	}
	for _, c := range r.closers {
		_ = c.Close()
	}
}

func hostAddr(m container.PortMapping) string {
	return net.JoinHostPort(m.HostIP, strconv.Itoa(int(m.HostPort)))
}

// dialIn connects to to from a socket made in the namespace at ns.
func dialIn(ns, network string, to netip.AddrPort) (net.Conn, error) {
	var c net.Conn
	err := inNetNS(ns, func() error {
		var err error
		c, err = net.DialTimeout(network, to.String(), relayDialTimeout)
		return err
	})
	return c, err
}

type tcpRelay struct{ l net.Listener }

func relayTCP(ns string, m container.PortMapping, to netip.AddrPort) (*tcpRelay, error) {
	l, err := net.Listen("tcp", hostAddr(m))
	if err != nil {
		return nil, fmt.Errorf("publishing %s/tcp: %w", hostAddr(m), err)
	}
	r := &tcpRelay{l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			go relayConn(ns, c, to)
		}
	}()
	return r, nil
}

func (r *tcpRelay) Close() error { return r.l.Close() }

// relayConn copies both ways between a client and the container, passing
// each side's end of writing on to the other.
func relayConn(ns string, client net.Conn, to netip.AddrPort) {
	defer client.Close()
	server, err := dialIn(ns, "tcp", to)
	if err != nil {
		return
	}
	defer server.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}
	go pipe(server, client)
	go pipe(client, server)
	wg.Wait()
}

// udpIdle is how long a client's flow lives without traffic.
const udpIdle = 60 * time.Second

type udpRelay struct {
	host  *net.UDPConn
	ns    string
	to    netip.AddrPort
	mu    sync.Mutex
	flows map[netip.AddrPort]net.Conn
}

func relayUDP(ns string, m container.PortMapping, to netip.AddrPort) (*udpRelay, error) {
	host, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(hostIP(m.HostIP), m.HostPort)))
	if err != nil {
		return nil, fmt.Errorf("publishing %s/udp: %w", hostAddr(m), err)
	}
	r := &udpRelay{host: host, ns: ns, to: to, flows: map[netip.AddrPort]net.Conn{}}
	go r.serve()
	return r, nil
}

func hostIP(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a
	}
	return netip.IPv6Unspecified()
}

func (r *udpRelay) serve() {
	buf := make([]byte, 65535)
	for {
		n, from, err := r.host.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		c, err := r.flow(from)
		if err != nil {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(udpIdle))
		_, _ = c.Write(buf[:n])
	}
}

// flow is one client's socket in the rootless namespace, made on first
// use; its replies go back to the client until it idles.
func (r *udpRelay) flow(from netip.AddrPort) (net.Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.flows[from]; c != nil {
		return c, nil
	}
	c, err := dialIn(r.ns, "udp", r.to)
	if err != nil {
		return nil, err
	}
	r.flows[from] = c
	go func() {
		buf := make([]byte, 65535)
		for {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			_ = c.SetDeadline(time.Now().Add(udpIdle))
			_, _ = r.host.WriteToUDPAddrPort(buf[:n], from)
		}
		c.Close()
		r.mu.Lock()
		delete(r.flows, from)
		r.mu.Unlock()
	}()
	return c, nil
}

func (r *udpRelay) Close() error {
	err := r.host.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.flows {
		c.Close()
	}
	return err
}
