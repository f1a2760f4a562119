package container

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// InspectNetwork is Docker's NetworkSettings object.
type InspectNetwork struct {
	IPAddress string `json:"IPAddress"`
	Gateway   string `json:"Gateway"`
	// Ports are the published ports of a running container ("80/tcp").
	Ports map[string][]InspectPortBinding `json:"Ports"`
	// Networks are a running container's user-defined networks.
	Networks map[string]InspectEndpoint `json:"Networks"`
}

// InspectEndpoint is Docker's EndpointSettings.
type InspectEndpoint struct {
	NetworkID           string   `json:"NetworkID"`
	IPAddress           string   `json:"IPAddress"`
	IPPrefixLen         int      `json:"IPPrefixLen"`
	Gateway             string   `json:"Gateway"`
	GlobalIPv6Address   string   `json:"GlobalIPv6Address"`
	GlobalIPv6PrefixLen int      `json:"GlobalIPv6PrefixLen"`
	IPv6Gateway         string   `json:"IPv6Gateway"`
	MacAddress          string   `json:"MacAddress"`
	Aliases             []string `json:"Aliases"`
}

// InspectPortBinding is one host side of a published port.
type InspectPortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// Addresses of a container on the user-mode network (network/slirp's).
const (
	privateAddr    = "10.0.2.100"
	privateGateway = "10.0.2.2"
)

// isPrivateNetwork: the container has a user-mode network of its own.
func isPrivateNetwork(mode string) bool {
	m, _, _ := strings.Cut(mode, ":")
	switch m {
	case "", "private", "default", "bridge", "pasta", "slirp4netns":
		return true
	}
	return false
}

func (r *Record) inspectNetwork(d *InspectData) {
	c := r.Config
	d.HostConfig.PortBindings = PortMap(c.Ports)
	d.HostConfig.DNS, d.HostConfig.DNSSearch, d.HostConfig.DNSOptions = nonNil(c.DNS), nonNil(c.DNSSearch), nonNil(c.DNSOptions)
	d.HostConfig.ExtraHosts = nonNil(c.ExtraHosts)
	d.NetworkSettings.Ports = map[string][]InspectPortBinding{}
	d.NetworkSettings.Networks = map[string]InspectEndpoint{}
	if d.State.Running && len(c.Networks) > 0 {
		d.NetworkSettings.Ports = PortMap(c.Ports)
		for i, e := range r.State.Endpoints {
			d.NetworkSettings.Networks[e.Network] = InspectEndpoint{
				NetworkID: e.NetworkID, IPAddress: e.IPAddress, IPPrefixLen: e.IPPrefixLen, Gateway: e.Gateway,
				GlobalIPv6Address: e.IPv6Address, GlobalIPv6PrefixLen: e.IPv6PrefixLen, IPv6Gateway: e.IPv6Gateway,
				MacAddress: e.MacAddress, Aliases: nonNil(e.Aliases),
			}
			if i == 0 {
				d.NetworkSettings.IPAddress, d.NetworkSettings.Gateway = e.IPAddress, e.Gateway
			}
		}
	}
	if d.State.Running && isPrivateNetwork(c.NetworkMode) && len(c.Networks) == 0 {
		d.NetworkSettings.Ports = PortMap(c.Ports)
		d.NetworkSettings.IPAddress, d.NetworkSettings.Gateway = privateAddr, privateGateway
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PortMap groups ports by container port ("80/tcp"), as Docker shows them.
func PortMap(ports []PortMapping) map[string][]InspectPortBinding {
	m := map[string][]InspectPortBinding{}
	for _, p := range ports {
		k := PortKey(p)
		m[k] = append(m[k], InspectPortBinding{HostIP: p.HostIP, HostPort: strconv.Itoa(int(p.HostPort))})
	}
	return m
}

// PortKey is "80/tcp".
func PortKey(p PortMapping) string { return fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol) }

// FormatPorts is Docker's PORTS column: "127.0.0.1:8080->80/tcp, …".
func FormatPorts(ports []PortMapping) string {
	parts := make([]string, 0, len(ports))
	for _, m := range ports {
		ip := m.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		parts = append(parts, fmt.Sprintf("%s:%d->%d/%s", ip, m.HostPort, m.ContainerPort, m.Protocol))
	}
	return strings.Join(parts, ", ")
}

// SortedPorts are ports ordered by container port, protocol, host port.
func SortedPorts(ports []PortMapping) []PortMapping {
	out := append([]PortMapping(nil), ports...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ContainerPort != b.ContainerPort {
			return a.ContainerPort < b.ContainerPort
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		return a.HostPort < b.HostPort
	})
	return out
}

// ErrNoSuchPort is a port the container does not publish.
var ErrNoSuchPort = errors.New("no public port published")

// PortLines are `pod port`'s lines: "80/tcp -> 0.0.0.0:8080" for every
// published port, or the host sides of one ("80", "80/udp").
func PortLines(name string, ports []PortMapping, filter string) ([]string, error) {
	var out []string
	for _, p := range SortedPorts(ports) {
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		host := net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort)))
		switch {
		case filter == "":
			out = append(out, PortKey(p)+" -> "+host)
		case filter == PortKey(p) || filter == strconv.Itoa(int(p.ContainerPort)) && p.Protocol == "tcp":
			out = append(out, host)
		}
	}
	if filter != "" && len(out) == 0 {
		return nil, fmt.Errorf("container %s: %w for %s", name, ErrNoSuchPort, filter)
	}
	return out, nil
}
