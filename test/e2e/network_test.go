package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// freePort is a TCP (or UDP) port on 127.0.0.1 that nothing holds now.
func freePort(t *testing.T, proto string) int {
	t.Helper()
	if proto == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// httpGet fetches url, retrying while the server comes up.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	var last error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(url)
		if err != nil {
			last = err
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == 200 {
			return string(b)
		}
		last = fmt.Errorf("status %d, %v", resp.StatusCode, err)
	}
	t.Fatalf("GET %s: %v", url, last)
	return ""
}

// hostServer serves "host says hi\n" on the host's loopback until t
// ends, and returns its port.
func hostServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "host says hi\n") }))
	}()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// webScript serves "hello from NAME" and, at /cgi-bin/ip, the client's
// address as the container sees it, with busybox httpd on port 80.
func webScript(name string) string {
	return "mkdir -p /www/cgi-bin && echo hello from " + name + " > /www/index.html && " +
		`printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho $REMOTE_ADDR\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && ` +
		"exec httpd -f -p 80 -h /www"
}

// webServer runs webScript detached in a container with flags.
func (e *env) webServer(name string, flags ...string) string {
	e.t.Helper()
	args := append([]string{"run", "-d", "--name", name}, flags...)
	args = append(args, testImage, "sh", "-c", webScript(name))
	return strings.TrimSpace(e.ok(args...))
}

// TestNetworkPublishTCP is the acceptance: a detached container's web
// server answers on 127.0.0.1:HOSTPORT after pod run -d has exited.
func TestNetworkPublishTCP(t *testing.T) {
	e := withImage(t)
	port := freePort(t, "tcp")
	e.webServer("web", "-p", fmt.Sprintf("127.0.0.1:%d:80", port))
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if got := httpGet(t, base); got != "hello from web\n" {
		t.Fatalf("got %q", got)
	}
	// The default network's relay dials from the bridge: the container
	// sees the gateway, not the client (docs/design.md says why).
	if got := strings.Trim(strings.TrimSpace(httpGet(t, base+"cgi-bin/ip")), "[]"); got != "10.88.0.1" && got != "::ffff:10.88.0.1" {
		t.Fatalf("the container saw the client as %q, want the default network's gateway 10.88.0.1", got)
	}
	// A stack of its own (--network pasta) keeps the client's address: the
	// container sees 127.0.0.1.
	own := freePort(t, "tcp")
	e.webServer("own", "--network", "pasta", "-p", fmt.Sprintf("127.0.0.1:%d:80", own))
	if got := strings.Trim(strings.TrimSpace(httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/ip", own))), "[]"); got != "127.0.0.1" && got != "::ffff:127.0.0.1" {
		t.Fatalf("with --network pasta the container saw the client as %q, want 127.0.0.1", got)
	}
	e.ok("rm", "-f", "own")
	if out, err := exec.Command("curl", "-sf", base).Output(); err != nil || string(out) != "hello from web\n" {
		t.Fatalf("curl %s: %q %v", base, out, err)
	}
	expect(t, e.pod("port", "web"), 0, fmt.Sprintf("80/tcp -> 127.0.0.1:%d\n", port))
	expect(t, e.pod("port", "web", "80"), 0, fmt.Sprintf("127.0.0.1:%d\n", port))
	expectError(t, e.pod("port", "web", "81"), 125, "81")
	if out := e.ok("ps", "--format", "{{.Ports}}"); strings.TrimSpace(out) != fmt.Sprintf("127.0.0.1:%d->80/tcp", port) {
		t.Fatalf("ps ports: %q", out)
	}
	insp := e.ok("inspect", "--format", "{{json .NetworkSettings.Ports}} {{json .HostConfig.PortBindings}}", "web")
	want := fmt.Sprintf(`{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"%d"}]}`, port)
	if strings.TrimSpace(insp) != want+" "+want {
		t.Fatalf("inspect: %q, want %q twice", insp, want)
	}
	// A second container on the same port fails cleanly, and is not left running.
	r := e.pod("run", "-d", "--name", "web2", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), testImage, "sleep", "60")
	expectError(t, r, 125, strconv.Itoa(port), "already in use")
	if out := e.ok("ps", "-q", "--filter", "name=web2"); out != "" {
		t.Fatalf("the failed container runs: %q", out)
	}
	e.ok("stop", "-t", "0", "web")
	// Released at exit.
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port not released after stop: %v", err)
	}
	l.Close()
	expect(t, e.pod("port", "web"), 0, "")
}

