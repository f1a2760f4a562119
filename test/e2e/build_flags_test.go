package e2e

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBuildPodmanFlags: build's flags for RUN steps (--add-host, --dns,
// --dns-search, --volume, --cap-drop, --no-hosts) and for the image
// (--env, --unsetenv, --omit-history, --from), --ignorefile, --logfile
// and --output to a directory and to a tar file.
func TestBuildPodmanFlags(t *testing.T) {
	e := withImage(t)
	e.ok("tag", testImage, "localhost/e2e/other:1")
	in := e.ctxTree("hostdir", map[string]string{"from-host": "mounted\n"})
	ctx := e.ctxTree("ctx", map[string]string{
		"Containerfile": "FROM scratch-is-replaced\nENV KEEP=1 DROP=2\nWORKDIR /seen\n" +
			"RUN grep db /etc/hosts > hosts; grep -E 'nameserver|search' /etc/resolv.conf > resolv; cat /mnt/in/from-host > mnt; grep CapEff /proc/self/status > caps\n" +
			"COPY . /ctx\n",
		"kept": "k", "skipped": "s",
	})
	ignore := e.writeFile("my.ignore", "skipped\n")
	logfile := filepath.Join(e.dir, "build.log")
	outDir := filepath.Join(e.dir, "out")
	outTar := filepath.Join(e.dir, "out.tar")
	e.mkdirUser("out")
	r := e.pod("build", "--from", "localhost/e2e/other:1", "--add-host", "db:10.1.2.3", "--dns", "10.9.9.9", "--dns-search", "example.test",
		"-v", in+":/mnt/in:ro", "--cap-drop", "all", "--env", "ADDED=yes", "--unsetenv", "DROP", "--omit-history",
		"--ignorefile", ignore, "--logfile", logfile, "--output", "type=local,dest="+outDir, "--jobs", "2", "--compress",
		"-t", "localhost/e2e/flags:1", ctx)
	if r.code != 0 || !builtID.MatchString(strings.TrimSpace(r.stdout)) {
		log, _ := os.ReadFile(logfile)
		t.Fatalf("build with Podman's flags:\n%s\nits --logfile:\n%s", r, log)
	}
	log, err := os.ReadFile(logfile)
	if err != nil || !strings.Contains(string(log), "STEP") || !strings.Contains(string(log), "COMMIT localhost/e2e/flags:1\n--> ") || !strings.Contains(string(log), "Successfully tagged localhost/e2e/flags:1") {
		t.Fatalf("--logfile has %q (%v)", log, err)
	}
	run := func(cmd string) string { return e.ok("run", "--rm", "localhost/e2e/flags:1", "sh", "-c", cmd) }
	if got := run("cd /seen && cat hosts resolv mnt caps"); got != "10.1.2.3\tdb\nsearch example.test\nnameserver 10.9.9.9\nmounted\nCapEff:\t0000000000000000\n" {
		t.Fatalf("what RUN saw:\n%s", got)
	}
	if got := run("ls /ctx"); got != "Containerfile\nkept\nmy.ignore\n" && got != "Containerfile\nkept\n" {
		t.Fatalf("the context after --ignorefile: %q", got)
	}
	env := e.imageConfig("localhost/e2e/flags:1")["Env"]
	var vars []string
	for _, v := range env.([]any) {
		vars = append(vars, v.(string))
	}
	if !slices.Contains(vars, "ADDED=yes") || !slices.Contains(vars, "KEEP=1") || slices.ContainsFunc(vars, func(v string) bool { return strings.HasPrefix(v, "DROP") }) {
		t.Fatalf("the image's environment: %v", vars)
	}
	if h := e.ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", "localhost/e2e/flags:1"); strings.Contains(h, "RUN") || strings.Contains(h, "ENV") || strings.Contains(h, "COPY") {
		t.Fatalf("--omit-history: history has\n%s", h)
	}
	if !strings.Contains(string(log), "(--from localhost/e2e/other:1)") {
		t.Fatalf("the log does not say which image --from put in the first FROM:\n%s", log)
	}
	b, err := os.ReadFile(filepath.Join(outDir, "seen", "hosts"))
	if err != nil || string(b) != "10.1.2.3\tdb\n" {
		t.Fatalf("--output's directory: %q %v", b, err)
	}
	if uid, _ := owner(t, filepath.Join(outDir, "seen", "hosts")); uid != e.user.uid {
		t.Fatalf("--output's files are owned by %d, want the user %d", uid, e.user.uid)
	}
	// --output to a tar, and --no-hosts giving RUN the image's own.
	ctx2 := e.ctxTree("ctx2", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN test ! -e /etc/hosts -o -z \"$(grep db /etc/hosts)\" && echo ok > /nohosts\n"})
	e.ok("build", "-q", "--no-hosts", "--output", "type=tar,dest="+outTar, ctx2)
	data, err := os.ReadFile(outTar)
	if err != nil || !slices.Contains(tarNames(t, string(data)), "nohosts") {
		t.Fatalf("--output tar: %v %v", tarNames(t, string(data)), err)
	}

	expectError(t, e.pod("build", "--isolation", "chroot", ctx2), 125, "use oci")
	expectError(t, e.pod("build", "--output", "type=registry", ctx2), 125, "type is local or tar")
	expectError(t, e.pod("build", "--no-hosts", "--add-host", "a:10.0.0.1", ctx2), 125, "cannot be used together")
	expectError(t, e.pod("build", "-v", "named:/x", ctx2), 125, "host directories only")
	expectError(t, e.pod("build", "--ignorefile", filepath.Join(e.dir, "missing"), ctx2), 125, "missing")
}

