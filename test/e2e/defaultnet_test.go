package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestDefaultNetwork: a container run with no --network is on the default
// network "pod", a bridge in the rootless network namespace: containers
// reach each other by address, the network is listed and cannot be
// removed, --ip and bridge:ip= pick addresses on it, and its holder ends
// once the last container on a bridge is gone.
func TestDefaultNetwork(t *testing.T) {
	e := withImage(t)
	e.webServer("a")
	ip := e.addrOn("a")
	if !strings.HasPrefix(ip, "10.88.") {
		t.Fatalf("a's address %s is not on the default network 10.88.0.0/16", ip)
	}
	if got := e.inspectField("a", "{{.HostConfig.NetworkMode}} {{.NetworkSettings.IPAddress}} {{(index .NetworkSettings.Networks \"pod\").Gateway}}"); got != "bridge "+ip+" 10.88.0.1" {
		t.Fatalf("inspect: %q, want bridge %s 10.88.0.1", got, ip)
	}
	expect(t, e.pod("run", "--rm", testImage, "wget", "-qO-", "http://"+ip+"/"), 0, "hello from a\n")
	// The default network is there before any use, and stays.
	expect(t, e.pod("network", "ls", "--format", "{{.Name}} {{.Subnets}}"), 0, "pod 10.88.0.0/16\n")
	if out := e.ok("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{end}}", "pod"); out != "a \n" {
		t.Fatalf("network inspect pod: containers %q, want a", out)
	}
	expectError(t, e.pod("network", "rm", "pod"), 125, "default network pod cannot be removed")
	expectError(t, e.pod("network", "rm", "-f", "pod"), 125, "default network pod cannot be removed")
	e.waitStatus("a", "Up", cmdTimeout) // -f did not remove a
	expectError(t, e.pod("network", "create", "pod"), 125, "default network")
	expect(t, e.pod("network", "prune", "-f"), 0, "")
	expect(t, e.pod("network", "exists", "pod"), 0, "")

	// Addresses of one's choice, as Podman's --ip and bridge:ip=.
	expect(t, e.pod("run", "--rm", "--ip", "10.88.0.77", testImage, "sh", "-c", "ip -4 -o addr show eth0 | grep -o 10.88.0.77/16"), 0, "10.88.0.77/16\n")
	expect(t, e.pod("run", "--rm", "--network", "bridge:ip=10.88.0.78", testImage, "sh", "-c", "ip -4 -o addr show eth0 | grep -o 10.88.0.78/16"), 0, "10.88.0.78/16\n")
	expectError(t, e.pod("run", "--rm", "--ip", "10.89.0.5", testImage, "true"), 125, "10.89.0.5")

	// Connected to a user-defined network too, and back.
	e.ok("network", "create", "extra")
	e.ok("network", "connect", "extra", "a")
	if got := e.inspectField("a", "{{len .NetworkSettings.Networks}}"); got != "2" {
		t.Fatalf("a on %s networks after connect, want 2", got)
	}
	e.ok("network", "disconnect", "extra", "a")
	// A container with a stack of its own has no bridge to connect to.
	e.ok("create", "--name", "own", "--network", "pasta", testImage, "true")
	expectError(t, e.pod("network", "connect", "extra", "own"), 125, "container own has a network stack of its own (pasta)", "the default network or run with --network NAME")
	e.ok("rm", "own")

	// A unit of the container runs it on the default network again, with
	// no --network.
	e.ok("create", "--name", "svc", testImage, "sleep", "600")
	if unit := e.ok("generate", "systemd", "--new", "--name", "svc"); strings.Contains(unit, "--network") {
		t.Fatalf("generate systemd --new of a container on the default network:\n%s", unit)
	}

	// pod info says what the default is.
	if out := e.ok("info"); !strings.Contains(out, "default: network pod, a bridge") {
		t.Fatalf("pod info does not name the default network:\n%s", out)
	}

	// The holder serves the bridges while a container is on one, and
	// ends after the last one.
	holder := e.mustHolderPID()
	e.ok("rm", "-f", "a", "svc")
	if !eventually(10*time.Second, func() bool { return !alive(holder) }) {
		t.Fatalf("the holder (pid %d) outlived the last container on a bridge", holder)
	}
	e.expectClean()
	// And comes back with the next one: its way out to the host works.
	url := "http://host.containers.internal:" + hostServer(t) + "/"
	expect(t, e.pod("run", "--rm", testImage, "wget", "-qO-", url), 0, "host says hi\n")
}
