package vm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file runs pod under a real systemd: the test user's manager in the
// VM, with cgroup v2 and lingering, as on most users' hosts.

var setup struct {
	sync.Mutex
	done map[*VM]bool
}

// podInstalled runs make install on the host into a staging tree and
// copies what it installs (the generator links, the user units) into the
// guest, whose pod is the one Boot installed; it also adds the images and
// helpers the tests share. Once per VM.
func podInstalled(t *testing.T) *VM {
	t.Helper()
	v := Shared(t)
	setup.Lock()
	defer setup.Unlock()
	if setup.done[v] {
		return v
	}
	stage := t.TempDir()
	cmd := exec.Command("make", "-C", v.opts.Repo, "install", "DESTDIR="+stage, "PREFIX=/usr/local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	// The pod under test is installed at boot, with its pod-monitor.
	for _, exe := range []string{"pod", "pod-monitor"} {
		if err := os.Remove(filepath.Join(stage, "usr/local/bin", exe)); err != nil {
			t.Fatal(err)
		}
	}
	v.Put(t, filepath.Join(stage, "usr"), "/usr")
	v.Put(t, sdnotifyBinary(t, v.opts.Repo), "/usr/local/bin/sdnotify")
	v.ImportBusybox(t, TestUser, "localhost/web:latest")
	if setup.done == nil {
		setup.done = map[*VM]bool{}
	}
	setup.done[v] = true
	return v
}

// sdnotifyBinary builds the e2e tests' sd_notify client (busybox has none).
func sdnotifyBinary(t *testing.T, repo string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sdnotify")
	cmd := exec.Command("go", "build", "-o", out, "./test/e2e/testdata/sdnotify")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building sdnotify (needs go): %v\n%s", err, b)
	}
	return out
}

// userUnit writes a Quadlet file into the test user's pod directory and
// reloads the manager, which runs the generator.
func userUnit(t *testing.T, v *VM, name, text string) {
	t.Helper()
	v.WriteFile(t, TestUser, "/home/podtest/.config/pod/systemd/"+name, []byte(text), 0o644)
	v.MustRun(t, TestUser, "systemctl --user daemon-reload")
	t.Cleanup(func() {
		v.Run(t, TestUser, fmt.Sprintf("systemctl --user stop %[1]s; rm -f ~/.config/pod/systemd/%[2]s; systemctl --user daemon-reload; systemctl --user reset-failed",
			unitName(name), name))
	})
}

// unitName is the service a Quadlet file becomes.
func unitName(file string) string {
	base := strings.TrimSuffix(file, filepath.Ext(file))
	if ext := filepath.Ext(file); ext == ".volume" || ext == ".network" {
		return base + "-" + ext[1:] + ".service"
	}
	return base + ".service"
}

// startUnit starts a user unit and fails t with its status and journal
// when it does not come up.
func startUnit(t *testing.T, v *VM, unit string) {
	t.Helper()
	if _, stderr, code := v.Run(t, TestUser, "systemctl --user start "+unit); code != 0 {
		out, _, _ := v.Run(t, TestUser, "systemctl --user status --no-pager "+unit+"; journalctl --user --no-pager -n 60 -u "+unit)
		t.Fatalf("systemctl --user start %s: exit %d: %s\n%s", unit, code, stderr, out)
	}
}

// stopUnit stops a user unit and fails t with its status and journal
// when it ends anything but inactive, or leaves a container behind.
func stopUnit(t *testing.T, v *VM, unit string) {
	t.Helper()
	v.MustRun(t, TestUser, "systemctl --user stop "+unit)
	if got, _, _ := v.Run(t, TestUser, "systemctl --user is-active "+unit+"; pod ps -a --format '{{.Names}} {{.Status}}'"); got != "inactive\n" {
		out, _, _ := v.Run(t, TestUser, "systemctl --user status --no-pager "+unit+"; journalctl --user --no-pager -n 40 -u "+unit)
		t.Fatalf("after systemctl --user stop %s: %q, want the unit inactive (not failed) and no container\n%s", unit, got, out)
	}
}

