package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// webOn runs a detached web server named name on network net; it answers
// GET /i.html with "hello from NAME".
func (e *env) webOn(name, net string, flags ...string) {
	e.t.Helper()
	args := append([]string{"run", "-d", "--name", name, "--network", net}, flags...)
	// (net may carry options: NAME:ip=...,alias=...)
	args = append(args, testImage, "sh", "-c", "echo hello from "+name+" >/i.html; exec httpd -f -p 80 -h /")
	e.ok(args...)
}

// addrOn is container name's IPv4 address, as its eth0 says.
func (e *env) addrOn(name string) string {
	e.t.Helper()
	out := e.ok("exec", name, "sh", "-c", "ip -4 -o addr show eth0")
	f := strings.Fields(out)
	for i, w := range f {
		if w == "inet" && i+1 < len(f) {
			return strings.Split(f[i+1], "/")[0]
		}
	}
	e.t.Fatalf("no IPv4 address on %s's eth0: %q", name, out)
	return ""
}

// fetch runs a throwaway container on net that asks ip's web server for
// /i.html with a 3 s limit; it returns the body, or "" when it could not.
func (e *env) fetch(net, ip string) string {
	e.t.Helper()
	r := e.pod("run", "--rm", "--network", net, testImage, "sh", "-c",
		`printf 'GET /i.html HTTP/1.0\r\n\r\n' | nc -w 3 `+ip+` 80 | tail -n 1`)
	return strings.TrimSpace(r.stdout)
}

// TestUserNetworks: containers on a user-defined network reach each other;
// networks are isolated from each other; an internal network has no way
// out; the commands list, inspect and remove networks as Podman's.
func TestUserNetworks(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("network", "create", "appnet"), 0, "appnet\n")
	expect(t, e.pod("network", "create", "--subnet", "10.91.7.0/24", "--label", "team=db", "other"), 0, "other\n")
	expectError(t, e.pod("network", "create", "appnet"), 125, "already exists")
	expect(t, e.pod("network", "create", "--ignore", "appnet"), 0, "appnet\n")
	expectError(t, e.pod("network", "create", "--subnet", "10.91.7.128/25", "clash"), 125, "overlaps subnet 10.91.7.0/24 of network other")
	expect(t, e.pod("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Subnets}}"), 0, "appnet bridge 10.89.0.0/24\nother bridge 10.91.7.0/24\npod bridge 10.88.0.0/16\n")
	expect(t, e.pod("network", "ls", "-q", "--filter", "label=team=db"), 0, "other\n")
	expect(t, e.pod("network", "exists", "appnet"), 0, "")
	expect(t, e.pod("network", "exists", "nonet"), 1, "")
	var insp []struct {
		Name    string `json:"name"`
		Driver  string `json:"driver"`
		Subnets []struct {
			Subnet, Gateway string
		} `json:"subnets"`
	}
	if err := json.Unmarshal([]byte(e.ok("network", "inspect", "appnet")), &insp); err != nil || len(insp) != 1 ||
		insp[0].Name != "appnet" || insp[0].Subnets[0].Gateway != "10.89.0.1" {
		t.Fatalf("network inspect: %+v, %v", insp, err)
	}

	e.webOn("db", "appnet")
	ip := e.addrOn("db")
	if !strings.HasPrefix(ip, "10.89.0.") {
		t.Fatalf("db's address %s is not in appnet's subnet", ip)
	}
	if got := e.fetch("appnet", ip); got != "hello from db" {
		t.Fatalf("from appnet, db answers %q", got)
	}
	if got := e.fetch("other", ip); got != "" {
		t.Fatalf("from another network, db answers %q: networks are not isolated", got)
	}
	// The way out: the rootless namespace's link forwards DNS to the host.
	e.ok("network", "create", "--internal", "inside")
	r := e.pod("run", "--rm", "--network", "inside", testImage, "sh", "-c", "ip route; ip route get 10.0.2.3 || echo no way out")
	if !strings.Contains(r.stdout, "no way out") {
		t.Fatalf("an internal network has a route out:\n%s", r)
	}
	r = e.pod("run", "--rm", "--network", "appnet", testImage, "sh", "-c", "ip route get 10.0.2.3")
	if r.code != 0 || !strings.Contains(r.stdout, "via 10.89.0.1") {
		t.Fatalf("appnet's way out:\n%s", r)
	}

	// Errors name the object and the fix.
	expectError(t, e.pod("run", "--rm", "--network", "nonet", testImage, "true"), 125, "network nonet not found", "pod network create nonet")
	expectError(t, e.pod("run", "--rm", "--network", "pasta", "--network-alias", "x", testImage, "true"), 125, "--network-alias, --ip, --ip6 and --mac-address need a bridge network")
	expectError(t, e.pod("network", "create", "--opt", "mtu=9", "bad"), 125, "68 to 65535")
	expectError(t, e.pod("network", "rm", "appnet"), 125, "used by container db")
	expectError(t, e.pod("network", "inspect", "nonet"), 125, "no such network")

	// rm -f removes the containers on it; prune the unused ones.
	expect(t, e.pod("network", "rm", "-f", "appnet"), 0, "appnet\n")
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Fatalf("network rm -f left containers: %q", out)
	}
	expect(t, e.pod("network", "prune", "-f"), 0, "inside\nother\n")
	expect(t, e.pod("network", "ls", "-q"), 0, "pod\n") // the default network stays
}

