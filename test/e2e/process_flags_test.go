package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunProcessFlags: --ulimit, --shm-size, --sysctl, --umask, --tz,
// --annotation, --unsetenv(-all), --env-merge, --env-host and
// --label-file, seen from inside the container (and the spec), rootless.
func TestRunProcessFlags(t *testing.T) {
	e := withImage(t)
	script := `ulimit -n; ulimit -Hn; df -k /dev/shm | awk 'NR==2{print $2}'; cat /proc/sys/net/ipv4/tcp_keepalive_time; umask; ` +
		`ls -l /etc/localtime >/dev/null 2>&1 && echo tz; env | grep ^HOSTNAME= || echo no-hostname; env | grep ^PATH=`
	out := e.ok("run", "--rm", "--ulimit", "nofile=512:1024", "--shm-size", "8m", "--sysctl", "net.ipv4.tcp_keepalive_time=600",
		"--umask", "0077", "--tz", "local", "--unsetenv", "HOSTNAME", "--env-merge", "PATH=/opt/bin:${PATH}", testImage, "sh", "-c", script)
	want := "512\n1024\n8192\n600\n0077\ntz\nno-hostname\nPATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	if out != want {
		t.Fatalf("inside the container:\n%s\nwant:\n%s", out, want)
	}
	// The zone is the host's file.
	if host, err := os.ReadFile("/etc/localtime"); err == nil {
		if got := e.ok("run", "--rm", "--tz", "local", testImage, "cat", "/etc/localtime"); got != string(host) {
			t.Fatalf("--tz local gave another zone file (%d bytes, the host's is %d)", len(got), len(host))
		}
	}
	// (The runtime adds HOME when the process has none.)
	if out := e.ok("run", "--rm", "--unsetenv-all", "-e", "ONLY=1", testImage, "/bin/env"); !strings.HasPrefix(out, "ONLY=1\n") || strings.Contains(out, "PATH=") || strings.Contains(out, "container=") {
		t.Fatalf("--unsetenv-all: %q", out)
	}

	lf := e.writeFile("labels", "# comment\nteam=web\nfrom=file\n")
	e.ok("create", "--name", "c", "--label-file", lf, "-l", "from=flag", "--annotation", "io.example/a=1", testImage, "true")
	expect(t, e.pod("inspect", "--format", "{{.Config.Labels.team}} {{index .Config.Labels \"from\"}} {{index .Config.Annotations \"io.example/a\"}}", "c"), 0, "web flag 1\n")
	e.ok("start", "c")
	e.ok("rm", "c")

	for _, bad := range [][]string{
		{"--ulimit", "files=1"}, {"--ulimit", "nofile=2:1"}, {"--shm-size", "lots"}, {"--sysctl", "vm.swappiness=1"},
		{"--sysctl", "net.ipv4.ip_forward=1", "--network", "host"}, {"--umask", "9"}, {"--tz", "Nowhere/Land"}, {"--unsetenv", "A=B"},
	} {
		r := e.pod(append(append([]string{"run", "--rm"}, bad...), testImage, "true")...)
		if r.code != 125 || !strings.Contains(r.stderr, bad[0]) {
			t.Errorf("run %v: want 125 naming %s:\n%s", bad, bad[0], r)
		}
	}
}

// TestRunInit: --init puts pod's own init at PID 1: the command is its
// child, SIGTERM from pod stop reaches it (143, not the 137 of a kill
// after the timeout that a PID-1 sleep gets), and orphans are reaped.
func TestRunInit(t *testing.T) {
	e := withImage(t)
	script := `[ $$ != 1 ] && echo "parent $PPID"; tr '\0' ' ' < /proc/1/cmdline; echo`
	expect(t, e.pod("run", "--rm", "--init", testImage, "sh", "-c", script), 0, "parent 1\n/run/pod-init -- sh -c "+script+" \n")
	// An orphan (the subshell's sleep) is reaped by the init: no zombie.
	out := e.ok("run", "--rm", "--init", testImage, "sh", "-c", "(sleep 0.2 &); sleep 1; ps -o stat,comm | grep -c '^Z' || true")
	if out != "0\n" {
		t.Fatalf("zombies under --init: %q", out)
	}
	e.ok("run", "-d", "--init", "--name", "withinit", testImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "without", testImage, "sleep", "1000")
	e.ok("stop", "-t", "2", "withinit", "without")
	expect(t, e.pod("inspect", "--format", "{{.State.ExitCode}}", "withinit", "without"), 0, "143\n137\n")
	expect(t, e.pod("inspect", "--format", "{{.Path}} {{.HostConfig.Init}}", "withinit"), 0, "sleep true\n")
	e.ok("rm", "withinit", "without")
	expectError(t, e.pod("run", "--rm", "--init-path", "relative/tini", testImage, "true"), 125, "absolute path")
}

// TestRunMoreFlags: --group-add, --oom-score-adj, --read-only's tmpfs,
// the JSON --entrypoint and --rmi.
func TestRunMoreFlags(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", "--group-add", "1234", "--group-add", "root", testImage, "sh", "-c", "id -G"), 0, "0 1234\n")
	expect(t, e.pod("run", "--rm", "--oom-score-adj", "500", testImage, "cat", "/proc/self/oom_score_adj"), 0, "500\n")
	expect(t, e.pod("run", "--rm", "--read-only", testImage, "sh", "-c", "touch /tmp/a /var/tmp/b /run/c && echo ok; touch /x 2>/dev/null || echo ro"), 0, "ok\nro\n")
	if r := e.pod("run", "--rm", "--read-only", "--read-only-tmpfs=false", testImage, "touch", "/tmp/a"); r.code == 0 {
		t.Fatalf("--read-only-tmpfs=false left /tmp writable:\n%s", r)
	}
	expect(t, e.pod("run", "--rm", "--entrypoint", `["/bin/sh","-c"]`, testImage, "echo from-json"), 0, "from-json\n")
	expectError(t, e.pod("run", "--rm", "--entrypoint", `["/bin/sh"`, testImage), 125, "JSON array")
	expectError(t, e.pod("run", "--rm", "--group-add", "keep-groups", testImage, "true"), 125, "crun")
	expectError(t, e.pod("run", "--rm", "--group-add", "nosuchgroup", testImage, "true"), 125, "nosuchgroup")

	// --rmi: the image goes with the container, unless another uses it.
	e.ok("tag", testImage, "localhost/e2e/gone:1")
	e.ok("run", "--rmi", "localhost/e2e/gone:1", "true")
	if e.pod("image", "exists", "localhost/e2e/gone:1").code == 0 {
		t.Fatal("--rmi left the image's name")
	}
	e.ok("image", "exists", testImage)
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.importImage("localhost/e2e/kept:1")
	e.ok("create", "--name", "user", "localhost/e2e/kept:1", "true")
	e.ok("run", "--rmi", "localhost/e2e/kept:1", "true")
	e.ok("image", "exists", "localhost/e2e/kept:1")
	expectError(t, e.pod("run", "-d", "--rmi", testImage, "true"), 125, "--rmi")
	e.ok("rm", "user")
}