// mainPIDIsMonitor checks that systemd's main process of unit is a pod
// monitor.
func mainPIDIsMonitor(t *testing.T, v *VM, unit string) {
	t.Helper()
	pid := strings.TrimSpace(v.MustRun(t, TestUser, "systemctl --user show -p MainPID --value "+unit))
	comm := v.MustRun(t, TestUser, "tr '\\0' ' ' </proc/"+pid+"/cmdline")
	if !strings.HasPrefix(comm, "pod-monitor ") {
		t.Fatalf("%s's main process %s is %q, not a pod monitor", unit, pid, comm)
	}
}

// TestQuadletWeb is the README's example: the generator makes web.service
// from web.container, start brings the container up with its published
// port answering once the container says it is ready, stop removes it.
func TestQuadletWeb(t *testing.T) {
	v := podInstalled(t)
	v.MustRun(t, TestUser, `pod volume create webdata >/dev/null &&
pod run --rm -v webdata:/srv localhost/web:latest sh -c 'echo hello from web >/srv/index.html'`)
	t.Cleanup(func() { v.Run(t, TestUser, "pod volume rm -f webdata") })
	userUnit(t, v, "web.container", `[Unit]
Description=web server
[Container]
Image=localhost/web:latest
Exec=sh -c 'httpd -p 80 -h /srv && /sdnotify READY=1 STATUS=serving && exec sleep infinity'
PublishPort=127.0.0.1:8080:80
Volume=webdata:/srv
Volume=/usr/local/bin/sdnotify:/sdnotify:ro
Environment=MODE=prod
Notify=true
HealthCmd=wget -q -O- http://127.0.0.1/ || exit 1
[Service]
Restart=on-failure
[Install]
WantedBy=default.target
`)
	if out := v.MustRun(t, TestUser, "systemctl --user cat web.service"); !strings.Contains(out, "ExecStart=/usr/local/bin/pod") {
		t.Fatalf("the generator's web.service:\n%s", out)
	}
	startUnit(t, v, "web")
	if got := v.MustRun(t, TestUser, "systemctl --user show -p ActiveState --value web; systemctl --user show -p StatusText --value web"); got != "active\nserving\n" {
		t.Fatalf("after start, web is %q; want active with the container's STATUS", got)
	}
	mainPIDIsMonitor(t, v, "web.service")
	if got := v.MustRun(t, TestUser, "busybox wget -q -O- http://127.0.0.1:8080/"); got != "hello from web\n" {
		t.Fatalf("the published port answers %q", got)
	}
	if got := v.MustRun(t, TestUser, "pod exec systemd-web sh -c 'echo $MODE'"); got != "prod\n" {
		t.Fatalf("MODE in the container: %q", got)
	}
	stopUnit(t, v, "web")
}

// TestQuadletNetwork: two containers' units on a .network file's network
// (its service pulled in by theirs) reach each other by alias; the unit
// that started the rootless network's holder stops, which kills the
// holder with it, and the other container's monitor starts it again, so
// its names resolve again.
func TestQuadletNetwork(t *testing.T) {
	v := podInstalled(t)
	userUnit(t, v, "app.network", "[Network]\nSubnet=10.95.0.0/24\n")
	userUnit(t, v, "front.container", "[Container]\nImage=localhost/web:latest\nExec=sleep infinity\nNetwork=app.network\n")
	userUnit(t, v, "db.container", `[Container]
Image=localhost/web:latest
Exec=sh -c 'echo hello from db >/i.html; exec httpd -f -p 80 -h /'
Network=app.network
NetworkAlias=database
`)
	t.Cleanup(func() { v.Run(t, TestUser, "pod network rm -f systemd-app") })
	startUnit(t, v, "front")
	startUnit(t, v, "db")
	if got := v.MustRun(t, TestUser, "systemctl --user is-active app-network; pod network ls --format '{{.Name}} {{.Subnets}}' --filter name=systemd-app"); got != "active\nsystemd-app 10.95.0.0/24\n" {
		t.Fatalf("the .network unit: %q", got)
	}
	if got := v.MustRun(t, TestUser, "pod exec systemd-front wget -qO- http://database/i.html"); got != "hello from db\n" {
		t.Fatalf("front reaching db by its alias: %q", got)
	}
	// front's unit ran the first container on a bridge: its stop kills
	// the holder; db's monitor starts it again within seconds.
	v.MustRun(t, TestUser, "systemctl --user stop front")
	out, _, code := v.Run(t, TestUser, `for i in $(seq 1 40); do
	if pod exec systemd-db wget -qO- http://database/i.html 2>/dev/null; then exit 0; fi
	sleep 0.5
done
exit 1`)
	if code != 0 || out != "hello from db\n" {
		t.Fatalf("db's names do not resolve 20 s after the unit that started the holder stopped: %q (exit %d)", out, code)
	}
	stopUnit(t, v, "db")
}