// TestUserNetworkAddresses: addresses are given once, come back when a
// container is removed, and the rootless namespace's link is restarted
// after it was killed, with the containers on it still linked.
func TestUserNetworkAddresses(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.92.0.0/29", "small")
	// A /29: .1 the gateway, .2 to .6 for containers.
	var names []string
	for _, n := range []string{"a", "b", "c", "d", "f"} {
		e.ok("run", "-d", "--name", n, "--network", "small", testImage, "sleep", "600")
		names = append(names, n)
	}
	seen := map[string]string{}
	for _, n := range names {
		ip := e.addrOn(n)
		if other, dup := seen[ip]; dup {
			t.Fatalf("%s and %s both have %s", n, other, ip)
		}
		seen[ip] = n
	}
	expectError(t, e.pod("run", "--rm", "--network", "small", testImage, "true"), 125, "no free address")
	e.ok("rm", "-f", "c")
	e.ok("run", "-d", "--name", "g", "--network", "small", testImage, "sleep", "600")

	// Kill the link to the host: the next container on a network gets a
	// new one, and those linked before still reach each other.
	holder := e.readRunRootFile("netns/holder.id")
	if err := syscall.Kill(e.mustHolderPID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	e.ok("rm", "-f", "a")
	e.ok("run", "-d", "--name", "h", "--network", "small", testImage, "sh", "-c", "echo hi >/i.html; exec httpd -f -p 80 -h /")
	again := e.readRunRootFile("netns/holder.id")
	if again == holder {
		t.Fatalf("the killed holder was not replaced")
	}
	r := e.pod("exec", "b", "sh", "-c", `printf 'GET /i.html HTTP/1.0\r\n\r\n' | nc -w 3 `+e.addrOn("h")+` 80 | tail -n 1`)
	if strings.TrimSpace(r.stdout) != "hi" {
		t.Fatalf("after the holder was replaced, b cannot reach h:\n%s", r)
	}
	e.ok("rm", "-f", "b", "d", "f", "g", "h")
	e.ok("network", "rm", "small")
}

// readRunRootFile reads a file in the store's run root, where the
// rootless network namespace and the address leases live.
func (e *env) readRunRootFile(name string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.runroot, name))
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestUserNetworkDNS: on a user-defined network, containers find each
// other by name, alias and short ID (also under dns.podman); names of
// other networks are not found; other names go to the host's resolver (a
// dnsmasq on 127.0.0.1); thirty containers resolve each other; and the
// DNS role comes back after it was killed.
func TestUserNetworkDNS(t *testing.T) {
	e := newEnv(t)
	dnsLog := withHostResolver(t, e, "")
	e.ok("network", "create", "appnet")
	e.ok("network", "create", "other")
	e.webOn("db", "appnet", "--network-alias", "database")
	id := e.ok("inspect", "--format", "{{.ID}}", "db")[:12]
	ip := e.addrOn("db")
	lookup := func(net, name string) string {
		t.Helper()
		r := e.pod("run", "--rm", "--network", net, testImage, "nslookup", "-type=a", name)
		for _, l := range strings.Split(r.stdout, "\n") {
			if a, ok := strings.CutPrefix(l, "Address: "); ok {
				return a
			}
		}
		return ""
	}
	for _, name := range []string{"db", "database", id, "db.dns.podman", "DataBase"} {
		if got := lookup("appnet", name); got != ip {
			t.Errorf("%s on appnet resolves to %q, want %s", name, got, ip)
		}
	}
	if got := lookup("other", "db"); got != "" {
		t.Errorf("db resolves to %q from another network", got)
	}
	if got := lookup("appnet", "web.pod.test"); got != "10.9.8.7" {
		t.Errorf("a name of the host's resolver: %q\ndnsmasq:\n%s", got, dnsLog.String())
	}
	expect(t, e.pod("run", "--rm", "--network", "appnet", testImage, "cat", "/etc/resolv.conf"), 0, "search dns.podman\nnameserver 10.89.0.1\n")
	if got := e.fetch("appnet", "database"); got != "hello from db" {
		t.Errorf("http://database/ from appnet: %q", got)
	}

	// Thirty containers, each found by the others' queries.
	var names []string
	for i := 0; i < 30; i++ {
		n := "n" + strconv.Itoa(i)
		e.ok("run", "-d", "--name", n, "--network", "appnet", testImage, "sleep", "600")
		names = append(names, n)
	}
	script := `for n in "$@"; do nslookup -type=a $n >/dev/null || echo "$n not found"; done; echo done`
	r := e.pod(append([]string{"exec", "n0", "sh", "-c", script, "sh"}, names...)...)
	if r.code != 0 || strings.TrimSpace(r.stdout) != "done" {
		t.Fatalf("thirty containers resolving each other:\n%s", r)
	}

	// The DNS role is the holder's: killed, the next pod call on a
	// network brings it back, and names resolve again.
	if err := syscall.Kill(e.mustHolderPID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if got := lookup("appnet", "n29"); got == "" {
		t.Fatalf("after the DNS role was killed, n29 is not found")
	}
}

// TestUserNetworkSeveral: a container on two networks is reached from
// both; a static address is kept; inspect shows each network's endpoint
// and network inspect the containers.
func TestUserNetworkSeveral(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.93.1.0/24", "front")
	e.ok("network", "create", "--subnet", "10.93.2.0/24", "back")
	e.webOn("both", "front:ip=10.93.1.50,alias=www", "--network", "back")
	e.webOn("fixed", "back", "--ip", "10.93.2.77", "--network-alias", "api", "--mac-address", "02:00:00:00:77:77")
	if got := e.ok("exec", "fixed", "cat", "/sys/class/net/eth0/address"); got != "02:00:00:00:77:77\n" {
		t.Fatalf("--mac-address: eth0 is %q", got)
	}
	if got := e.ok("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}", "fixed"); got != "02:00:00:00:77:77\n" {
		t.Fatalf("inspect's MacAddress: %q", got)
	}
	expectError(t, e.pod("run", "--rm", "--network", "back", "--mac-address", "01:00:00:00:00:01", testImage, "true"), 125, "not a unicast Ethernet address")
	if got := e.fetch("front", "10.93.1.50"); got != "hello from both" {
		t.Fatalf("both from front: %q", got)
	}
	if got := e.fetch("back", "fixed"); got != "hello from fixed" {
		t.Fatalf("fixed by name from back: %q", got)
	}
	if got := e.fetch("front", "www"); got != "hello from both" {
		t.Fatalf("www (an alias given in --network) from front: %q", got)
	}
	if got := e.fetch("front", "10.93.2.77"); got != "" {
		t.Fatalf("fixed (on back only) answered from front: %q", got)
	}
	links := e.ok("exec", "both", "sh", "-c", "ip -4 -o addr show | grep -c eth")
	if strings.TrimSpace(links) != "2" {
		t.Fatalf("both has %s eth links, want 2", links)
	}
	expect(t, e.pod("inspect", "--format", "{{.NetworkSettings.IPAddress}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}}/{{$v.IPPrefixLen}} via {{$v.Gateway}} {{$v.MacAddress}} {{$v.Aliases}};{{end}}", "both"), 0,
		"10.93.1.50 back=10.93.2.2/24 via 10.93.2.1 02:42:0a:5d:02:02 [];front=10.93.1.50/24 via 10.93.1.1 02:42:0a:5d:01:32 [www];\n")
	var insp []struct {
		Containers map[string]struct {
			Name        string `json:"name"`
			IPv4Address string `json:"ipv4_address"`
		} `json:"containers"`
	}
	if err := json.Unmarshal([]byte(e.ok("network", "inspect", "back")), &insp); err != nil || len(insp) != 1 || len(insp[0].Containers) != 2 {
		t.Fatalf("network inspect back: %+v, %v", insp, err)
	}
	for _, c := range insp[0].Containers {
		if (c.Name == "fixed" && c.IPv4Address != "10.93.2.77/24") || (c.Name == "both" && c.IPv4Address != "10.93.2.2/24") {
			t.Errorf("network inspect: %+v", c)
		}
	}
	expectError(t, e.pod("run", "--rm", "--network", "back", "--ip", "10.93.2.77", testImage, "true"), 125, "10.93.2.77", "taken")
	expectError(t, e.pod("run", "--rm", "--network", "back", "--ip", "10.93.1.5", testImage, "true"), 125, "not one network back gives")
	expectError(t, e.pod("run", "--rm", "--network", "back", "--network", "pasta", testImage, "true"), 125, "must all name user-defined networks")
	expectError(t, e.pod("run", "--rm", "--network", "back", "--network", "front", "--ip", "10.93.2.9", testImage, "true"), 125, "for one network")
}

// TestUserNetworkPorts: ports published by a container on a user-defined
// network (TCP, UDP, a range) answer on the host, the container sees the
// client as its gateway, and the ports are free again after rm -f.
func TestUserNetworkPorts(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.94.0.0/24", "pubnet")
	tcp := freePort(t, "tcp")
	e.webOn("web", "pubnet", "-p", fmt.Sprintf("127.0.0.1:%d:80", tcp))
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/i.html", tcp)); got != "hello from web\n" {
		t.Fatalf("the published TCP port answers %q", got)
	}
	expect(t, e.pod("port", "web"), 0, fmt.Sprintf("80/tcp -> 127.0.0.1:%d\n", tcp))
	if got := e.ok("inspect", "--format", "{{json .NetworkSettings.Ports}}", "web"); !strings.Contains(got, fmt.Sprintf(`"HostPort":"%d"`, tcp)) {
		t.Fatalf("inspect's ports: %s", got)
	}

	bin := udpEcho(t)
	udp := freePort(t, "udp")
	e.ok("run", "-d", "--name", "echo", "--network", "pubnet", "-v", filepath.Dir(bin)+":/opt/udp:ro",
		"-p", fmt.Sprintf("127.0.0.1:%d:53/udp", udp), testImage, "sh", "-c", "exec /opt/udp/udpecho 53")
	if got := udpAsk(t, udp); got != "echo:ping from 10.94.0.1" && !strings.HasPrefix(got, "echo:ping from 10.94.0.1:") {
		t.Fatalf("UDP answer %q, want the echo seeing the gateway 10.94.0.1", got)
	}

	// A range, and its ports free after rm -f.
	lo := freePort(t, "tcp")
	for freePortFrom(t, lo+1) != lo+1 {
		lo = freePort(t, "tcp")
	}
	e.ok("run", "-d", "--name", "ranged", "--network", "pubnet", "-p", fmt.Sprintf("127.0.0.1:%d-%d:8000-8001", lo, lo+1),
		testImage, "sh", "-c", "echo a >/i.html; httpd -p 8000 -h /; httpd -f -p 8001 -h /")
	for _, p := range []int{lo, lo + 1} {
		if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/i.html", p)); got != "a\n" {
			t.Fatalf("port %d of the range answers %q", p, got)
		}
	}
	e.ok("rm", "-f", "web", "echo", "ranged")
	for _, p := range []int{tcp, lo, lo + 1} {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d not released after rm -f: %v", p, err)
		}
		l.Close()
	}
}