// TestRunNamespaces: --ipc, --pid, --uts and --cgroupns host, private and
// container:NAME, rootless, seen from /proc/self/ns and inside.
func TestRunNamespaces(t *testing.T) {
	e := withImage(t)
	nsOf := func(path string) string {
		l, err := os.Readlink(path)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	hostIPC, hostUTS, hostCgroup := nsOf("/proc/self/ns/ipc"), nsOf("/proc/self/ns/uts"), nsOf("/proc/self/ns/cgroup")
	hn, _ := os.Hostname()
	expect(t, e.pod("run", "--rm", "--ipc", "host", "--uts", "host", testImage, "sh", "-c", "for n in ipc uts; do readlink /proc/self/ns/$n; done; hostname"), 0,
		hostIPC+"\n"+hostUTS+"\n"+hn+"\n")
	out := e.ok("run", "--rm", testImage, "sh", "-c", "for n in ipc uts; do readlink /proc/self/ns/$n; done")
	if strings.Contains(out, hostIPC) || strings.Contains(out, hostUTS) {
		t.Fatalf("private namespaces are the host's:\n%s", out)
	}
	// --pid host: the host's namespace, again and again (a createRuntime
	// hook that left the state on its stdin unread once made runc pass a
	// SIGPIPE on, which killed a command that is not PID 1).
	hostPID := nsOf("/proc/self/ns/pid")
	for i := range 10 {
		if out := e.ok("run", "--rm", "--pid", "host", testImage, "sh", "-c", "readlink /proc/self/ns/pid; [ $$ != 1 ] && echo not-init"); out != hostPID+"\nnot-init\n" {
			t.Fatalf("--pid host, run %d: %q, want %s", i, out, hostPID)
		}
	}
	if out := e.ok("run", "--rm", "--cgroupns", "private", testImage, "readlink", "/proc/self/ns/cgroup"); strings.TrimSpace(out) == hostCgroup {
		t.Fatalf("--cgroupns private is the host's: %s", out)
	}
	expect(t, e.pod("run", "--rm", "--cgroupns", "host", testImage, "readlink", "/proc/self/ns/cgroup"), 0, hostCgroup+"\n")
	// Another container's.
	e.ok("run", "-d", "--name", "first", testImage, "sleep", "1000")
	want := e.ok("exec", "first", "sh", "-c", "for n in ipc uts pid; do readlink /proc/self/ns/$n; done")
	expect(t, e.pod("run", "--rm", "--ipc", "container:first", "--uts", "container:first", "--pid", "container:first", testImage, "sh", "-c",
		"for n in ipc uts pid; do readlink /proc/self/ns/$n; done; tr '\\0' ' ' < /proc/1/cmdline"), 0, want+"sleep 1000 ")
	pid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "first"))
	expect(t, e.pod("run", "--rm", "--pid", "ns:/proc/"+pid+"/ns/pid", testImage, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"), 0, "sleep 1000 ")
	e.ok("rm", "-f", "-t", "0", "first")
	expectError(t, e.pod("run", "--rm", "--ipc", "container:first", testImage, "true"), 125, "first")
	expectError(t, e.pod("run", "--rm", "--uts", "host", "--hostname", "h", testImage, "true"), 125, "--hostname")
	expectError(t, e.pod("run", "--rm", "--ipc", "bogus", testImage, "true"), 125, "--ipc")
	expectError(t, e.pod("run", "--rm", "--cgroupns", "container:x", testImage, "true"), 125, "--cgroupns")
}

// TestRunDevice: --device gives a host device node, under another name
// too, rootless (bound) and rootful (made by the runtime, allowed in the
// device cgroup).
func TestRunDevice(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", "--device", "/dev/zero:/dev/myzero", testImage, "sh", "-c", "head -c 3 /dev/myzero | od -An -tx1"), 0, " 00 00 00\n")
	expectError(t, e.pod("run", "--rm", "--device", "/etc/passwd", testImage, "true"), 125, "no such device node")
	expectError(t, e.pod("run", "--rm", "--device", "/dev/zero:/dev/z:x", testImage, "true"), 125, "permissions")

	r := rootEnv(t, "device nodes made by the runtime, with cgroup permissions")
	r.importImage(testImage)
	expect(t, r.pod("run", "--rm", "--device", "/dev/zero:/dev/myzero:rw", testImage, "sh", "-c", "head -c 1 /dev/myzero | od -An -tx1; stat -c %t:%T /dev/myzero"), 0, " 00\n1:5\n")
}

// TestRunImageVolumePersonality: --image-volume tmpfs and ignore,
// --personality LINUX32, and --cgroup-parent as root.
func TestRunImageVolumePersonality(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN mkdir /data && echo from-image > /data/f\nVOLUME /data\n"})
	e.ok("build", "-q", "-t", "localhost/e2e/vol:1", ctx)
	before := len(lines(e.ok("volume", "ls", "-q")))
	expect(t, e.pod("run", "--rm", "--image-volume", "tmpfs", "localhost/e2e/vol:1", "sh", "-c", "grep ' /data ' /proc/mounts | cut -d' ' -f3; ls /data | wc -l"), 0, "tmpfs\n0\n")
	expect(t, e.pod("run", "--rm", "--image-volume", "ignore", "localhost/e2e/vol:1", "sh", "-c", "grep -c ' /data ' /proc/mounts; cat /data/f"), 0, "0\nfrom-image\n")
	if after := len(lines(e.ok("volume", "ls", "-q"))); after != before {
		t.Fatalf("--image-volume tmpfs/ignore made volumes: %d, then %d", before, after)
	}
	expectError(t, e.pod("run", "--rm", "--image-volume", "copy", testImage, "true"), 125, "--image-volume")
	// The runtime applies it (crun, runc 1.2), or pod refuses it, naming
	// the runtime.
	if r := e.pod("run", "--rm", "--personality", "LINUX32", testImage, "uname", "-m"); goruntime.GOARCH == "amd64" && r.stdout != "i686\n" &&
		(r.code != 125 || !strings.Contains(r.stderr, "ignores it")) {
		t.Fatalf("--personality LINUX32:\n%s", r)
	}
	expectError(t, e.pod("run", "--rm", "--seccomp-policy", "image", testImage, "true"), 125, "--seccomp-policy")

	r := rootEnv(t, "a rootful container's cgroup under --cgroup-parent")
	r.importImage(testImage)
	t.Cleanup(func() { r.pod("rm", "-f", "--all") })
	id := strings.TrimSpace(r.ok("run", "-d", "--cgroup-parent", "/podtestparent", testImage, "sleep", "1000"))
	found := false
	for _, p := range []string{"/sys/fs/cgroup/memory/podtestparent/pod-" + id, "/sys/fs/cgroup/podtestparent/pod-" + id} {
		if _, err := os.Stat(p); err == nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("no cgroup of container %s under /podtestparent", id)
	}
}

// TestRunAttachProxy: -a attaches only the named streams; --http-proxy
// passes pod's proxy variables (not with =false); --cgroup-conf is
// refused where there is no cgroup v2 of the container's own.
func TestRunAttachProxy(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "--rm", "-a", "stderr", testImage, "sh", "-c", "echo out; echo err >&2")
	if r.code != 0 || r.stdout != "" || r.stderr != "err\n" {
		t.Fatalf("-a stderr:\n%s", r)
	}
	r = e.pod("run", "--rm", "-a", "stdout", testImage, "sh", "-c", "echo out; echo err >&2")
	if r.code != 0 || r.stdout != "out\n" || r.stderr != "" {
		t.Fatalf("-a stdout:\n%s", r)
	}
	expectError(t, e.pod("run", "-d", "-a", "stdout", testImage, "true"), 125, "--attach and --detach")
	expectError(t, e.pod("run", "--rm", "-a", "stdbogus", testImage, "true"), 125, "--attach")

	proxied := func(flags ...string) string {
		args := append(append([]string{"run", "--rm"}, flags...), testImage, "sh", "-c", "echo ${http_proxy:-none}")
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		defer cancel()
		cmd := e.command(ctx, args...)
		cmd.Env = append(cmd.Env, "http_proxy=http://127.0.0.1:3128")
		return e.runCmd(cmd, nil, args).stdout
	}
	if got := proxied(); got != "http://127.0.0.1:3128\n" {
		t.Fatalf("--http-proxy (default): %q", got)
	}
	if got := proxied("--http-proxy=false"); got != "none\n" {
		t.Fatalf("--http-proxy=false: %q", got)
	}
	if got := proxied("-e", "http_proxy=http://127.0.0.1:8080"); got != "http://127.0.0.1:8080\n" {
		t.Fatalf("-e over the proxy variable: %q", got)
	}
	expectError(t, e.pod("run", "--rm", "--cgroup-conf", "memory.high=1000000", testImage, "true"), 125, "--cgroup-conf")
}