// TestNotifyActivation: a Notify=true unit is active only once the
// container said READY=1, a Notify=false one once the container runs.
func TestNotifyActivation(t *testing.T) {
	v := podInstalled(t)
	userUnit(t, v, "slow.container", `[Container]
Image=localhost/web:latest
Exec=sh -c 'sleep 6; /sdnotify READY=1; exec sleep infinity'
Volume=/usr/local/bin/sdnotify:/sdnotify:ro
Notify=true
`)
	start := time.Now()
	v.MustRun(t, TestUser, "systemctl --user start --no-block slow && sleep 2")
	if got, _, _ := v.Run(t, TestUser, "systemctl --user is-active slow; pod ps --format '{{.Names}} {{.State}}'"); got != "activating\nsystemd-slow running\n" {
		t.Fatalf("before READY=1: %q, want the unit activating and its container running", got)
	}
	v.MustRun(t, TestUser, "until [ \"$(systemctl --user is-active slow)\" = active ]; do sleep 0.5; done")
	if d := time.Since(start); d < 6*time.Second {
		t.Fatalf("active after %v, before the container's READY=1", d)
	}
	mainPIDIsMonitor(t, v, "slow.service")

	userUnit(t, v, "quick.container", "[Container]\nImage=localhost/web:latest\nExec=sleep infinity\n")
	startUnit(t, v, "quick")
	if got := v.MustRun(t, TestUser, "systemctl --user is-active quick; pod ps --format '{{.Names}}' --filter name=systemd-quick"); got != "active\nsystemd-quick\n" {
		t.Fatalf("a conmon-mode unit after start: %q", got)
	}
	mainPIDIsMonitor(t, v, "quick.service")
}

// TestGenerateSystemdUnit: a unit from pod generate systemd --new of an
// existing container runs the same container, and stops cleanly.
func TestGenerateSystemdUnit(t *testing.T) {
	v := podInstalled(t)
	v.MustRun(t, TestUser, `set -e
pod run -d --name gen -p 127.0.0.1:8081:80 -e GREETING=hi localhost/web:latest sh -c 'echo $GREETING >/index.html; exec httpd -f -p 80 -h /' >/dev/null
mkdir -p ~/.config/systemd/user
cd ~/.config/systemd/user && pod generate systemd --new --name --files gen >/dev/null
pod rm -f gen >/dev/null
systemctl --user daemon-reload
systemctl --user start container-gen`)
	t.Cleanup(func() {
		v.Run(t, TestUser, "systemctl --user stop container-gen; rm -f ~/.config/systemd/user/container-gen.service; systemctl --user daemon-reload; pod rm -f gen")
	})
	mainPIDIsMonitor(t, v, "container-gen.service")
	if got := v.MustRun(t, TestUser, "busybox wget -q -O- http://127.0.0.1:8081/"); got != "hi\n" {
		t.Fatalf("the unit's container answers %q", got)
	}
	stopUnit(t, v, "container-gen")
}