// freePortFrom returns port if nothing holds it on 127.0.0.1, else 0.
func freePortFrom(t *testing.T, port int) int {
	t.Helper()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return 0
	}
	l.Close()
	return port
}

// TestUserNetworkConnect: a running container connected to a second
// network is reached there at once (by name too), and no longer after it
// is disconnected; events record both.
func TestUserNetworkConnect(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.95.1.0/24", "one")
	e.ok("network", "create", "--subnet", "10.95.2.0/24", "two")
	e.webOn("web", "one")
	if got := e.fetch("two", "web"); got != "" {
		t.Fatalf("web answered on two before connect: %q", got)
	}
	e.ok("network", "connect", "--alias", "site", "two", "web")
	if got := e.fetch("two", "site"); got != "hello from web" {
		t.Fatalf("after connect, web's alias on two answers %q", got)
	}
	if got := e.ok("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "web"); got != "one two \n" {
		t.Fatalf("inspect after connect: %q", got)
	}
	expectError(t, e.pod("network", "connect", "two", "web"), 125, "already on network two")
	e.ok("network", "disconnect", "two", "web")
	if got := e.fetch("two", "10.95.2.2"); got != "" {
		t.Fatalf("web answered on two after disconnect: %q", got)
	}
	if got := e.fetch("one", "web"); got != "hello from web" {
		t.Fatalf("web on one after the disconnect from two: %q", got)
	}
	expectError(t, e.pod("network", "disconnect", "one", "web"), 125, "only one")
	expectError(t, e.pod("network", "disconnect", "two", "web"), 125, "not on network two")
	two := strings.TrimSpace(e.ok("network", "inspect", "--format", "{{.ID}}", "two"))
	if ev := strings.Join(e.eventsOf(two), ", "); ev != "network create, network connect, network disconnect" {
		t.Fatalf("network two's events: %s", ev)
	}
	// A stopped container is connected for its next start.
	e.ok("stop", "-t", "0", "web")
	e.ok("network", "connect", "two", "web")
	e.ok("start", "web")
	if got := e.fetch("two", "web"); got != "hello from web" {
		t.Fatalf("web on two after connect while stopped and a start: %q", got)
	}
}