// TestRunSigProxy: an attached run passes its SIGTERM to the container
// (through --init's PID 1 to the command); with --sig-proxy=false pod
// ends and the container runs on.
func TestRunSigProxy(t *testing.T) {
	e := withImage(t)
	for _, c := range []struct {
		name, proxy string
		running     bool
	}{{"proxied", "--sig-proxy=true", false}, {"kept", "--sig-proxy=false", true}} {
		s := e.startPiped("run", "--init", c.proxy, "--name", c.name, testImage, "sleep", "1000")
		if !eventually(10*time.Second, func() bool {
			return e.pod("inspect", "--format", "{{.State.Status}}", c.name).stdout == "running\n"
		}) {
			t.Fatalf("%s did not start", c.name)
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		s.wait(30 * time.Second)
		time.Sleep(500 * time.Millisecond)
		if running := e.inspectField(c.name, "{{.State.Status}}") == "running"; running != c.running {
			t.Fatalf("%s: after pod run got SIGTERM, running=%v, want %v", c.proxy, running, c.running)
		}
		e.ok("rm", "-f", "-t", "0", c.name)
	}
}

// TestUsernsKeepID: --userns keep-id runs as the user's own IDs, with an
// /etc/passwd entry; image files stay root's inside; a file made on a
// bind mount is the user's on the host; exec and generate systemd keep it.
func TestUsernsKeepID(t *testing.T) {
	e := withImage(t)
	share := e.mkdirUser("share")
	uid, gid := strconv.Itoa(e.user.uid), strconv.Itoa(e.user.gid)
	script := `id -u; id -g; stat -c %u /bin; whoami; touch /share/made`
	expect(t, e.pod("run", "--rm", "--userns", "keep-id", "-v", share+":/share", testImage, "sh", "-c", script), 0,
		uid+"\n"+gid+"\n0\n"+e.user.name+"\n")
	if u, g := owner(t, filepath.Join(share, "made")); u != e.user.uid || g != e.user.gid {
		t.Fatalf("a file made under keep-id is %d:%d on the host, want the user's %d:%d", u, g, e.user.uid, e.user.gid)
	}
	e.ok("run", "-d", "--name", "kid", "--userns", "keep-id", testImage, "sleep", "1000")
	// runc joins the container's user namespace before its network
	// namespace, which pod's owns: exec is refused, saying why, unless
	// the container shares the host's network.
	if r := e.pod("exec", "kid", "id", "-u"); r.stdout != uid+"\n" && (r.code != 125 || !strings.Contains(r.stderr, "cannot enter it after its network namespace")) {
		t.Fatalf("exec in a keep-id container:\n%s", r)
	}
	e.ok("run", "-d", "--name", "kidhost", "--network", "host", "--userns", "keep-id", testImage, "sleep", "1000")
	expect(t, e.pod("exec", "kidhost", "id", "-u"), 0, uid+"\n")
	e.ok("rm", "-f", "-t", "0", "kidhost")
	if r := e.pod("run", "--rm", "--userns", "keep-id", "--health-cmd", "true", testImage, "true"); r.code != 0 && !strings.Contains(r.stderr, "health check runs through exec") {
		t.Fatalf("a keep-id container with a health check:\n%s", r)
	}
	if unit := e.ok("generate", "systemd", "--new", "kid"); !strings.Contains(unit, "--userns keep-id") {
		t.Fatalf("the unit lacks --userns keep-id:\n%s", unit)
	}
	e.ok("rm", "-f", "-t", "0", "kid")
	expect(t, e.pod("system", "check"), 0, "No problems found\n")
}

// TestUsernsAutoNomap: --userns nomap maps every ID of pod's namespace
// but the user's own (a file of the user's on a bind mount is nobody's
// inside); --userns auto gives each container a block of its own (1024
// IDs, or size=N) that no other auto container shares, freed at rm. A
// root filesystem the container's IDs cannot reach is refused, naming
// the directory and the chmod.
func TestUsernsAutoNomap(t *testing.T) {
	e := withImage(t)
	share := e.mkdirUser("share")
	maps := func(out string) []string { // "C H N" lines
		var ls []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			ls = append(ls, strings.Join(strings.Fields(l), " "))
		}
		return ls
	}
	r := e.pod("run", "--rm", "--userns", "nomap", "-v", share+":/share", testImage, "sh", "-c",
		"cat /proc/self/uid_map; echo; stat -c %u /bin; stat -c %u /share; touch /share/x 2>/dev/null || echo denied")
	parts := strings.SplitN(r.stdout, "\n\n", 2)
	if r.code != 0 || len(parts) != 2 || parts[1] != "0\n65534\ndenied\n" {
		t.Fatalf("run --userns nomap:\n%s", r)
	}
	for _, l := range maps(parts[0]) {
		if f := strings.Fields(l); len(f) != 3 || f[1] == "0" {
			t.Fatalf("nomap maps the user's own ID (pod's 0): %q\n%s", l, r)
		}
	}
	// Two auto containers: blocks of 1024 and 500, apart.
	script := "cat /proc/self/uid_map; sleep 1000"
	e.ok("run", "-d", "--name", "a1", "--userns", "auto", testImage, "sh", "-c", script)
	e.ok("run", "-d", "--name", "a2", "--userns", "auto:size=500", testImage, "sh", "-c", script)
	block := func(name string) (start, size int) {
		t.Helper()
		var m []string
		for i := 0; i < 50 && len(m) == 0; i++ {
			if out := strings.TrimSpace(e.ok("logs", name)); out != "" {
				m = maps(out)
			} else {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if len(m) != 1 {
			t.Fatalf("%s's uid_map: %q", name, m)
		}
		f := strings.Fields(m[0])
		start, _ = strconv.Atoi(f[1])
		size, _ = strconv.Atoi(f[2])
		if f[0] != "0" || start == 0 {
			t.Fatalf("%s's uid_map %q: want the container's 0 onto one of pod's subordinate IDs", name, m[0])
		}
		return start, size
	}
	s1, n1 := block("a1")
	s2, n2 := block("a2")
	if n1 != 1024 || n2 != 500 || (s1 < s2+n2 && s2 < s1+n1) {
		t.Fatalf("auto blocks %d+%d and %d+%d: want sizes 1024 and 500, apart", s1, n1, s2, n2)
	}
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.UsernsMode}}", "a2"), 0, "auto:size=500\n")
	// Files of the image are root's inside the block too.
	expect(t, e.pod("run", "--rm", "--userns", "auto", testImage, "stat", "-c", "%u", "/bin"), 0, "0\n")
	expectError(t, e.pod("run", "--rm", "--userns", "auto:size=4000000", testImage, "true"), 125, "--userns auto", "free IDs are not left")
	// rm frees a1's block: the next auto container gets it again.
	e.ok("rm", "-f", "-t", "0", "a1")
	e.ok("run", "-d", "--name", "a3", "--userns", "auto", testImage, "sh", "-c", script)
	if s3, _ := block("a3"); s3 != s1 {
		t.Fatalf("a3 got block %d, want a1's freed %d", s3, s1)
	}
	e.ok("rm", "-f", "-t", "0", "a2", "a3")
	expectError(t, e.pod("run", "--rm", "--userns", "auto:size=0", testImage, "true"), 125, "size=")
	expectError(t, e.pod("run", "--rm", "--userns", "ns:/proc/1/ns/user", testImage, "true"), 125, "not supported")
	// A root filesystem behind a directory only the user may pass.
	hidden := e.mkdirUser("home/rootfs")
	expectError(t, e.pod("run", "--rm", "--userns", "nomap", "--rootfs", hidden, "true"), 125, "cannot pass "+e.home, "chmod o+x "+e.home)
	e.expectClean()
}

