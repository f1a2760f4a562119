package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// podJSON is what the pod tests read of pod pods inspect.
type podJSON struct {
	ID               string `json:"Id"`
	Name             string
	State            string
	Hostname         string
	InfraContainerID string
	SharedNamespaces []string
	NumContainers    int
	Containers       []struct{ Id, Name, State string }
}

func (e *env) inspectPod(name string) podJSON {
	e.t.Helper()
	var p podJSON
	out := e.ok("pods", "inspect", name)
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		e.t.Fatalf("pod pods inspect %s: %v\n%s", name, err, out)
	}
	return p
}

// TestPodsShareNamespaces: a pod's containers share the infra container's
// network, IPC and UTS namespaces (its host name is the pod's), reach one
// another on localhost, and are reached through the port published on
// the pod; the infra is pod's own executable pausing, in no image.
func TestPodsShareNamespaces(t *testing.T) {
	e := withImage(t)
	port := strconv.Itoa(freePort(t, "tcp"))
	id := strings.TrimSpace(e.ok("pods", "create", "--name", "web", "-p", "127.0.0.1:"+port+":80", "--label", "app=web"))
	if !fullID.MatchString(id) {
		t.Fatalf("pod create printed %q, want the pod's ID", id)
	}
	p := e.inspectPod("web")
	if p.ID != id || p.State != "Created" || p.NumContainers != 1 || strings.Join(p.SharedNamespaces, ",") != "ipc,net,uts" || p.InfraContainerID == "" {
		t.Fatalf("a new pod: %+v", p)
	}
	expectError(t, e.pod("pods", "create", "--name", "web"), 125, "web", "already exists")
	e.ok("run", "-d", "--pod", "web", "--name", "srv", testImage, "sh", "-c", "echo pod-page > /index.html; httpd -f -p 80 -h /")
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "pod-page\n" {
		t.Fatalf("through the pod's published port: %q", got)
	}
	infraPid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", p.InfraContainerID))
	script := `for n in net ipc uts; do readlink /proc/self/ns/$n; done; cat /proc/sys/kernel/hostname /etc/hostname; wget -qO- http://127.0.0.1:80/index.html`
	out := e.ok("run", "--rm", "--pod", "web", testImage, "sh", "-c", script)
	var want []string
	for _, n := range []string{"net", "ipc", "uts"} {
		l, err := os.Readlink(filepath.Join("/proc", infraPid, "ns", n))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, l)
	}
	if out != strings.Join(want, "\n")+"\nweb\nweb\npod-page\n" {
		t.Fatalf("a pod's container sees:\n%s\nwant the infra's namespaces %v, host name web, and srv on localhost", out, want)
	}
	if cmdline, _ := os.ReadFile(filepath.Join("/proc", infraPid, "cmdline")); string(cmdline) != "/run/pod-init\x00--pause\x00" {
		t.Fatalf("the infra runs %q", cmdline)
	}
	// ps shows the pod's columns and filters by pod.
	expect(t, e.pod("ps", "--pod", "--filter", "pod=web", "--format", "{{.Names}} {{.PodName}}", "--sort", "names"), 0, id[:12]+"-infra web\nsrv web\n")
	expect(t, e.pod("pods", "ps", "--format", "{{.Name}} {{.Status}} {{.NumberOfContainers}}"), 0, "web Running 2\n")
	expect(t, e.pod("pods", "ps", "--filter", "label=app=web", "-q", "--no-trunc"), 0, id+"\n")
	expect(t, e.pod("pods", "ps", "--filter", "status=exited", "-q"), 0, "")
	if top := e.ok("pods", "top", "web"); !strings.Contains(top, "/run/pod-init --pause") || !strings.Contains(top, "httpd -f -p 80") {
		t.Fatalf("pod top shows:\n%s", top)
	}
	// Its network is the pod's: a container of it takes none of its own.
	expectError(t, e.pod("run", "--rm", "--pod", "web", "-p", "8080:80", testImage, "true"), 125, "pod web's network is shared")
	expectError(t, e.pod("run", "--rm", "--pod", "web", "--hostname", "x", testImage, "true"), 125, "shares its UTS namespace")
	// The infra goes only with its pod; a running pod only with -f.
	expectError(t, e.pod("rm", "-f", p.InfraContainerID), 125, "infra container of pod web", "pod pods rm web")
	expectError(t, e.pod("pods", "rm", "web"), 125, "pod web has running containers")
	expect(t, e.pod("pods", "rm", "-f", "-t", "0", "web"), 0, id+"\n")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expect(t, e.pod("pods", "exists", "web"), 1, "")
	expect(t, e.pod("events", "--stream=false", "--filter", "pod=web", "--format", "{{.Type}} {{.Status}}"), 0, "pod create\npod remove\n")
	e.expectClean()
}