// TestUserNetworkIPv6: a dual-stack network gives each container an IPv6
// address too, and containers reach each other over it.
func TestUserNetworkIPv6(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--ipv6", "--subnet", "10.96.0.0/24", "--subnet", "fd96::/64", "six")
	e.webOn("web", "six")
	out := e.ok("exec", "web", "ip", "-6", "-o", "addr", "show", "eth0")
	if !strings.Contains(out, "fd96::2/64") {
		t.Fatalf("web's IPv6 addresses: %q", out)
	}
	r := e.pod("run", "--rm", "--network", "six", testImage, "sh", "-c",
		`printf 'GET /i.html HTTP/1.0\r\n\r\n' | nc -w 3 fd96::2 80 | tail -n 1`)
	if strings.TrimSpace(r.stdout) != "hello from web" {
		t.Fatalf("over IPv6:\n%s", r)
	}
	if got := e.ok("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}/{{.GlobalIPv6PrefixLen}} {{.IPv6Gateway}}{{end}}", "web"); got != "fd96::2/64 fd96::1\n" {
		t.Fatalf("inspect: %q", got)
	}
}

// TestUserNetworkCheckAndPrune: an address left held by a container that
// is gone (as a killed pod leaves it) is reported and given back by
// system check; system prune removes unused networks.
func TestUserNetworkCheckAndPrune(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.97.0.0/29", "tiny")
	e.ok("run", "-d", "--name", "a", "--network", "tiny", testImage, "sleep", "600")
	// A lease of a container that does not exist, as a kill -9 between
	// the address and the record would leave.
	path := filepath.Join(e.runroot, "networks", "ipam.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	gone := strings.Repeat("d", 64)
	for _, nl := range f["networks"].(map[string]any) {
		nl.(map[string]any)["leases"].(map[string]any)["10.97.0.6"] = gone
	}
	b, _ = json.Marshal(f)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	e.chown(path)
	r := e.pod("system", "check")
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "container "+gone[:12]+", which no longer exists") {
		t.Fatalf("system check:\n%s", r)
	}
	e.ok("system", "check", "--repair")
	expect(t, e.pod("system", "check"), 0, "No problems found\n")
	// The /29 has .2 to .6: a holds one, the four others are free again.
	for _, n := range []string{"b", "c", "d", "f"} {
		e.ok("run", "-d", "--name", n, "--network", "tiny", testImage, "sleep", "600")
	}
	e.ok("rm", "-f", "a", "b", "c", "d", "f")
	e.ok("network", "create", "unused")
	out := e.ok("system", "prune", "-f")
	if !strings.Contains(out, "Deleted Networks\ntiny\nunused\n") {
		t.Fatalf("system prune:\n%s", out)
	}
	expect(t, e.pod("network", "ls", "-q"), 0, "pod\n") // the default network stays
}

