package network

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"strings"
)

// The DNS role answers A and AAAA queries for the names of the
// containers on the asker's network and passes every other query on. It
// reads only what it needs of a message (RFC 1035): the header and the
// one question.

// DNS record types and classes pod answers.
const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
	dnsClassIN  = 1

	dnsRcodeNXDomain = 3
	dnsHeaderLen     = 12
	// dnsTTL is short: containers come and go.
	dnsTTL = 5
)

// dnsQuestion is a query's one question.
type dnsQuestion struct {
	ID    uint16
	Name  string // lower case, without the final dot
	Type  uint16
	Class uint16
	// end is where the question ends in the message.
	end int
}

var errNotQuery = errors.New("not a standard query with one question")

// parseQuery reads a standard query with one question.
func parseQuery(msg []byte) (dnsQuestion, error) {
	if len(msg) < dnsHeaderLen {
		return dnsQuestion{}, errNotQuery
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	qd := binary.BigEndian.Uint16(msg[4:])
	if flags&0x8000 != 0 || (flags>>11)&0xf != 0 || qd != 1 {
		return dnsQuestion{}, errNotQuery
	}
	q := dnsQuestion{ID: binary.BigEndian.Uint16(msg)}
	var labels []string
	i := dnsHeaderLen
	for {
		if i >= len(msg) {
			return q, errNotQuery
		}
		n := int(msg[i])
		i++
		if n == 0 {
			break
		}
		if n&0xc0 != 0 || i+n > len(msg) {
			return q, errNotQuery // no compression in a question
		}
		labels = append(labels, strings.ToLower(string(msg[i:i+n])))
		i += n
	}
	if i+4 > len(msg) {
		return q, errNotQuery
	}
	q.Name = strings.Join(labels, ".")
	q.Type = binary.BigEndian.Uint16(msg[i:])
	q.Class = binary.BigEndian.Uint16(msg[i+2:])
	q.end = i + 4
	return q, nil
}

// answer is the response to query q (whose message is msg) with addrs, of
// q's type, or NXDOMAIN when the name is unknown (known false).
func answer(msg []byte, q dnsQuestion, addrs []netip.Addr, known bool) []byte {
	out := make([]byte, 0, q.end+len(addrs)*28)
	out = append(out, msg[:q.end]...)
	// QR, the query's opcode and RD, RA; no error or NXDOMAIN.
	flags := binary.BigEndian.Uint16(msg[2:])&0x0100 | 0x8080
	if !known {
		flags |= dnsRcodeNXDomain
	}
	binary.BigEndian.PutUint16(out[2:], flags)
	var n uint16
	for _, a := range addrs {
		if (q.Type == dnsTypeA && !a.Is4()) || (q.Type == dnsTypeAAAA && !a.Is6()) {
			continue
		}
		out = append(out, 0xc0, dnsHeaderLen) // the question's name
		out = binary.BigEndian.AppendUint16(out, q.Type)
		out = binary.BigEndian.AppendUint16(out, dnsClassIN)
		out = binary.BigEndian.AppendUint32(out, dnsTTL)
		b := a.AsSlice()
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
		out = append(out, b...)
		n++
	}
	binary.BigEndian.PutUint16(out[4:], 1) // QDCOUNT
	binary.BigEndian.PutUint16(out[6:], n) // ANCOUNT
	binary.BigEndian.PutUint16(out[8:], 0) // NSCOUNT
	binary.BigEndian.PutUint16(out[10:], 0)
	return out
}

// DNSDomain is the domain container names are also found under, as
// Podman's (NAME.dns.podman).
const DNSDomain = "dns.podman"

// lookupName finds name among network nl's containers: the addresses of
// the container it names, or known false when none does.
func lookupName(nl *networkLeases, name string) (addrs []netip.Addr, known bool) {
	name = strings.TrimSuffix(name, "."+DNSDomain)
	for id, names := range nl.Names {
		for _, n := range names {
			if strings.EqualFold(n, name) {
				for a, c := range nl.Leases {
					if c == id {
						addrs = append(addrs, a)
					}
				}
				slices.SortFunc(addrs, netip.Addr.Compare)
				return addrs, true
			}
		}
	}
	return nil, false
}