// TestRunNoHosts: run --no-hosts leaves the image's /etc/hosts.
func TestRunNoHosts(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", "--no-hosts", testImage, "sh", "-c", "grep -c localhost /etc/hosts || echo none"), 0, "none\n")
	expectError(t, e.pod("run", "--rm", "--no-hosts", "--add-host", "a:10.0.0.1", testImage, "true"), 125, "cannot be used together")
}

// TestBuildMoreFlags: --stdin, --skip-unused-stages=false, --cache-ttl,
// --os-version/--os-feature, --logsplit, and the refused flags with
// their reasons.
func TestBuildMoreFlags(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN cat > /from-stdin\n"})
	r := e.podStdin(strings.NewReader("piped in\n"), "build", "-q", "--stdin", "-t", "localhost/e2e/stdin:1", ctx)
	if r.code != 0 {
		t.Fatalf("build --stdin:\n%s", r)
	}
	expect(t, e.pod("run", "--rm", "localhost/e2e/stdin:1", "cat", "/from-stdin"), 0, "piped in\n")

	// An unused stage runs only with --skip-unused-stages=false.
	multi := e.ctxTree("multi", map[string]string{"Dockerfile": "FROM " + testImage + " AS unused\nRUN echo unused-stage-ran\n" +
		"FROM " + testImage + "\nRUN echo final\n"})
	if out := e.ok("build", "--no-cache", multi); strings.Contains(out, "unused-stage-ran") {
		t.Fatalf("an unused stage was built:\n%s", out)
	}
	if out := e.ok("build", "--no-cache", "--skip-unused-stages=false", multi); !strings.Contains(out, "unused-stage-ran") {
		t.Fatalf("--skip-unused-stages=false did not build the unused stage:\n%s", out)
	}
	// The cache is used, unless older than --cache-ttl.
	if out := e.ok("build", multi); !strings.Contains(out, "Using cache") {
		t.Fatalf("a second build missed the cache:\n%s", out)
	}
	time.Sleep(1100 * time.Millisecond)
	if out := e.ok("build", "--cache-ttl", "1s", multi); strings.Contains(out, "Using cache") || !strings.Contains(out, "older than --cache-ttl") {
		t.Fatalf("--cache-ttl 1s used an older cached step:\n%s", out)
	}

	e.ok("build", "-q", "--os-version", "10.0.1", "--os-feature", "win32k", "-t", "localhost/e2e/osv:1", multi)
	if got := e.ok("image", "inspect", "--format", "{{.OsVersion}}", "localhost/e2e/osv:1"); got != "10.0.1\n" {
		t.Fatalf("--os-version: %q", got)
	}
	log := filepath.Join(e.dir, "b.log")
	e.ok("build", "-q", "--logfile", log, "--logsplit", multi)
	if _, err := os.Stat(log + "_linux_" + goruntime.GOARCH); err != nil {
		t.Fatalf("--logsplit: %v", err)
	}
	for flag, why := range map[string]string{
		"--all-platforms": "this host's platform only", "--manifest=m": "no manifest lists", "--cache-from=r/x": "local to its store",
		"--sign-by=k": "does not sign", "--ssh=default": "SSH agent", "--decryption-key=k": "encrypted", "--hooks-dir=/x": "OCI hooks",
	} {
		expectError(t, e.pod("build", flag, multi), 125, why)
	}
}