// TestUserNetworkReload: a container whose link was cut (its end in the
// rootless namespace deleted) is linked again by pod network reload.
func TestUserNetworkReload(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.98.0.0/24", "rl")
	e.webOn("web", "rl")
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "web"))
	netID := strings.TrimSpace(e.ok("network", "inspect", "--format", "{{.ID}}", "rl"))
	ns := filepath.Join(e.runroot, "netns", "rootless")
	e.ok("unshare", "nsenter", "--net="+ns, "ip", "link", "del", "v"+id[:8]+"-"+netID[:5])
	if got := e.fetch("rl", "web"); got != "" {
		t.Fatalf("web answered with its link cut: %q", got)
	}
	expect(t, e.pod("network", "reload", "web"), 0, id+"\n")
	if got := e.fetch("rl", "web"); got != "hello from web" {
		t.Fatalf("after network reload, web answers %q", got)
	}
	expect(t, e.pod("network", "reload", "--all"), 0, id+"\n")
	expect(t, e.pod("network", "reload", "--latest"), 0, id+"\n")
	expectError(t, e.pod("network", "reload"), 125, "needs containers, or --all")
}

// TestUserNetworkStackKilled: the rootless namespace's pasta killed with
// SIGKILL takes its holder along; the next container on a network gets
// both again, and reaches the host's resolver through them.
func TestUserNetworkStackKilled(t *testing.T) {
	e := newEnv(t)
	withHostResolver(t, e, "")
	e.ok("network", "create", "sk")
	e.ok("run", "-d", "--name", "a", "--network", "sk", testImage, "sleep", "600")
	holder := e.mustHolderPID()
	// The stack is the holder's child.
	kids := childrenOf(holder)
	if len(kids) != 1 {
		// A stack forked from a thread that ended was killed by its
		// parent-death signal: the holder's log says "the stack ended".
		t.Fatalf("the holder's children: %v, want its stack (holder alive: %v, its log: %q)", kids, alive(holder), e.readRunRootFile("netns/holder.log"))
	}
	stack := kids[0]
	if err := syscall.Kill(stack, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50 && alive(holder); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if alive(holder) {
		t.Fatalf("the holder (pid %d) outlived its stack", holder)
	}
	r := e.pod("run", "--rm", "--network", "sk", testImage, "nslookup", "-type=a", "web.pod.test")
	if !strings.Contains(r.stdout, "Address: 10.9.8.7") {
		t.Fatalf("after the stack was killed:\n%s", r)
	}
	if r := e.pod("exec", "a", "nslookup", "-type=a", "web.pod.test"); !strings.Contains(r.stdout, "Address: 10.9.8.7") {
		t.Fatalf("a, linked before, after the stack was replaced:\n%s", r)
	}
}

// TestUserNetworkHolderKept: with no pod command coming, the monitors of
// the containers on a network start the holder again once it is killed
// (as a systemd unit's stop kills the holder started in it): names
// resolve again.
func TestUserNetworkHolderKept(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "kept")
	e.ok("run", "-d", "--name", "a", "--network", "kept", testImage, "sleep", "600")
	e.ok("run", "-d", "--name", "b", "--network", "kept", testImage, "sleep", "600")
	old := e.mustHolderPID()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pid := e.holderPID(); pid != old && pid > 0 && alive(pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new holder 10 s after the old one (pid %d) was killed", old)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := e.pod("exec", "a", "nslookup", "-type=a", "b"); !strings.Contains(r.stdout, "Address: ") {
		t.Fatalf("a cannot resolve b after the holder came back:\n%s", r)
	}
}

