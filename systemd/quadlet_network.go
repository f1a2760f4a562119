package systemd

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pod-project/pod/network"
)

// networkKeys are the supported [Network] keys.
var networkKeys = map[string]bool{
	"NetworkName": true, "Driver": true, "Subnet": true, "Gateway": true, "IPRange": true,
	"IPv6": true, "Internal": true, "DisableDNS": true, "Label": true, "Options": true,
	"IPAMDriver": true, "DNS": true, "NetworkDeleteOnStop": true,
	"PodmanArgs": true, "GlobalArgs": true, "ServiceName": true, "ContainersConfModule": true,
}

// networkUnit makes the service of a .network file: a one-time pod
// network create that leaves an existing network as it is.
func (c *converter) networkUnit() error {
	args := []string{"network", "create", "--ignore"}
	for _, k := range []string{"ContainersConfModule", "DNS"} {
		if e, ok := c.src.Last(c.group, k); ok {
			reason := refusedKeys[k]
			if k == "DNS" {
				reason = "pod networks answer with their own DNS role, which passes other names to the host's resolvers: give DNS= in the .container files"
			}
			return c.keyErr(e, "%s", reason)
		}
	}
	if d, e, ok := c.value("Driver"); ok && d != network.DriverBridge {
		return c.keyErr(e, "pod networks have only the bridge driver")
	}
	if d, e, ok := c.value("IPAMDriver"); ok && d != "host-local" {
		return c.keyErr(e, "pod networks give addresses themselves (host-local): no %s", d)
	}
	if on, set, err := c.boolValue("NetworkDeleteOnStop"); err != nil {
		return err
	} else if set && on {
		// The network goes when the unit stops, as Quadlet's.
		c.svc.Add("Service", "ExecStopPost", c.command("", "network", "rm", "--force", c.self.resource))
	}
	for _, k := range []struct{ key, flag string }{{"Subnet", "--subnet"}, {"Gateway", "--gateway"}, {"IPRange", "--ip-range"}} {
		for _, e := range c.src.All(c.group, k.key) {
			v := strings.TrimSpace(unquoted(e.Value))
			if !expanded(v) {
				if err := checkNetworkValue(k.key, v); err != nil {
					return c.keyErr(e, "%s", err)
				}
			}
			args = append(args, k.flag, v)
		}
	}
	for _, k := range []struct{ key, flag string }{{"IPv6", "ipv6"}, {"Internal", "internal"}, {"DisableDNS", "disable-dns"}} {
		on, set, err := c.boolValue(k.key)
		if err != nil {
			return err
		}
		if set && on {
			args = append(args, "--"+k.flag)
		}
	}
	labels, err := c.labelArgs()
	if err != nil {
		return err
	}
	args = append(args, labels...)
	for _, e := range c.src.All(c.group, "Options") {
		for _, o := range strings.Split(unquoted(e.Value), ",") {
			if o = strings.TrimSpace(o); o != "" {
				args = append(args, "--opt", o)
			}
		}
	}
	return c.oneshotCommand(args, c.self.resource)
}

// checkNetworkValue checks a Subnet= (a CIDR prefix), Gateway= (an
// address) or IPRange= (a prefix or START-END) early; pod network create
// checks how they fit together.
func checkNetworkValue(key, v string) error {
	ok := true
	switch key {
	case "Gateway":
		_, err := netip.ParseAddr(v)
		ok = err == nil
	case "Subnet":
		_, err := netip.ParsePrefix(v)
		ok = err == nil
	case "IPRange":
		if _, err := netip.ParsePrefix(v); err != nil {
			a, b, cut := strings.Cut(v, "-")
			_, errA := netip.ParseAddr(a)
			_, errB := netip.ParseAddr(b)
			ok = cut && errA == nil && errB == nil
		}
	}
	if !ok {
		return fmt.Errorf("%q is not %s", v, map[string]string{
			"Gateway": "an IP address", "Subnet": "a subnet in CIDR notation (10.89.7.0/24)", "IPRange": "a range in CIDR notation or START-END",
		}[key])
	}
	return nil
}