// TestPodsLifecycle: start starts the infra, init containers (once: run
// and removed; always: at every start) and the others; stop stops them
// all; kill signals them; restart, prune, --pod new:NAME, --pod-id-file,
// and the errors that name what is wrong.
func TestPodsLifecycle(t *testing.T) {
	e := withImage(t)
	idFile := filepath.Join(e.dir, "pod.id")
	e.ok("pods", "create", "--name", "app", "--share", "+pid", "--pod-id-file", idFile, "--hostname", "apphost")
	b, err := os.ReadFile(idFile)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(string(b))
	e.ok("create", "--pod-id-file", idFile, "--init-ctr", "once", "--name", "init1", testImage, "sh", "-c", "echo once")
	e.ok("create", "--pod", "app", "--init-ctr", "always", "--name", "init2", testImage, "sh", "-c", "echo always")
	e.ok("create", "--pod", "app", "--name", "main", testImage, "sleep", "1000")
	expect(t, e.pod("pods", "start", "app"), 0, id+"\n")
	expect(t, e.pod("ps", "-a", "--filter", "pod=app", "--format", "{{.Names}} {{.State}}", "--sort", "names"), 0,
		id[:12]+"-infra running\ninit2 exited\nmain running\n")
	expect(t, e.pod("logs", "init2"), 0, "always\n")
	// --share +pid: the infra is PID 1 of the pod's containers.
	expect(t, e.pod("run", "--rm", "--pod", "app", testImage, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /proc/sys/kernel/hostname"), 0, "/run/pod-init --pause \napphost\n")
	expect(t, e.pod("pods", "inspect", "--format", "{{.State}} {{.NumContainers}}", "app"), 0, "Running 3\n")
	expect(t, e.pod("pods", "stop", "-t", "0", "app"), 0, id+"\n")
	expect(t, e.pod("pods", "ps", "--format", "{{.Status}}"), 0, "Exited\n")
	expect(t, e.pod("pods", "restart", "app"), 0, id+"\n")
	expect(t, e.pod("logs", "init2"), 0, "always\nalways\n")
	expect(t, e.pod("pods", "kill", "--signal", "KILL", "app"), 0, id+"\n")
	expect(t, e.pod("pods", "inspect", "--format", "{{.State}}", "app"), 0, "Exited\n")
	expectError(t, e.pod("pods", "kill", "app"), 125, "no running container")

	// --pod new:NAME makes the pod with the container's network flags.
	port := strconv.Itoa(freePort(t, "tcp"))
	e.ok("run", "-d", "--pod", "new:solo", "-p", "127.0.0.1:"+port+":8000", "--name", "solo-srv", testImage, "sh", "-c", "echo solo > /i; httpd -f -p 8000 -h /")
	if got := httpGet(t, "http://127.0.0.1:"+port+"/i"); got != "solo\n" {
		t.Fatalf("a port given to run --pod new: is the pod's: %q", got)
	}
	expect(t, e.pod("pods", "inspect", "--format", "{{.Name}} {{.NumContainers}}", "solo"), 0, "solo 2\n")
	// A new pod whose container cannot be made goes with it.
	expectError(t, e.pod("run", "--rm", "--pod", "new:broken", "--hostname", "x", testImage, "true"), 125, "--hostname")
	expect(t, e.pod("pods", "exists", "broken"), 1, "")
	expectError(t, e.pod("run", "--rm", "--pod", "nosuch", testImage, "true"), 125, "nosuch", "no such pod")
	expectError(t, e.pod("create", "--init-ctr", "once", testImage, "true"), 125, "--init-ctr", "--pod")
	expectError(t, e.pod("create", "--pod", "app", "--init-ctr", "sometimes", testImage, "true"), 125, "always or once")
	expectError(t, e.pod("pods", "create", "--infra-image", "k8s.gcr.io/pause"), 125, "no image")
	expectError(t, e.pod("pods", "create", "--share", "net,bogus"), 125, "bogus")

	// prune takes the stopped pod, not the running one.
	expect(t, e.pod("pods", "prune", "-f"), 0, id+"\n")
	expect(t, e.pod("pods", "ps", "--format", "{{.Name}}"), 0, "solo\n")
	expect(t, e.pod("pods", "exists", "app"), 1, "")
	e.ok("pods", "rm", "-f", "-t", "0", "solo")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}

// TestPodsWithoutInfra: --infra=false makes a pod with no shared
// namespaces; its containers are grouped only. system reset removes pods.
func TestPodsWithoutInfra(t *testing.T) {
	e := withImage(t)
	expectError(t, e.pod("pods", "create", "--infra=false", "--share", "net"), 125, "--infra=false")
	e.ok("pods", "create", "--name", "plain", "--infra=false")
	e.ok("run", "-d", "--pod", "plain", "--name", "a", testImage, "sleep", "1000")
	e.ok("run", "-d", "--pod", "plain", "--name", "b", testImage, "sleep", "1000")
	a := e.ok("run", "--rm", "--pod", "plain", testImage, "cat", "/etc/hostname")
	if strings.TrimSpace(a) == "plain" {
		t.Fatalf("a pod without infra shared its host name")
	}
	expect(t, e.pod("pods", "ps", "--format", "{{.Name}} {{.Status}} {{.NumberOfContainers}} [{{.InfraID}}]"), 0, "plain Running 2 []\n")
	e.ok("pods", "create", "--name", "other")
	e.ok("system", "reset", "-f")
	expect(t, e.pod("pods", "ps", "-q"), 0, "")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

// TestPodsCreateFlags: what pod create gives every container of the pod
// (-v, --device, --shm-size) and its shared namespaces (--sysctl,
// --uts host).
func TestPodsCreateFlags(t *testing.T) {
	e := withImage(t)
	e.ok("pods", "create", "--name", "p", "-v", "shared:/data", "--device", "/dev/null:/dev/podnull", "--shm-size", "32m",
		"--sysctl", "net.ipv4.ip_unprivileged_port_start=100")
	e.ok("run", "--rm", "--pod", "p", testImage, "sh", "-c", "echo one > /data/f")
	script := "cat /data/f; test -c /dev/podnull && echo dev; df -k /dev/shm | tail -1 | tr -s ' ' | cut -d' ' -f2; cat /proc/sys/net/ipv4/ip_unprivileged_port_start"
	expect(t, e.pod("run", "--rm", "--pod", "p", testImage, "sh", "-c", script), 0, "one\ndev\n32768\n100\n")
	// A container's own mount at the pod's destination wins.
	expect(t, e.pod("run", "--rm", "--pod", "p", "-v", "other:/data", testImage, "ls", "/data"), 0, "")
	e.ok("pods", "create", "--name", "hostuts", "--uts", "host")
	host, _ := os.Hostname()
	expect(t, e.pod("run", "--rm", "--pod", "hostuts", testImage, "cat", "/proc/sys/kernel/hostname"), 0, host+"\n")
	expectError(t, e.pod("pods", "create", "--uts", "host", "--hostname", "x"), 125, "--uts host")
	expectError(t, e.pod("pods", "create", "--device", "relative"), 125, "--device")
	e.ok("pods", "rm", "-a", "-f")
	e.ok("volume", "rm", "shared", "other")
}

// TestPodsLogs: pod logs shows every container of the pod but the infra,
// each line led by its container (its name with -n), -c one of them.
func TestPodsLogs(t *testing.T) {
	e := withImage(t)
	e.ok("pods", "create", "--name", "lp")
	e.ok("run", "--pod", "lp", "--name", "one", testImage, "echo", "from-one")
	e.ok("run", "--pod", "lp", "--name", "two", testImage, "echo", "from-two")
	expect(t, e.pod("pods", "logs", "-n", "lp"), 0, "one from-one\ntwo from-two\n")
	two := strings.TrimSpace(e.ok("inspect", "--format", "{{.Id}}", "two"))[:12]
	expect(t, e.pod("pods", "logs", "-c", "two", "lp"), 0, two+" from-two\n")
	expectError(t, e.pod("pods", "logs", "-c", "three", "lp"), 125, "pod lp has no container three")
	e.ok("pods", "rm", "-f", "lp")
}

// TestPodsPauseRootful: pod pause freezes every running container of the
// pod (as root, where each has a cgroup), unpause thaws them.
func TestPodsPauseRootful(t *testing.T) {
	e := rootEnv(t, "pausing needs a cgroup of the containers' own")
	e.importImage(testImage)
	e.ok("pods", "create", "--name", "pp")
	e.ok("run", "-d", "--pod", "pp", "--name", "m", testImage, "sleep", "1000")
	id := strings.TrimSpace(e.ok("pods", "inspect", "--format", "{{.Id}}", "pp"))
	expect(t, e.pod("pods", "pause", "pp"), 0, id+"\n")
	expect(t, e.pod("pods", "ps", "--format", "{{.Status}}"), 0, "Paused\n")
	expect(t, e.pod("inspect", "--format", "{{.State.Status}}", "m"), 0, "paused\n")
	expect(t, e.pod("pods", "unpause", "pp"), 0, id+"\n")
	expect(t, e.pod("pods", "ps", "--format", "{{.Status}}"), 0, "Running\n")
	expectError(t, e.pod("pods", "unpause", "pp"), 125, "no paused container")
	e.ok("pods", "rm", "-f", "-t", "0", "pp")
}
