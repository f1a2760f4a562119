package network

import (
	"net/netip"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// nftables in the rootless namespace (pod is root there, so no host root
// is needed): table inet pod, with
//   - postrouting (nat): what a bridge's subnet sends out of any other
//     interface (the link to the host) is masqueraded, but for internal
//     networks;
//   - forward (filter): no traffic from one bridge to another (networks
//     are isolated), and none in or out of an internal network's bridge.
const (
	rulesTable = "pod"
	// bridgePrefix is what every bridge's name starts with (pod1, pod2...).
	bridgePrefix = ifacePrefx
)

// bridgeRules adds a's bridge's rules unless they are there. It runs in
// the rootless namespace each time a container is linked to the bridge:
// the rules live as long as the namespace, and a pod killed between
// making the bridge and its rules leaves them to the next. Each rule
// carries the bridge's name as its user data, which is how they are found.
func bridgeRules(a Attachment) error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	t := c.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: rulesTable})
	post := c.AddChain(&nftables.Chain{Name: "postrouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	fwd := c.AddChain(&nftables.Chain{Name: "forward", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter})
	if err := c.Flush(); err != nil {
		return err
	}
	// The tag names the network too: a bridge name is used again once its
	// network is removed, and the rules of the one before are dropped.
	tag := []byte("pod-bridge:" + a.Bridge + ":" + a.ID)
	found, stale := false, false
	for _, ch := range []*nftables.Chain{fwd, post} {
		rules, err := c.GetRules(t, ch)
		if err != nil {
			return err
		}
		for _, r := range rules {
			u := string(r.UserData)
			switch {
			case u == string(tag):
				found = true
			case u == "pod-bridge:"+a.Bridge || strings.HasPrefix(u, "pod-bridge:"+a.Bridge+":"):
				if err := c.DelRule(r); err != nil {
					return err
				}
				stale = true
			}
		}
	}
	if found && !stale {
		return nil
	}
	if found {
		// Only the stale ones go; this network's stay.
		return c.Flush()
	}
	br := ifname(a.Bridge)
	drop := &expr.Verdict{Kind: expr.VerdictDrop}
	// Isolation: from this bridge to another one.
	c.AddRule(&nftables.Rule{Table: t, Chain: fwd, UserData: tag, Exprs: concat(
		metaIs(expr.MetaKeyIIFNAME, expr.CmpOpEq, br),
		metaIs(expr.MetaKeyOIFNAME, expr.CmpOpNeq, br),
		metaIs(expr.MetaKeyOIFNAME, expr.CmpOpEq, []byte(bridgePrefix)),
		[]expr.Any{drop})})
	if a.Internal {
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, UserData: tag, Exprs: concat(
			metaIs(expr.MetaKeyIIFNAME, expr.CmpOpEq, br),
			metaIs(expr.MetaKeyOIFNAME, expr.CmpOpNeq, br),
			[]expr.Any{drop})})
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, UserData: tag, Exprs: concat(
			metaIs(expr.MetaKeyOIFNAME, expr.CmpOpEq, br),
			metaIs(expr.MetaKeyIIFNAME, expr.CmpOpNeq, br),
			[]expr.Any{drop})})
	} else {
		for _, p := range a.Addrs {
			c.AddRule(&nftables.Rule{Table: t, Chain: post, UserData: tag, Exprs: concat(
				sourceIn(p.Masked()),
				metaIs(expr.MetaKeyOIFNAME, expr.CmpOpNeq, br),
				[]expr.Any{&expr.Masq{}})})
		}
	}
	return c.Flush()
}

func concat(parts ...[]expr.Any) []expr.Any {
	var out []expr.Any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// metaIs compares an interface name (or its prefix) of the packet.
func metaIs(key expr.MetaKey, op expr.CmpOp, data []byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: op, Register: 1, Data: data},
	}
}

// sourceIn matches packets of p's family whose source is in p.
func sourceIn(p netip.Prefix) []expr.Any {
	proto, offset, n := byte(unix.NFPROTO_IPV4), uint32(12), uint32(4)
	if p.Addr().Is6() {
		proto, offset, n = unix.NFPROTO_IPV6, 8, 16
	}
	net := ipNet(p)
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: n},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: n, Mask: []byte(net.Mask), Xor: make([]byte, n)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte(net.IP)},
	}
}

// ifname is an interface name as the kernel compares it: NUL-padded to
// IFNAMSIZ.
func ifname(s string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, s)
	return b
}