// TestUserNetworkRootful: as root, user-defined networks work the same,
// in a network namespace of the store's run root.
func TestUserNetworkRootful(t *testing.T) {
	e := rootEnv(t, "the rootful network namespace")
	e.importImage(testImage)
	t.Cleanup(func() { e.pod("rm", "-f", "--all"); e.pod("network", "prune") })
	e.ok("network", "create", "rootnet")
	e.webOn("db", "rootnet")
	if got := e.fetch("rootnet", "db"); got != "hello from db" {
		t.Fatalf("as root, db by name answers %q", got)
	}
	if _, err := os.Stat(filepath.Join(e.runroot, "netns", "rootless")); err != nil {
		t.Fatalf("the namespace is not in the run root: %v", err)
	}
}

// TestUserNetworkParallel: networks made and containers run on them in
// parallel never share a subnet, a bridge or an address; -P publishes an
// exposed port of a container on a network.
func TestUserNetworkParallel(t *testing.T) {
	e := newEnv(t)
	e.importImage(testImage, "--change", "EXPOSE 80")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.pod("network", "create", "par"+strconv.Itoa(i)); r.code != 0 {
				t.Errorf("network create par%d:\n%s", i, r)
			}
		}()
	}
	wg.Wait()
	subnets := e.ok("network", "ls", "--format", "{{.Subnets}}")
	seen := map[string]bool{}
	for _, s := range strings.Fields(subnets) {
		if seen[s] {
			t.Fatalf("subnet %s given twice:\n%s", s, subnets)
		}
		seen[s] = true
	}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.pod("run", "-d", "--name", "c"+strconv.Itoa(i), "--network", "par0", testImage, "sleep", "600"); r.code != 0 {
				t.Errorf("run c%d:\n%s", i, r)
			}
		}()
	}
	wg.Wait()
	addrs := map[string]string{}
	for i := 0; i < 8; i++ {
		n := "c" + strconv.Itoa(i)
		ip := e.addrOn(n)
		if other, dup := addrs[ip]; dup {
			t.Fatalf("%s and %s both have %s", n, other, ip)
		}
		addrs[ip] = n
	}
	e.webOn("web", "par1", "-P")
	_, port, _ := net.SplitHostPort(strings.TrimSpace(e.ok("port", "web", "80/tcp")))
	if got := httpGet(t, "http://127.0.0.1:"+port+"/i.html"); got != "hello from web\n" {
		t.Fatalf("through -P's port %s: %q", port, got)
	}
}