func TestNetworkPublishErrors(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "--rm", "-p", "80:80", testImage, "true")
	expectError(t, r, 125, "net.ipv4.ip_unprivileged_port_start", "80")
	expectError(t, e.pod("run", "--rm", "-p", "1:2:3:4", testImage, "true"), 125, "--publish", "1:2:3:4")
	expectError(t, e.pod("run", "--rm", "-p", "8080:80", "--network", "none", testImage, "true"), 125, "--publish")
	expectError(t, e.pod("run", "--rm", "--network", "bogus", testImage, "true"), 125, "bogus")
	expectError(t, e.pod("run", "--rm", "--add-host", "db", testImage, "true"), 125, "--add-host")
	// A stack that fails after the runtime began: the container never runs.
	expectError(t, e.pod("run", "--rm", "--network", "pasta:--bogus", testImage, "echo", "ran"), 125, "pasta", "unrecognized option '--bogus'")
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Fatalf("failed runs left containers: %q", out)
	}
}

func TestNetworkPublishAll(t *testing.T) {
	e := newEnv(t)
	e.importImage(testImage, "--change", "EXPOSE 80")
	e.webServer("web", "-P", "--expose", "81/udp")
	lines := strings.Split(strings.TrimSpace(e.ok("port", "web")), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "80/tcp -> 0.0.0.0:") || !strings.HasPrefix(lines[1], "81/udp -> 0.0.0.0:") {
		t.Fatalf("pod port web: %q", lines)
	}
	host := strings.TrimSpace(e.ok("port", "web", "80/tcp"))
	_, port, _ := net.SplitHostPort(host)
	if got := httpGet(t, "http://127.0.0.1:"+port+"/"); got != "hello from web\n" {
		t.Fatalf("through -P's port %s: %q", port, got)
	}
}

func TestNetworkRestartKeepsPorts(t *testing.T) {
	e := withImage(t)
	port := freePort(t, "tcp")
	e.ok("run", "-d", "--name", "flaky", "--restart", "always", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), testImage,
		"sh", "-c", "echo up > /tmp/index.html && httpd -p 80 -h /tmp && sleep 1 && exit 3")
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	httpGet(t, url)
	if !eventually(20*time.Second, func() bool {
		n, _ := strconv.Atoi(strings.TrimSpace(e.pod("inspect", "--format", "{{.RestartCount}}", "flaky").stdout))
		return n >= 1
	}) {
		t.Fatal("the container did not restart")
	}
	if got := httpGet(t, url); got != "up\n" {
		t.Fatalf("after the restart: %q", got)
	}
	expect(t, e.pod("port", "flaky"), 0, fmt.Sprintf("80/tcp -> 127.0.0.1:%d\n", port))
	e.ok("rm", "-f", "flaky")
}

// udpEcho builds a static UDP echo server (the busybox image has no UDP
// server) that answers "echo:DATA from ADDR".
func udpEcho(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(suite.base, "udpecho")
	bin := filepath.Join(dir, "udpecho")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	src := `package main

import ("fmt"; "net"; "os")

func main() {
	c, err := net.ListenPacket("udp", ":"+os.Args[1])
	if err != nil { panic(err) }
	buf := make([]byte, 1500)
	for {
		n, addr, err := c.ReadFrom(buf)
		if err != nil { return }
		fmt.Printf("got %s\n", buf[:n])
		c.WriteTo([]byte(fmt.Sprintf("echo:%s from %s", buf[:n], addr)), addr)
	}
}
`
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", bin, "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the UDP echo server: %v\n%s", err, out)
	}
	return bin
}