// TestBuildResourcesRootful: as root, RUN steps get build's cgroup
// limits; rootless, the build warns that they are not applied.
func TestBuildResourcesRootful(t *testing.T) {
	e := rootEnv(t, "a cgroup of RUN's own")
	e.importImage(testImage)
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null > /limit; cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu.weight 2>/dev/null > /shares; true\n"})
	e.ok("build", "-q", "--memory", "64m", "--cpu-shares", "512", "-t", "localhost/e2e/limited:1", ctx)
	expect(t, e.pod("run", "--rm", "localhost/e2e/limited:1", "cat", "/limit"), 0, "67108864\n")
	if got := e.ok("run", "--rm", "localhost/e2e/limited:1", "cat", "/shares"); got != "512\n" && got != "20\n" {
		t.Fatalf("cpu shares in RUN: %q", got)
	}
	expectError(t, e.pod("build", "--memory", "lots", ctx), 125, "--memory")
}

func TestBuildResourcesRootless(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN true\n"})
	r := e.pod("build", "-q", "--memory", "64m", ctx)
	if r.code != 0 || !strings.Contains(r.stderr, "resource limits of RUN steps are not applied") {
		t.Fatalf("rootless build --memory:\n%s", r)
	}
}

// TestBuildCpp: a Dockerfile ending in .in goes through cpp, with
// --cpp-flag's macros and #include from the context.
func TestBuildCpp(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{
		"Containerfile.in": "FROM " + testImage + "\n#include \"common.in\"\nRUN echo GREETING > /greeting\n",
		"common.in":        "ENV FROM_INCLUDE=yes\n",
	})
	e.ok("build", "-q", "-f", filepath.Join(ctx, "Containerfile.in"), "--cpp-flag", "-DGREETING=hello", "-t", "localhost/e2e/cpp:1", ctx)
	expect(t, e.pod("run", "--rm", "localhost/e2e/cpp:1", "sh", "-c", "cat /greeting; echo $FROM_INCLUDE"), 0, "hello\nyes\n")
	plain := e.ctxTree("plain", map[string]string{"Dockerfile": "FROM " + testImage + "\n"})
	expectError(t, e.pod("build", "--cpp-flag", "-DX=1", plain), 125, "ends in .in")
}

// TestBuildUlimitShm: --ulimit, --shm-size, --device and the namespace
// flags reach RUN steps.
func TestBuildUlimitShm(t *testing.T) {
	e := withImage(t)
	ctx := e.ctxTree("ctx", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN ulimit -n > /n; df -k /dev/shm | awk 'NR==2{print $2}' > /shm\n"})
	e.ok("build", "-q", "--ulimit", "nofile=256:512", "--shm-size", "4m", "-t", "localhost/e2e/ul:1", ctx)
	expect(t, e.pod("run", "--rm", "localhost/e2e/ul:1", "cat", "/n", "/shm"), 0, "256\n4096\n")
	expectError(t, e.pod("build", "--ulimit", "bogus=1", ctx), 125, "--ulimit")
	// Devices and namespaces of RUN steps.
	ctx2 := e.ctxTree("ctx2", map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN head -c 1 /dev/myzero | od -An -tx1 > /dev-seen; hostname > /uts\n"})
	e.ok("build", "-q", "--device", "/dev/zero:/dev/myzero", "--uts", "host", "-t", "localhost/e2e/devns:1", ctx2)
	hn, _ := os.Hostname()
	expect(t, e.pod("run", "--rm", "localhost/e2e/devns:1", "cat", "/dev-seen", "/uts"), 0, " 00\n"+hn+"\n")
	expectError(t, e.pod("build", "--ipc", "container:x", ctx2), 125, "another container's namespaces")
}