// holderPID is the rootless network namespace's holder's PID, 0 while
// there is none (a new holder's file is written anew).
func (e *env) holderPID() int {
	b, _ := os.ReadFile(filepath.Join(e.runroot, "netns", "holder.id"))
	var pid int
	_ = json.Unmarshal(b, &struct {
		PID *int `json:"pid"`
	}{&pid})
	return pid
}

// mustHolderPID is holderPID of a holder that must be running.
func (e *env) mustHolderPID() int {
	e.t.Helper()
	pid := e.holderPID()
	if pid <= 0 {
		e.t.Fatalf("no holder of the rootless network namespace: %q", e.readRunRootFile("netns/holder.id"))
	}
	return pid
}

// TestUserNetworkBridgeReused: a network removed leaves its bridge in the
// rootless namespace, and the next network created takes its name: that
// network's gateway, names and way out are its own, not the old one's.
func TestUserNetworkBridgeReused(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.94.1.0/24", "--internal", "old")
	e.ok("run", "--rm", "--network", "old", testImage, "true")
	e.ok("network", "rm", "old")
	e.ok("network", "create", "--subnet", "10.94.2.0/24", "new")
	if got := e.ok("network", "inspect", "--format", "{{.NetworkInterface}}", "new"); got != "pod1\n" {
		t.Fatalf("the new network's bridge is %q, want the old one's name pod1", got)
	}
	url := "http://host.containers.internal:" + hostServer(t) + "/"
	script := "ip -4 -o addr show eth0 | grep -o '10.94.2.[0-9]*/24' >/dev/null && nslookup me >/dev/null && wget -qO- " + url
	expect(t, e.pod("run", "--rm", "--network", "new", "--network-alias", "me", testImage, "sh", "-c", script), 0, "host says hi\n")
}