// TestPasswdEntries: --hostuser adds a host account, a numeric --user
// the image lacks gets an entry (--passwd, from --passwd-entry), and
// --passwd=false leaves /etc/passwd alone.
func TestPasswdEntries(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", "--hostuser", e.user.name, testImage, "sh", "-c", "grep -c '^"+e.user.name+":' /etc/passwd"), 0, "1\n")
	expect(t, e.pod("run", "--rm", "-u", "4321:4321", testImage, "whoami"), 0, "4321\n")
	expect(t, e.pod("run", "--rm", "-u", "4321", "--passwd-entry", "app:*:$UID:$GID:the app:/srv:/bin/sh", testImage, "sh", "-c", "whoami; grep ^app: /etc/passwd"), 0, "app\napp:*:4321:0:the app:/srv:/bin/sh\n")
	if r := e.pod("run", "--rm", "-u", "4321", "--passwd=false", testImage, "whoami"); r.code == 0 {
		t.Fatalf("--passwd=false gave uid 4321 a name:\n%s", r)
	}
	expectError(t, e.pod("run", "--rm", "--hostuser", "no-such-user-here", testImage, "true"), 125, "--hostuser")
	expectError(t, e.pod("run", "--rm", "--passwd-entry", "a:b", testImage, "true"), 125, "--passwd-entry")
}

