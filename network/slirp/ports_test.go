package slirp

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pod-project/pod/container"
)

func TestParsePorts(t *testing.T) {
	pm := func(ip string, h, c uint16, proto string) container.PortMapping {
		return container.PortMapping{HostIP: ip, HostPort: h, ContainerPort: c, Protocol: proto}
	}
	tests := []struct {
		in   string
		want []container.PortMapping
		err  string
	}{
		{in: "80", want: []container.PortMapping{pm("", 0, 80, "tcp")}},
		{in: "8080:80", want: []container.PortMapping{pm("", 8080, 80, "tcp")}},
		{in: "127.0.0.1:8080:80/udp", want: []container.PortMapping{pm("127.0.0.1", 8080, 80, "udp")}},
		{in: "127.0.0.1::80", want: []container.PortMapping{pm("127.0.0.1", 0, 80, "tcp")}},
		{in: "[::1]:8080:80", want: []container.PortMapping{pm("::1", 8080, 80, "tcp")}},
		{in: "8080-8081:80-81/TCP", want: []container.PortMapping{pm("", 8080, 80, "tcp"), pm("", 8081, 81, "tcp")}},
		{in: "80-81", want: []container.PortMapping{pm("", 0, 80, "tcp"), pm("", 0, 81, "tcp")}},
		{in: "8080-8082:80-81", err: "differ in length"},
		{in: "80/sctp", err: "protocol"},
		{in: "0", err: "not a port number"},
		{in: "70000", err: "not a port number"},
		{in: "x:80:80", err: "not an IP address"},
		{in: "1:2:3:4", err: "too many colons"},
		{in: "82-80", err: "ends before it starts"},
		{in: "[::1:80", err: "unterminated"},
	}
	for _, tt := range tests {
		got, err := ParsePorts([]string{tt.in})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseExposeAndPublishAll(t *testing.T) {
	exp, err := ParseExpose([]string{"80", "53/udp", "8000-8001/tcp"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"80/tcp", "53/udp", "8000/tcp", "8001/tcp"}; !reflect.DeepEqual(exp, want) {
		t.Fatalf("ParseExpose: %v, want %v", exp, want)
	}
	if _, err := ParseExpose([]string{"80/icmp"}); err == nil {
		t.Fatal("80/icmp accepted")
	}
	have := []container.PortMapping{{HostPort: 9000, ContainerPort: 80, Protocol: "tcp"}}
	got := PublishAll(have, append(exp, "80/tcp", "bad"))
	want := []container.PortMapping{
		{HostPort: 9000, ContainerPort: 80, Protocol: "tcp"},
		{ContainerPort: 53, Protocol: "udp"},
		{ContainerPort: 8000, Protocol: "tcp"},
		{ContainerPort: 8001, Protocol: "tcp"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PublishAll: %+v, want %+v", got, want)
	}
}

func TestAllocatePorts(t *testing.T) {
	ports := []container.PortMapping{{HostIP: "127.0.0.1", ContainerPort: 80, Protocol: "tcp"}, {HostIP: "127.0.0.1", ContainerPort: 53, Protocol: "udp"}, {HostPort: 1234, ContainerPort: 1, Protocol: "tcp"}}
	if err := AllocatePorts(ports); err != nil {
		t.Fatal(err)
	}
	if ports[0].HostPort == 0 || ports[1].HostPort == 0 || ports[2].HostPort != 1234 {
		t.Fatalf("AllocatePorts: %+v", ports)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in, mode string
		opts     []string
		bad      bool
	}{
		{in: "", mode: ""},
		{in: "none", mode: "none"},
		{in: "host", mode: "host"},
		{in: "pasta", mode: "pasta"},
		{in: "pasta:--no-map-gw,-4", mode: "pasta", opts: []string{"--no-map-gw", "-4"}},
		{in: "slirp4netns:allow_host_loopback=true,mtu=1500", mode: "slirp4netns", opts: []string{"allow_host_loopback=true", "mtu=1500"}},
		{in: "slirp4netns:port_handler=rootlesskit", bad: true},
		{in: "slirp4netns:bogus=1", bad: true},
		{in: "container:web", mode: "container:web"},
		{in: "container:", bad: true},
		{in: "ns:/proc/1/ns/net", mode: "ns:/proc/1/ns/net"},
		{in: "host:x", bad: true},
		{in: "mynet", bad: true},
	}
	for _, tt := range tests {
		mode, opts, err := ParseMode(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%q accepted", tt.in)
			}
			continue
		}
		if err != nil || mode != tt.mode || !reflect.DeepEqual(opts, tt.opts) {
			t.Errorf("%q: %q %q %v; want %q %q", tt.in, mode, opts, err, tt.mode, tt.opts)
		}
	}
}

func TestPastaArgs(t *testing.T) {
	p := &Plan{NSPath: "/b/netns", Options: []string{"--no-map-gw"}, Ports: []container.PortMapping{
		{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
		{HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
	}}
	got := strings.Join(pastaArgs(p, "/b/pid"), " ")
	for _, want := range []string{"-t 127.0.0.1/8080:80", "-u 5353:53", "--dns-forward 10.0.2.3", "--no-map-gw -4 -P /b/pid --netns /b/netns"} {
		if !strings.Contains(got, want) {
			t.Errorf("pasta args %q lack %q", got, want)
		}
	}
	if strings.Contains(got, "-t none") || strings.Contains(got, "-u none") {
		t.Errorf("pasta args %q disable forwarded protocols", got)
	}
	if got := strings.Join(pastaArgs(&Plan{NSPath: "/n"}, "/p"), " "); !strings.Contains(got, "-t none") || !strings.Contains(got, "-u none") {
		t.Errorf("pasta args without ports %q forward some", got)
	}
	if got := pastaArgs(&Plan{NSPath: "/n"}, "/p"); !contains(got, "-4") {
		t.Errorf("pasta args %q: not IPv4 only by default", got)
	}
	if got := pastaArgs(&Plan{NSPath: "/n", Options: []string{"enable_ipv6"}}, "/p"); contains(got, "-4") || contains(got, "enable_ipv6") {
		t.Errorf("pasta args with enable_ipv6 %q", got)
	}
}

func TestSplitPorts(t *testing.T) {
	ports := []container.PortMapping{
		{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
		{HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
		{HostPort: 5000, ContainerPort: 5000, Protocol: "udp"},
	}
	stack, proxied := splitPorts(Pasta, ports)
	if len(stack) != 2 || len(proxied) != 1 || proxied[0].HostPort != 5353 {
		t.Errorf("pasta: stack %v, proxied %v", stack, proxied)
	}
	stack, proxied = splitPorts(Slirp4netns, ports)
	if len(stack) != 1 || len(proxied) != 2 {
		t.Errorf("slirp4netns: stack %v, proxied %v", stack, proxied)
	}
}