// TestRestartAfterReboot: with pod-restart.service enabled, the always
// and unless-stopped containers come back after the VM reboots; those
// with no policy, or stopped by the user, do not.
func TestRestartAfterReboot(t *testing.T) {
	v := podInstalled(t)
	v.MustRun(t, TestUser, `set -e
systemctl --user enable pod-restart.service
for c in always:always unless:unless-stopped stopped:unless-stopped never:no; do
	pod run -d --name ${c%%:*} --restart ${c#*:} localhost/web:latest sleep infinity >/dev/null
done
pod stop -t 0 stopped >/dev/null`)
	t.Cleanup(func() {
		v.Run(t, TestUser, "systemctl --user disable --now pod-restart.service; pod rm -f always unless stopped never")
	})
	v.Reboot(t)
	t.Logf("reboot took %v", v.BootTime.Round(100*time.Millisecond))
	out := v.MustRun(t, TestUser, "systemctl --user is-active pod-restart.service; pod ps -a --format '{{.Names}} {{.State}}' | sort")
	want := "active\nalways running\nnever exited\nstopped exited\nunless running\n"
	if out != want {
		t.Fatalf("after the reboot:\n%s\nwant:\n%s", out, want)
	}
}

// TestSystemdContainerRootless: on cgroup v2 with the user's cgroups
// delegated, a container running systemd boots rootless from a user unit;
// from a login shell's cgroup pod says what is missing.
func TestSystemdContainerRootless(t *testing.T) {
	v := podInstalled(t)
	tar := systemdImage(t, v.opts.Repo)
	v.PutAs(t, TestUser, tar, "/home/podtest/debian-systemd.tar")
	v.MustRun(t, TestUser, "pod import ~/debian-systemd.tar localhost/debian-systemd >/dev/null && rm ~/debian-systemd.tar")
	t.Cleanup(func() { v.Run(t, TestUser, "pod rmi -f localhost/debian-systemd") })
	_, stderr, code := v.Run(t, TestUser, "pod run --rm --systemd=always localhost/debian-systemd /sbin/init")
	if code != 125 || !strings.Contains(stderr, "not delegated") {
		t.Fatalf("systemd from a login shell: exit %d, want 125 and an error naming the delegation:\n%s", code, stderr)
	}
	userUnit(t, v, "sd.container", "[Container]\nImage=localhost/debian-systemd\nExec=/sbin/init\n")
	startUnit(t, v, "sd")
	// The container's cgroup is the unit's: a login shell cannot move an
	// exec's process there, a scope of the user's manager can.
	_, stderr, code = v.Run(t, TestUser, "pod exec systemd-sd true")
	if code != 125 || !strings.Contains(stderr, "systemd-run --user --scope pod exec systemd-sd") {
		t.Fatalf("exec from a login shell: exit %d, want 125 and the way through a scope:\n%s", code, stderr)
	}
	state := v.MustRun(t, TestUser, `x() { systemd-run --user --scope --quiet pod exec systemd-sd "$@"; }
for i in $(seq 120); do
	s=$(x systemctl is-system-running 2>/dev/null)
	case "$s" in running|degraded) break ;; esac
	sleep 0.5
done
echo "$s"; x systemctl --failed --no-legend`)
	if !strings.HasPrefix(state, "running\n") {
		t.Fatalf("systemd in the rootless container: %s", state)
	}
	cg := v.MustRun(t, TestUser, "cat /proc/$(systemctl --user show -p MainPID --value sd)/cgroup; systemd-run --user --scope --quiet pod exec systemd-sd cat /proc/1/cgroup")
	t.Logf("the monitor's cgroup, then systemd's in its namespace:\n%s", cg)
	stopUnit(t, v, "sd")
}

