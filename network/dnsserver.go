package network

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pod-project/pod/network/slirp"
)

// dnsServer is the DNS role, run by the rootless namespace's holder: one
// UDP socket on port 53 of every address in that namespace (each
// bridge's gateway is where its containers' resolv.conf points), which
// answers the names of the asker's network from the leases and passes
// other queries on to the link's forwarder (10.0.2.3, which asks the
// host's resolvers).
type dnsServer struct {
	// conn is port 53, up the socket queries are passed on from (on a
	// port of its own: pasta was seen to drop queries sent from port 53).
	conn, up *net.UDPConn
	ipamPath string
	upstream netip.AddrPort

	mu      sync.Mutex
	leases  *ipamFile
	modTime time.Time
	// pending are forwarded queries by the ID they were sent with.
	pending map[uint16]pendingQuery
	nextID  uint16
}

type pendingQuery struct {
	client netip.AddrPort
	id     uint16
	sent   time.Time
}

// forwardTimeout drops a forwarded query with no answer.
const forwardTimeout = 10 * time.Second

// listenDNS opens the role's sockets in the rootless namespace.
func listenDNS(ns string) (conn, up *net.UDPConn, err error) {
	err = slirp.InNetNS(ns, func() error {
		var err error
		if conn, err = net.ListenUDP("udp", &net.UDPAddr{Port: 53}); err != nil {
			return err
		}
		up, err = net.ListenUDP("udp4", &net.UDPAddr{})
		return err
	})
	return conn, up, err
}

func newDNSServer(conn, up *net.UDPConn, ipamDir string) *dnsServer {
	return &dnsServer{
		conn: conn, up: up, ipamPath: filepath.Join(ipamDir, "ipam.json"),
		upstream: netip.AddrPortFrom(netip.MustParseAddr(slirp.ForwarderAddr), 53),
		pending:  map[uint16]pendingQuery{},
	}
}

// serve answers until the sockets fail.
func (s *dnsServer) serve() {
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := s.up.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if netip.AddrPortFrom(from.Addr().Unmap(), from.Port()) == s.upstream {
				s.relayAnswer(append([]byte(nil), buf[:n]...))
			}
		}
	}()
	buf := make([]byte, 65535)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		s.query(append([]byte(nil), buf[:n]...), from)
	}
}

// query answers a container's question, or passes it on.
func (s *dnsServer) query(msg []byte, from netip.AddrPort) {
	q, err := parseQuery(msg)
	if err != nil {
		return
	}
	if q.Class == dnsClassIN {
		if nl := s.networkOf(from.Addr()); nl != nil {
			addrs, known := lookupName(nl, q.Name)
			// The dns.podman domain is pod's: a name in it that no
			// container has does not exist anywhere.
			if known || strings.HasSuffix(q.Name, "."+DNSDomain) {
				_, _ = s.conn.WriteToUDPAddrPort(answer(msg, q, addrs, known), from)
				return
			}
		}
	}
	s.forward(msg, q.ID, from)
}

// networkOf is the leases of the network addr is a container of.
func (s *dnsServer) networkOf(addr netip.Addr) *networkLeases {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fi, err := os.Stat(s.ipamPath); err == nil && (s.leases == nil || !fi.ModTime().Equal(s.modTime)) {
		f, err := (IPAM{Dir: filepath.Dir(s.ipamPath)}).read()
		if err == nil {
			s.leases, s.modTime = f, fi.ModTime()
		}
	}
	if s.leases == nil {
		return nil
	}
	for _, nl := range s.leases.Networks {
		if _, ok := nl.Leases[addr]; ok {
			return nl
		}
	}
	return nil
}

// forward sends a query on with an ID of the server's.
func (s *dnsServer) forward(msg []byte, id uint16, from netip.AddrPort) {
	s.mu.Lock()
	now := time.Now()
	for k, p := range s.pending {
		if now.Sub(p.sent) > forwardTimeout {
			delete(s.pending, k)
		}
	}
	s.nextID++
	out := s.nextID
	s.pending[out] = pendingQuery{client: from, id: id, sent: now}
	s.mu.Unlock()
	binary.BigEndian.PutUint16(msg, out)
	_, _ = s.up.WriteToUDPAddrPort(msg, s.upstream)
}

// relayAnswer gives a forwarded query's answer to its asker.
func (s *dnsServer) relayAnswer(msg []byte) {
	if len(msg) < dnsHeaderLen {
		return
	}
	s.mu.Lock()
	p, ok := s.pending[binary.BigEndian.Uint16(msg)]
	delete(s.pending, binary.BigEndian.Uint16(msg))
	s.mu.Unlock()
	if !ok {
		return
	}
	binary.BigEndian.PutUint16(msg, p.id)
	_, _ = s.conn.WriteToUDPAddrPort(msg, p.client)
}