// TestUIDMap: --uidmap/--gidmap give the container a user namespace of
// its own: its IDs map as asked (the user's own ID as container 1000,
// so a file it makes on a bind mount is the user's on the host), the
// image's files stay root's inside, and generate systemd keeps the maps.
// A map that leaves out the user's own ID runs, the user's files
// nobody's inside; maps that leave pod's namespace, and the /etc/subuid
// names rootless are refused, saying why.
func TestUIDMap(t *testing.T) {
	e := withImage(t)
	share := e.mkdirUser("share")
	maps := []string{"--uidmap", "0:1:1000", "--uidmap", "1000:0:1", "--uidmap", "1001:1001:2000"}
	script := `cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'; stat -c %u:%g /bin; touch /share/as-root; su-exec 2>/dev/null; echo; chown 1000:1000 /share/as-root; stat -c %u:%g /share/as-root`
	r := e.pod(append(append([]string{"run", "--rm", "--name", "mapped"}, maps...), "-v", share+":/share", testImage, "sh", "-c", script)...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "0 1 1000\n1000 0 1\n1001 1001 2000\n0:0\n") || !strings.HasSuffix(r.stdout, "1000:1000\n") {
		t.Fatalf("run with --uidmap:\n%s", r)
	}
	// Container 1000 is the user: the file chowned to it is the user's.
	if u, g := owner(t, filepath.Join(share, "as-root")); u != e.user.uid || g != e.user.gid {
		t.Fatalf("a file chowned to container 1000 is %d:%d on the host, want the user's %d:%d", u, g, e.user.uid, e.user.gid)
	}
	e.ok(append(append([]string{"create", "--name", "mapped"}, maps...), "--gidmap", "0:1:1000,1000:0:1", testImage, "sh", "-c", "cat /proc/self/gid_map")...)
	unit := strings.ReplaceAll(e.ok("generate", "systemd", "--new", "mapped"), " \\\n\t", " ")
	if !strings.Contains(unit, "--uidmap 0:1:1000 --uidmap 1000:0:1 --uidmap 1001:1001:2000") || !strings.Contains(unit, "--gidmap 0:1:1000,1000:0:1") {
		t.Fatalf("the unit lacks the maps:\n%s", unit)
	}
	if got := e.ok("start", "-a", "mapped"); strings.Join(strings.Fields(got), " ") != "0 1 1000 1000 0 1" {
		t.Fatalf("--gidmap: the gid_map is %q", got)
	}
	e.ok("rm", "mapped")
	expectError(t, e.pod("run", "--rm", "--uidmap", "0:1:70000000", testImage, "true"), 125, "pod's user namespace has IDs 0 to")
	// A map without the user's own ID: the user's files are nobody's.
	expect(t, e.pod("run", "--rm", "--uidmap", "0:1:1000", "-v", share+":/share", testImage, "sh", "-c", "stat -c %u /bin /share"), 0, "0\n65534\n")
	expectError(t, e.pod("run", "--rm", "--uidmap", "0:1", testImage, "true"), 125, "CONTAINER:HOST:SIZE")
	expectError(t, e.pod("run", "--rm", "--subuidname", e.user.name, testImage, "true"), 125, "only root can map")
	expectError(t, e.pod("run", "--rm", "--userns", "keep-id", "--uidmap", "0:1:1000", testImage, "true"), 125, "keep-id makes the map itself")
	e.expectClean()
}

// TestBuildUserNS: build's --userns-uid-map runs RUN steps in a user
// namespace of their own: they see the map, and the layer keeps the
// container's IDs (a file chowned to 1000 is 1000's in the image).
// --identity-label labels the image unless turned off.
func TestBuildUserNS(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\n" +
		"RUN cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //' > /map; touch /f; chown 1000:1000 /f\n"})
	e.ok("build", "-q", "--userns-uid-map", "0:1:1000,1000:0:1,1001:1001:2000", "-t", "localhost/e2e/mapped:1", ctx)
	expect(t, e.pod("run", "--rm", "localhost/e2e/mapped:1", "sh", "-c", "cat /map; stat -c %u:%g /f"), 0, "0 1 1000\n1000 0 1\n1001 1001 2000\n1000:1000\n")
	if got := e.ok("image", "inspect", "--format", `{{index .Config.Labels "io.pod.version"}}`, "localhost/e2e/mapped:1"); strings.TrimSpace(got) == "" {
		t.Fatalf("the image has no identity label")
	}
	e.ok("build", "-q", "--identity-label=false", "--userns", "private", "-t", "localhost/e2e/plain:1", ctx)
	expect(t, e.pod("image", "inspect", "--format", `{{index .Config.Labels "io.pod.version"}}|`, "localhost/e2e/plain:1"), 0, "|\n")
	expect(t, e.pod("run", "--rm", "localhost/e2e/plain:1", "head", "-c", "2", "/map"), 0, "0 ")
	expectError(t, e.pod("build", "--userns", "ns:/proc/1/ns/user", ctx), 125, "cannot join another user namespace")
	expectError(t, e.pod("build", "--userns-uid-map-user", e.user.name, ctx), 125, "only root can map")
	e.ok("build", "-q", "--no-cache", "--userns-uid-map", "0:1:2000", "-t", "localhost/e2e/unowned:1", ctx)
	expect(t, e.pod("run", "--rm", "localhost/e2e/unowned:1", "cat", "/map"), 0, "0 1 2000\n")
	// build's own --runtime-flag reaches the runtime of RUN steps.
	if r := e.pod("build", "--no-cache", "--runtime-flag", "no-such-flag", ctx); r.code == 0 || !strings.Contains(r.stdout+r.stderr, "no-such-flag") {
		t.Fatalf("build --runtime-flag no-such-flag:\n%s", r)
	}
}