// udpAsk sends "ping" to port on 127.0.0.1 until an answer comes.
func udpAsk(t *testing.T, port int) string {
	t.Helper()
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 1500)
	for i := 0; i < 50; i++ {
		_, _ = c.Write([]byte("ping"))
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, err := c.Read(buf); err == nil {
			return string(buf[:n])
		}
	}
	return ""
}

func TestNetworkPublishUDP(t *testing.T) {
	e := withImage(t)
	bin := udpEcho(t)
	for _, tc := range []struct{ name, network string }{{"pasta", "pasta"}, {"pasta same port", "pasta"}, {"slirp4netns", "slirp4netns"}} {
		t.Run(tc.name, func(t *testing.T) {
			host := freePort(t, "udp")
			ctr := 53
			if tc.name == "pasta same port" {
				ctr = host
			}
			name := strings.ReplaceAll(tc.name, " ", "-")
			// sh starts it: the binary is on a volume, not in the image.
			e.ok("run", "-d", "--name", name, "--network", tc.network, "-v", filepath.Dir(bin)+":/opt/udp:ro",
				"-p", fmt.Sprintf("127.0.0.1:%d:%d/udp", host, ctr), testImage, "sh", "-c", fmt.Sprintf("exec /opt/udp/udpecho %d", ctr))
			if got := udpAsk(t, host); !strings.HasPrefix(got, "echo:ping from ") {
				t.Fatalf("UDP answer %q", got)
			}
			if !strings.Contains(e.ok("logs", name), "got ping") {
				t.Fatal("the container did not log the datagram")
			}
			e.ok("rm", "-f", name)
			c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", host))
			if err != nil {
				t.Fatalf("UDP port not released after rm -f: %v", err)
			}
			c.Close()
		})
	}
}

