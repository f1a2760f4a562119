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
	"github.com/pod-project/pod/network/slirp"
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
	err := slirp.InNetNS(ns, func() error {
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

func relayUDP(ns string, m container.PortMapping, to netip.AddrPort) (io.Closer, error) {
	return slirp.NewUDPProxy(m, func() (net.Conn, error) { return dialIn(ns, "udp", to) })
}