// TestSubUIDNameRootful: as root, --subuidname maps the container onto a
// user's ranges in /etc/subuid (and /etc/subgid, by the same name).
func TestSubUIDNameRootful(t *testing.T) {
	e := rootEnv(t, "only root maps /etc/subuid's ranges")
	e.importImage(testImage)
	u := suite.user
	// The container's IDs from 0 onto each range in turn.
	want := ""
	for _, file := range []string{"/etc/subuid", "/etc/subgid"} {
		ranges, err := subIDRanges(file, u)
		if err != nil {
			t.Fatal(err)
		}
		next := 0
		for _, r := range ranges {
			want += fmt.Sprintf("%d %d %d\n", next, r[0], r[1])
			next += r[1]
		}
	}
	expect(t, e.pod("run", "--rm", "--subuidname", u.name, testImage, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | sed 's/^ //'"), 0, want)
	expectError(t, e.pod("run", "--rm", "--subuidname", "no-such-user-here", testImage, "true"), 125, "/etc/subuid has no range for no-such-user-here")
}

// TestContainerEnvFile: /run/.containerenv says what runs the container
// (Podman's keys, which toolbox and distrobox read), $container names pod
// (podman when called through a link of that name, and the container
// keeps it), --chrootdirs gets pod's files under each directory too, and
// --env-host passes the caller's environment without pod's own variables.
func TestContainerEnvFile(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "--rm", "--name", "cenv", "--chrootdirs", "/jail", testImage, "sh", "-c",
		"cat /run/.containerenv; echo $container; cat /jail/etc/hostname; cmp /run/.containerenv /jail/run/.containerenv && echo same")
	id := regexp.MustCompile(`id="([0-9a-f]{64})"`).FindStringSubmatch(r.stdout)
	if r.code != 0 || id == nil || !strings.HasPrefix(r.stdout, `engine="pod-`) || !strings.Contains(r.stdout, "\nname=\"cenv\"\n") ||
		!strings.Contains(r.stdout, "\nimage=\""+testImage+"\"\n") || !strings.Contains(r.stdout, "\nrootless=1\n") ||
		!strings.HasSuffix(r.stdout, "\npod\n"+id[1][:12]+"\nsame\n") {
		t.Fatalf("/run/.containerenv, $container and --chrootdirs:\n%s", r)
	}
	// Neither the file nor /run shows in the container's diff.
	e.ok("run", "--name", "d", testImage, "sh", "-c", "echo x > /made")
	if d := e.ok("diff", "d"); strings.Contains(d, "/run") || !strings.Contains(d, "A /made\n") {
		t.Fatalf("diff:\n%s", d)
	}
	e.ok("rm", "d")
	link := filepath.Join(e.dir, "podman")
	if err := os.Symlink(suite.pod, link); err != nil {
		t.Fatal(err)
	}
	e.bin = link
	e.ok("create", "--name", "asPodman", testImage, "sh", "-c", "echo $container; head -1 /run/.containerenv")
	e.bin = ""
	if got := e.ok("start", "-a", "asPodman"); !strings.HasPrefix(got, "podman\nengine=\"podman-") {
		t.Fatalf("a container made through a podman link, started by pod: %q", got)
	}
	e.ok("rm", "asPodman")
	env := append(e.environ(), "MINE=kept")
	cmd := e.command(context.Background(), "run", "--rm", "--env-host", testImage, "sh", "-c", "echo $MINE; env | grep -c -e ^_POD_ -e ^_CONTAINERS_")
	cmd.Env = env
	out, _ := cmd.Output()
	if string(out) != "kept\n0\n" {
		t.Fatalf("--env-host: %q, want the caller's MINE and none of pod's own variables", out)
	}
	expectError(t, e.pod("run", "--rm", "--chrootdirs", "jail", testImage, "true"), 125, "--chrootdirs")
	e.expectClean()
}

// TestTimeoutFlag: --timeout kills a run that lasts too long (137), at
// each start, and leaves a short one alone; rootless, --oom-kill-disable
// is recorded with the one warning of limits a rootless container lacks,
// and --device-cgroup-rule is refused, saying what to use instead.
func TestTimeoutFlag(t *testing.T) {
	e := withImage(t)
	began := time.Now()
	expect(t, e.pod("run", "--rm", "--timeout", "1", testImage, "sh", "-c", "echo started; sleep 30; echo never"), 137, "started\n")
	if d := time.Since(began); d > 20*time.Second {
		t.Fatalf("--timeout 1 took %v", d)
	}
	expect(t, e.pod("run", "--rm", "--timeout", "30", testImage, "echo", "quick"), 0, "quick\n")
	e.ok("create", "--name", "tmo", "--timeout", "1", testImage, "sleep", "30")
	expect(t, e.pod("start", "-a", "tmo"), 137, "")
	expect(t, e.pod("inspect", "--format", "{{.State.ExitCode}}", "tmo"), 0, "137\n")
	if unit := e.ok("generate", "systemd", "--new", "tmo"); !strings.Contains(unit, "--timeout 1") {
		t.Fatalf("the unit lacks --timeout:\n%s", unit)
	}
	e.ok("rm", "tmo")
	r := e.pod("run", "--rm", "--oom-kill-disable", testImage, "true")
	if r.code != 0 && r.code != 127 || !strings.Contains(r.stderr, "Resource limits are not supported") {
		t.Fatalf("rootless --oom-kill-disable:\n%s", r)
	}
	expectError(t, e.pod("run", "--rm", "--device-cgroup-rule", "c 10:200 rw", testImage, "true"), 125, "has no device cgroup")
	expectError(t, e.pod("run", "--rm", "--device-cgroup-rule", "c 10 rw", testImage, "true"), 125, "MAJOR:MINOR")
	e.expectClean()
}

// TestDeviceCgroupRuleRootful: a node the default rules do not allow
// opens only with --device-cgroup-rule; --oom-kill-disable reaches the
// memory controller.
func TestDeviceCgroupRuleRootful(t *testing.T) {
	e := rootEnv(t, "a device cgroup of the container's own")
	e.importImage(testImage)
	// /dev/kmsg (1:11), which opens for writing without privileges.
	script := "mknod /dev/mk c 1 11 && (exec 4>/dev/mk) && echo opened"
	if r := e.pod("run", "--rm", testImage, "sh", "-c", script); r.code == 0 || !strings.Contains(r.stderr+r.stdout, "not permitted") {
		t.Fatalf("the kmsg node opened without a rule:\n%s", r)
	}
	expect(t, e.pod("run", "--rm", "--cap-add", "MKNOD", "--device-cgroup-rule", "c 1:11 w", testImage, "sh", "-c", script), 0, "opened\n")
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.oom_control"); err == nil {
		expect(t, e.pod("run", "--rm", "--oom-kill-disable", testImage, "sh", "-c", "grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control"), 0, "oom_kill_disable 1\n")
	}
}