// systemdImage is hack/systemd-image.sh's Debian root filesystem.
func systemdImage(t *testing.T, repo string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(repo, "hack", "systemd-image.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hack/systemd-image.sh (needs mmdebstrap): %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestAutoUpdate: a unit's container labelled for registry updates is
// moved onto the image pushed to the registry on the VM's loopback; a
// newer image that cannot start is rolled back.
func TestAutoUpdate(t *testing.T) {
	v := podInstalled(t)
	// Debian's registry as a transient unit, with a configuration of the
	// test's (the packaged one asks for an htpasswd file it lacks).
	v.MustRun(t, Root, `set -e
mkdir -p /var/tmp/registry
cat >/var/tmp/registry/config.yml <<'EOF'
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/tmp/registry/data
http:
  addr: 127.0.0.1:5000
EOF
systemd-run --quiet --unit pod-test-registry /usr/bin/docker-registry serve /var/tmp/registry/config.yml
for i in $(seq 150); do
	busybox wget -q -O- http://127.0.0.1:5000/v2/ >/dev/null 2>&1 && exit 0
	sleep 0.2
done
journalctl --no-pager -u pod-test-registry >&2
exit 1`)
	t.Cleanup(func() { v.Run(t, Root, "systemctl stop pod-test-registry; rm -rf /var/tmp/registry") })
	ref := "localhost:5000/e2e/app:1"
	id := func() string {
		t.Helper()
		return strings.TrimPrefix(strings.TrimSpace(v.MustRun(t, TestUser, "pod inspect --format '{{.Image}}' systemd-app")), "sha256:")
	}
	v.MustRun(t, TestUser, "pod tag localhost/web:latest "+ref+" && pod push -q "+ref+" >/dev/null")
	userUnit(t, v, "app.container", "[Container]\nImage="+ref+"\nExec=sleep infinity\nAutoUpdate=registry\n")
	startUnit(t, v, "app")
	first := id()
	if got := v.MustRun(t, TestUser, "pod auto-update --format '{{.Unit}} {{.Updated}}'"); got != "app.service false\n" {
		t.Fatalf("auto-update with nothing new: %q", got)
	}
	// A new image in the registry under the same name.
	v.MustRun(t, TestUser, `set -e
pod run --name mk `+ref+` sh -c 'echo 2 >/version'
pod commit -q mk `+ref+` >/dev/null && pod rm mk >/dev/null && pod push -q `+ref+` >/dev/null
pod tag `+first+` `+ref)
	if got := v.MustRun(t, TestUser, "pod auto-update --format '{{.Unit}} {{.Updated}}'"); got != "app.service true\n" {
		t.Fatalf("auto-update of a new image: %q", got)
	}
	second := id()
	if second == first || v.MustRun(t, TestUser, "systemctl --user is-active app; pod exec systemd-app cat /version") != "active\n2\n" {
		t.Fatalf("after the update the unit's container runs image %s (before: %s)", second, first)
	}
	// An image that cannot run the unit's command: the unit fails, pod
	// goes back to the previous image.
	v.MustRun(t, TestUser, `set -e
d=$(mktemp -d); echo broken >$d/README; tar -C $d -cf $d.tar README
pod import $d.tar `+ref+` >/dev/null && pod push -q `+ref+` >/dev/null && pod tag `+second+` `+ref)
	out, stderr, code := v.Run(t, TestUser, "pod auto-update --format '{{.Unit}} {{.Updated}}'")
	if code != 125 || out != "app.service rolled back\n" {
		t.Fatalf("auto-update onto a broken image: exit %d, %q\n%s", code, out, stderr)
	}
	if got := id(); got != second || v.MustRun(t, TestUser, "systemctl --user is-active app") != "active\n" {
		t.Fatalf("after the rollback the unit runs %s, want %s", got, second)
	}
}

// TestUserNetworkNoRoute: in a VM with no network device (pasta refuses:
// no routable interface), a user-defined network still links its
// containers, by name, through the rootless namespace's slirp4netns.
func TestUserNetworkNoRoute(t *testing.T) {
	v := podInstalled(t)
	t.Cleanup(func() { v.Run(t, TestUser, "pod rm -f db; pod network rm -f vmnet") })
	out := v.MustRun(t, TestUser, `set -e
pod network create vmnet >/dev/null
pod run -d --name db --network vmnet localhost/web:latest sh -c 'echo hello from db >/i.html; exec httpd -f -p 80 -h /' >/dev/null
pod run --rm --network vmnet localhost/web:latest sh -c 'printf "GET /i.html HTTP/1.0\r\n\r\n" | nc -w 3 db 80 | tail -n 1'
pod info | grep -A2 'network:' | tail -2`)
	if !strings.HasPrefix(out, "hello from db\n") {
		t.Fatalf("on a user-defined network in the VM:\n%s", out)
	}
	t.Logf("%s", out)
}