// podInMountNS runs pod as the test user in a mount namespace where
// /etc/resolv.conf is resolv: the first call of an env makes the pause
// process there, so every later container's stack reads that file.
func (e *env) podInMountNS(resolv string, args ...string) result {
	e.t.Helper()
	if e.user.self {
		e.t.Skip("needs root to give pod its own /etc/resolv.conf")
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	full := append([]string{"-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" /etc/resolv.conf && exec setpriv --reuid=` + strconv.Itoa(e.user.uid) + ` --regid=` + strconv.Itoa(e.user.gid) + ` --clear-groups "$@"`,
		resolv, suite.pod, "--root", e.root, "--runroot", e.runroot}, args...)
	cmd := exec.CommandContext(ctx, "unshare", full...)
	cmd.Env = e.environ()
	cmd.Dir = e.dir
	return e.runCmd(cmd, nil, args)
}

// TestNetworkDNSForwarder resolves a name through the stack's DNS
// forwarder (10.0.2.3), which asks the host's resolver: a dnsmasq the
// test runs on 127.0.0.1:53.
// withHostResolver starts a dnsmasq on 127.0.0.1:53 that answers
// *.pod.test with 10.9.8.7, and makes the env's pod (its first call makes
// the pause process) see a resolv.conf naming it, with resolvConf's other
// lines. It returns dnsmasq's log.
func withHostResolver(t *testing.T, e *env, resolvConf string) *strings.Builder {
	t.Helper()
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Fatal("dnsmasq missing: install dnsmasq-base (hack/deps.sh)")
	}
	dns := exec.Command("dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
		"--bind-interfaces", "--port=53", "--address=/pod.test/10.9.8.7", "-u", "root", "--log-queries", "--log-facility=-")
	dnsLog := &strings.Builder{}
	dns.Stdout, dns.Stderr = dnsLog, dnsLog
	if err := dns.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dns.Process.Kill(); _ = dns.Wait() })
	resolv := e.writeFile("resolv.conf", "nameserver 127.0.0.1\n"+resolvConf)
	tarPath, err := busyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	if r := e.podInMountNS(resolv, "import", tarPath, testImage); r.code != 0 {
		t.Fatalf("import: %s", r)
	}
	return dnsLog
}

func TestNetworkDNSForwarder(t *testing.T) {
	e := newEnv(t)
	dnsLog := withHostResolver(t, e, "search pod.test\n")
	for _, network := range []string{"pasta", "slirp4netns"} {
		t.Run(network, func(t *testing.T) {
			expect(t, e.pod("run", "--rm", "--network", network, testImage, "cat", "/etc/resolv.conf"), 0, "search pod.test\nnameserver 10.0.2.3\n")
			r := e.pod("run", "--rm", "--network", network, testImage, "nslookup", "-type=a", "web.pod.test")
			if !strings.Contains(r.stdout, "Address: 10.9.8.7") {
				t.Fatalf("nslookup through the forwarder:\n%s\ndnsmasq:\n%s", r, dnsLog.String())
			}
		})
	}
}

func TestNetworkModes(t *testing.T) {
	e := withImage(t)
	t.Run("none: loopback only", func(t *testing.T) {
		out := e.ok("run", "--rm", "--network", "none", testImage, "ip", "-o", "link")
		if !strings.Contains(out, "lo:") || strings.Contains(out, "eth0") || strings.Contains(out, "tap0") {
			t.Fatalf("ip link: %q", out)
		}
	})
	t.Run("default: the default network's bridge", func(t *testing.T) {
		out := e.ok("run", "--rm", testImage, "ip", "-o", "-4", "addr")
		if !strings.Contains(out, "inet 10.88.") || !strings.Contains(out, "/16") {
			t.Fatalf("ip addr: %q", out)
		}
	})
	t.Run("pasta: a user-mode stack of its own", func(t *testing.T) {
		out := e.ok("run", "--rm", "--network", "pasta", testImage, "ip", "-o", "-4", "addr")
		if !strings.Contains(out, "10.0.2.100/24") {
			t.Fatalf("ip addr: %q", out)
		}
	})
	hostPort := hostServer(t)
	t.Run("host: the host's loopback", func(t *testing.T) {
		expect(t, e.pod("run", "--rm", "--network", "host", testImage, "wget", "-qO-", "http://127.0.0.1:"+hostPort+"/"), 0, "host says hi\n")
	})
	t.Run("host.containers.internal", func(t *testing.T) {
		expect(t, e.pod("run", "--rm", testImage, "wget", "-qO-", "http://host.containers.internal:"+hostPort+"/"), 0, "host says hi\n")
		r := e.pod("run", "--rm", "--network", "slirp4netns", testImage, "grep", "-c", "host.containers.internal", "/etc/hosts")
		expect(t, r, 1, "0\n")
		expect(t, e.pod("run", "--rm", "--network", "slirp4netns:allow_host_loopback=true", testImage, "wget", "-qO-", "http://host.containers.internal:"+hostPort+"/"), 0, "host says hi\n")
	})
	e.webServer("web")
	pid := ""
	if !eventually(10*time.Second, func() bool {
		r := e.pod("run", "--rm", "--network", "container:web", testImage, "wget", "-qO-", "http://127.0.0.1:80/")
		return r.code == 0 && r.stdout == "hello from web\n"
	}) {
		t.Fatalf("--network container:web did not reach web's server")
	}
	t.Run("container: shares hosts and resolv.conf", func(t *testing.T) {
		a := e.ok("exec", "web", "cat", "/etc/hosts", "/etc/resolv.conf")
		b := e.ok("run", "--rm", "--network", "container:web", testImage, "cat", "/etc/hosts", "/etc/resolv.conf")
		if a != b {
			t.Fatalf("web:\n%s\nsharer:\n%s", a, b)
		}
	})
	t.Run("ns:PATH", func(t *testing.T) {
		pid = strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "web"))
		expect(t, e.pod("run", "--rm", "--network", "ns:/proc/"+pid+"/ns/net", testImage, "wget", "-qO-", "http://127.0.0.1:80/"), 0, "hello from web\n")
	})
	e.ok("stop", "-t", "0", "web")
	expectError(t, e.pod("run", "--rm", "--network", "container:web", testImage, "true"), 125, "web", "not running")
}

func TestNetworkSlirp4netns(t *testing.T) {
	e := withImage(t)
	port := freePort(t, "tcp")
	e.webServer("web", "--network", "slirp4netns", "-p", fmt.Sprintf("127.0.0.1:%d:80", port))
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if got := httpGet(t, base); got != "hello from web\n" {
		t.Fatalf("got %q", got)
	}
	// slirp4netns's own port forwarding does not keep the client's address:
	// the container sees its gateway (pasta, the default, keeps it).
	if got := strings.TrimSpace(httpGet(t, base+"cgi-bin/ip")); !strings.Contains(got, "10.0.2.2") {
		t.Fatalf("the container saw the client as %q", got)
	}
	out := e.ok("run", "--rm", "--network", "slirp4netns:mtu=1500", testImage, "ip", "-o", "link", "show", "tap0")
	if !strings.Contains(out, "mtu 1500") {
		t.Fatalf("mtu=1500: %q", out)
	}
	e.ok("rm", "-f", "web")
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port not released after rm -f: %v", err)
	}
	l.Close()
}

func TestNetworkEtcFiles(t *testing.T) {
	e := withImage(t)
	out := e.ok("run", "--rm", "--name", "etc", "--network", "pasta", "--hostname", "h1", "--domainname", "example.org",
		"--add-host", "db:10.0.2.9", "--add-host", "gw:host-gateway",
		"--dns", "10.0.2.3", "--dns-search", "example.org", "--dns-option", "ndots:2",
		testImage, "cat", "/etc/hosts", "/etc/resolv.conf")
	// --add-host's entries first, as Podman writes them.
	want := "10.0.2.9\tdb\n10.0.2.2\tgw\n" +
		"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"10.0.2.2\thost.containers.internal host.docker.internal\n" +
		"10.0.2.100\th1.example.org h1 etc\n" +
		"search example.org\nnameserver 10.0.2.3\noptions ndots:2\n"
	if out != want {
		t.Fatalf("hosts and resolv.conf:\n%s\nwant:\n%s", out, want)
	}
	expect(t, e.pod("run", "--rm", "--domainname", "example.org", testImage, "dnsdomainname"), 0, "example.org\n")
	// Without --dns, the host's servers, loopback ones replaced by the forwarder.
	host, _ := os.ReadFile("/etc/resolv.conf")
	res := e.ok("run", "--rm", testImage, "cat", "/etc/resolv.conf")
	for _, l := range strings.Split(string(host), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "nameserver" && !strings.HasPrefix(f[1], "127.") && f[1] != "::1" && !strings.Contains(res, f[1]) {
			t.Fatalf("resolv.conf %q lacks the host's %s", res, f[1])
		}
	}
	if strings.Contains(res, "127.") {
		t.Fatalf("resolv.conf has a loopback server: %q", res)
	}
}

// TestNoNetworkStack: where neither pasta nor slirp4netns works (here:
// neither is on PATH), a container of the default network runs with
// loopback only and one warning; one that publishes a port, or asks for
// a stack by name, fails saying what to install.
func TestNoNetworkStack(t *testing.T) {
	e := withImage(t)
	bin := filepath.Join(e.dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nsenter", "runc", "crun", "newuidmap", "newgidmap", "fuse-overlayfs",
		"sh", "true", "id", "cat", "mount", "umount", "getent"} {
		if p, err := exec.LookPath(name); err == nil {
			if err := os.Symlink(p, filepath.Join(bin, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.path = bin
	r := e.pod("run", "--rm", testImage, "ls", "/sys/class/net")
	expect(t, r, 0, "lo\n")
	if n := strings.Count(r.stderr, "runs with loopback only"); n != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "install passt or slirp4netns") {
		t.Fatalf("want one warning line naming the fix:\n%s", r)
	}
	expectError(t, e.pod("run", "--rm", "-p", fmt.Sprintf("127.0.0.1:%d:80", freePort(t, "tcp")), testImage, "true"), 125, "no user-mode network stack works", "install passt")
	expectError(t, e.pod("run", "--rm", "--network", "pasta", testImage, "true"), 125, "pasta is not installed")
	expectError(t, e.pod("run", "--rm", "--network", "slirp4netns", testImage, "true"), 125, "slirp4netns is not installed")
	if info := e.ok("info"); !strings.Contains(info, "driver: none (no user-mode network stack works") {
		t.Fatalf("pod info does not say the default network is loopback only:\n%s", info)
	}
}