// TestRequiresFlag: --requires starts the containers named first, at run
// and at every start; they cannot be removed while the dependent exists,
// but rm --depend removes it first; a missing one fails the create.
func TestRequiresFlag(t *testing.T) {
	e := withImage(t)
	e.ok("create", "--name", "db", testImage, "sleep", "1000")
	e.ok("create", "--name", "cache", "--requires", "db", testImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "app", "--requires", "cache", testImage, "sleep", "1000")
	for _, n := range []string{"db", "cache", "app"} {
		e.waitStatus(n, "Up ", 30*time.Second)
	}
	e.ok("stop", "-t", "0", "app", "cache", "db")
	e.ok("start", "app")
	for _, n := range []string{"db", "cache"} {
		e.waitStatus(n, "Up ", 30*time.Second)
	}
	cacheID := strings.TrimSpace(e.ok("inspect", "--format", "{{.Id}}", "cache"))
	expect(t, e.pod("inspect", "--format", "{{.Dependencies}}", "app"), 0, "["+cacheID+"]\n")
	expectError(t, e.pod("rm", "-f", "db"), 125, "dependent containers which must be removed before it: cache")
	expect(t, e.pod("ps", "-a", "--format", "{{.Names}}", "--filter", "name=db"), 0, "db\n")
	r := e.pod("rm", "-f", "--depend", "db")
	if r.code != 0 || !strings.Contains(r.stdout, "db") {
		t.Fatalf("rm --depend db:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expectError(t, e.pod("create", "--requires", "nosuch", testImage, "true"), 125, "nosuch")
	e.expectClean()
}

// TestPreserveFDs: --preserve-fds passes pod's file descriptors from 3 on
// to the container, attached, with a terminal, and detached; one that is
// not open is refused.
func TestPreserveFDs(t *testing.T) {
	e := withImage(t)
	in := e.writeFile("in.txt", "from-fd3\n")
	outPath := filepath.Join(e.dir, "out.txt")
	run := func(args ...string) (string, error) {
		r, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w, err := os.Create(outPath)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if !e.user.self {
			if err := w.Chown(e.user.uid, e.user.gid); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		defer cancel()
		cmd := e.command(ctx, args...)
		cmd.ExtraFiles = []*os.File{r, w}
		out, err := cmd.Output()
		return string(out), err
	}
	out, err := run("run", "--rm", "--preserve-fds", "2", testImage, "sh", "-c", "cat <&3; echo to-fd4 >&4")
	if got, _ := os.ReadFile(outPath); err != nil || out != "from-fd3\n" || string(got) != "to-fd4\n" {
		t.Fatalf("--preserve-fds 2: stdout %q, fd 4 wrote %q, %v", out, got, err)
	}
	if out, err := run("run", "--rm", "-t", "--preserve-fds", "1", testImage, "sh", "-c", "cat <&3"); err != nil || strings.TrimSpace(out) != "from-fd3" {
		t.Fatalf("--preserve-fds with -t: %q, %v", out, err)
	}
	if _, err := run("run", "-d", "--name", "pf", "--preserve-fds", "2", testImage, "sh", "-c", "echo detached >&4; sleep 1000"); err != nil {
		t.Fatal(err)
	}
	if !eventually(20*time.Second, func() bool { got, _ := os.ReadFile(outPath); return string(got) == "detached\n" }) {
		got, _ := os.ReadFile(outPath)
		t.Fatalf("a detached run's fd 4 wrote %q", got)
	}
	e.ok("rm", "-f", "-t", "0", "pf")
	expectError(t, e.pod("run", "--rm", "--preserve-fds", "9", testImage, "true"), 125, "file descriptor")
	e.expectClean()
}

// TestCreateAttach: create --attach names the streams start --attach
// joins; the others go to /dev/null.
func TestCreateAttach(t *testing.T) {
	e := withImage(t)
	e.ok("create", "--name", "ca", "-a", "stdout", testImage, "sh", "-c", "echo out; echo err >&2")
	r := e.pod("start", "-a", "ca")
	if r.code != 0 || r.stdout != "out\n" || strings.Contains(r.stderr, "err") {
		t.Fatalf("start -a of a container made with -a stdout:\n%s", r)
	}
	e.ok("rm", "ca")
	expectError(t, e.pod("create", "-a", "stdnothing", testImage, "true"), 125, "stdin, stdout or stderr")
	e.expectClean()
}

// TestSocketActivation: a pod run that systemd started by socket
// activation ($LISTEN_PID is pod) passes the sockets on from 3, with
// LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID=1; /etc/mtab is there, and
// --add-host's entries come first in /etc/hosts.
func TestSocketActivation(t *testing.T) {
	e := withImage(t)
	in := e.writeFile("sock.txt", "from-systemd\n")
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := e.command(ctx, "run", "--rm", testImage, "sh", "-c", `echo "$LISTEN_FDS $LISTEN_PID $LISTEN_FDNAMES"; cat <&3`)
	// As systemd starts it: LISTEN_PID is the process that runs pod.
	cmd.Args = append([]string{"sh", "-c", `LISTEN_PID=$$ exec "$0" "$@"`}, cmd.Args...)
	cmd.Path = "/bin/sh"
	cmd.Env = append(cmd.Env, "LISTEN_FDS=1", "LISTEN_FDNAMES=web")
	cmd.ExtraFiles = []*os.File{f}
	out, err := cmd.Output()
	if err != nil || string(out) != "1 1 web\nfrom-systemd\n" {
		t.Fatalf("socket activation: %q, %v", out, err)
	}
	// Not pod's own: LISTEN_PID of another process passes nothing.
	cmd = e.command(ctx, "run", "--rm", testImage, "sh", "-c", `echo "[$LISTEN_FDS]"`)
	cmd.Env = append(cmd.Env, "LISTEN_FDS=1", "LISTEN_PID=1")
	if out, err := cmd.Output(); err != nil || string(out) != "[]\n" {
		t.Fatalf("LISTEN_PID of another process: %q, %v", out, err)
	}
	expect(t, e.pod("run", "--rm", "--add-host", "first:10.9.8.7", testImage, "sh", "-c", "head -1 /etc/hosts; readlink /etc/mtab"), 0, "10.9.8.7\tfirst\n/proc/mounts\n")
}

// TestNoexecVolumeAndCopyLinks: a bind mount with noexec runs nothing,
// one without does; COPY keeps hard links as links.
func TestNoexecVolumeAndCopyLinks(t *testing.T) {
	e := withImage(t)
	dir := e.mkdirUser("tools")
	script := filepath.Join(dir, "hello")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if !e.user.self {
		if err := os.Chown(script, e.user.uid, e.user.gid); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, e.pod("run", "--rm", "-v", dir+":/t", testImage, "/t/hello"), 0, "ran\n")
	if r := e.pod("run", "--rm", "-v", dir+":/t:noexec", testImage, "sh", "-c", "/t/hello"); r.code != 126 || strings.Contains(r.stdout, "ran") {
		t.Fatalf("a script on a noexec bind mount:\n%s", r)
	}
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\nCOPY d /x\n", "d/one": "1\n"})
	if err := os.Link(filepath.Join(ctx, "d", "one"), filepath.Join(ctx, "d", "two")); err != nil {
		t.Fatal(err)
	}
	e.ok("build", "-q", "-t", "localhost/e2e/links:1", ctx)
	expect(t, e.pod("run", "--rm", "localhost/e2e/links:1", "sh", "-c", `[ /x/one -ef /x/two ] && stat -c %h /x/one`), 0, "2\n")
}

// TestCDIDevice: --device vendor.com/class=name takes a device from a CDI
// spec under /var/run/cdi: its node (a host node bound where the spec
// says), its variables and its mounts; generate systemd keeps the name;
// a name no spec has fails the create, naming it.
func TestCDIDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test writes a CDI spec under /var/run/cdi")
	}
	e := withImage(t)
	lib := e.mkdirUser("vendorlib")
	if err := os.WriteFile(filepath.Join(lib, "libgpu.so"), []byte("vendor library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("/var/run/cdi", 0o755); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join("/var/run/cdi", "pod-e2e-"+filepath.Base(e.dir)+".yaml")
	kind := "e2e.pod.test/gpu" + strconv.Itoa(os.Getpid())
	text := "cdiVersion: \"0.5.0\"\nkind: " + kind + "\ncontainerEdits:\n  env: [GPU_VENDOR=e2e]\ndevices:\n" +
		"  - name: gpu0\n    containerEdits:\n      deviceNodes:\n        - path: /dev/gpu0\n          hostPath: /dev/zero\n" +
		"      env: [GPU_INDEX=0]\n      mounts:\n        - hostPath: " + lib + "\n          containerPath: /usr/lib/vendor\n          options: [ro, bind]\n"
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(spec) })
	expect(t, e.pod("run", "--rm", "--name", "gpu", "--device", kind+"=gpu0", testImage, "sh", "-c",
		"head -c 3 /dev/gpu0 | od -An -tx1 | tr -d ' '; echo $GPU_VENDOR $GPU_INDEX; cat /usr/lib/vendor/libgpu.so; touch /usr/lib/vendor/x 2>/dev/null || echo read-only"),
		0, "000000\ne2e 0\nvendor library\nread-only\n")
	e.ok("create", "--name", "gpu", "--device", kind+"=all", testImage, "true")
	if unit := e.ok("generate", "systemd", "--new", "gpu"); !strings.Contains(unit, "--device "+kind+"=all") {
		t.Fatalf("the unit lacks the CDI device:\n%s", unit)
	}
	e.ok("rm", "gpu")
	expectError(t, e.pod("run", "--rm", "--device", kind+"=gpu7", testImage, "true"), 125, "has no device gpu7")
	expectError(t, e.pod("run", "--rm", "--device", "nosuch.example/x=y", testImage, "true"), 125, "no spec of kind nosuch.example/x")
	e.expectClean()
}

// TestRootfsFlag: --rootfs runs a container in a host directory itself:
// what it writes lands there (the user's own files), cp and exec reach
// it, generate systemd keeps it, rm leaves the directory; diff and commit,
// which need image layers, say so, as does an overlay (:O) or a missing
// directory.
func TestRootfsFlag(t *testing.T) {
	e := withImage(t)
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal("busybox not found (the busybox-static package): ", err)
	}
	dir := e.mkdirUser("rootfs")
	bin := filepath.Join(dir, "bin")
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	if !e.user.self {
		for _, p := range []string{bin, filepath.Join(bin, "busybox")} {
			if err := os.Chown(p, e.user.uid, e.user.gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	expect(t, e.pod("run", "--rm", "--rootfs", dir, "/bin/busybox", "sh", "-c", "echo made > /made; /bin/busybox id -u"), 0, "0\n")
	if b, err := os.ReadFile(filepath.Join(dir, "made")); err != nil || string(b) != "made\n" {
		t.Fatalf("the file the container wrote: %q, %v", b, err)
	}
	if u, _ := owner(t, filepath.Join(dir, "made")); u != e.user.uid {
		t.Fatalf("the container's root wrote a file owned by %d, want the user %d", u, e.user.uid)
	}
	e.ok("run", "-d", "--name", "rf", "--rootfs", dir, "/bin/busybox", "sleep", "1000")
	expect(t, e.pod("exec", "rf", "/bin/busybox", "cat", "/made"), 0, "made\n")
	out := filepath.Join(e.dir, "copied")
	e.ok("cp", "rf:/made", out)
	if b, _ := os.ReadFile(out); string(b) != "made\n" {
		t.Fatalf("cp from a --rootfs container: %q", b)
	}
	if unit := e.ok("generate", "systemd", "--new", "rf"); !strings.Contains(unit, "--rootfs "+dir) {
		t.Fatalf("the unit lacks --rootfs:\n%s", unit)
	}
	expectError(t, e.pod("diff", "rf"), 125, "no image to compare with")
	expectError(t, e.pod("commit", "rf", "localhost/e2e/rf"), 125, "import a tar of it instead")
	e.ok("rm", "-f", "-t", "0", "rf")
	if _, err := os.Stat(filepath.Join(dir, "bin", "busybox")); err != nil {
		t.Fatalf("rm took the directory's files: %v", err)
	}
	expectError(t, e.pod("run", "--rm", "--rootfs", dir+":O", "/bin/busybox", "true"), 125, "(:O) is not supported")
	expectError(t, e.pod("run", "--rm", "--rootfs", filepath.Join(e.dir, "nosuch"), "/bin/busybox", "true"), 125, "no such directory")
	e.expectClean()
}

// TestOOMKilledRootful: a container the kernel's OOM killer ends under
// --memory exits 137 and inspect says OOMKilled; one that exits by itself
// does not.
func TestOOMKilledRootful(t *testing.T) {
	e := rootEnv(t, "a memory cgroup of the container's own")
	e.importImage(testImage)
	hog := "sleep 0.5; x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done"
	expect(t, e.pod("run", "--name", "hog", "--memory", "16m", "--memory-swap", "16m", testImage, "sh", "-c", hog), 137, "")
	expect(t, e.pod("inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog"), 0, "true 137\n")
	e.ok("rm", "hog")
	expect(t, e.pod("run", "--name", "fine", "--memory", "16m", testImage, "sh", "-c", "exit 3"), 3, "")
	expect(t, e.pod("inspect", "--format", "{{.State.OOMKilled}}", "fine"), 0, "false\n")
	e.ok("rm", "fine")
}
