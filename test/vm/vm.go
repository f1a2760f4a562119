package vm

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pod-project/pod/test/podbin"
)

// Users of the guest that scripts run as.
const (
	// Root runs a script as root, in the runner's service.
	Root = "root"
	// TestUser runs a script as the unprivileged test user, in a login
	// session of its own (XDG_RUNTIME_DIR and its bus set as on a real
	// login). It lingers: its systemd --user starts at boot.
	TestUser = "podtest"
	// TestUID is TestUser's uid; it has 65536 subordinate uids and gids
	// from 100000.
	TestUID = 1000
)

// PodPath is where Boot installs the pod binary in the guest.
const PodPath = "/usr/local/bin/pod"

// Options say how to boot a VM. The zero value boots the default.
type Options struct {
	// Pod is the pod binary installed as PodPath at boot; empty means
	// $POD_BINARY, else bin/pod built from Repo.
	Pod string
	// Memory is the guest's memory in MiB (default 2048); CPUs its
	// processors (default 2).
	Memory, CPUs int
	// BootTimeout bounds each boot until the runner, the system and the
	// test user's manager are up (default 5 minutes); the image build has
	// its own (Boot's context).
	BootTimeout time.Duration
	// CmdTimeout bounds a script run by Run, MustRun and the Put family
	// (default 5 minutes).
	CmdTimeout time.Duration
	// Repo is the repository's root, holding hack/vm-image.sh (default:
	// found at or above the working directory).
	Repo string
	// Logf receives progress lines (image build, boot times); default
	// standard error.
	Logf func(format string, args ...any)
}

// VM is a running guest. Its methods may be called from several
// goroutines, but a test that reboots should not run scripts meanwhile.
type VM struct {
	opts Options
	img  image
	// dir holds the overlay disk, the shared directory and the logs.
	dir, shared, console string

	mu sync.Mutex
	// q is the running qemu; a reboot starts another.
	q      *qemu
	seq    int
	bootID string
	// SystemState is `systemctl is-system-running` after the last boot
	// ("running", or "degraded" with FailedUnits listed), UserState the
	// same for the test user's manager.
	SystemState, UserState string
	FailedUnits            []string
	// BootTime is how long the last boot took, from starting qemu (or
	// asking for the reboot) until the test user's manager was up.
	BootTime time.Duration
	stopped  bool
}

//go:embed runner.sh
var runnerScript []byte

// qemu is one run of qemu: the guest from power-on to its shutdown.
type qemu struct {
	cmd    *exec.Cmd
	exited chan struct{}
	// err is qemu's exit, set before exited is closed.
	err error
}

// kernelArgs boot the disk as the root file system with cgroup v2 only
// and the console on the serial port (the console log); a panic ends
// qemu at once.
const kernelArgs = "root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 net.ifnames=0 panic=-1"

// Boot builds the image unless it is cached, boots it and waits until the
// runner, the system and the test user's manager are up, then installs
// the pod binary. Stop ends it.
func Boot(ctx context.Context, o Options) (*VM, error) {
	o = withDefaults(o)
	for _, p := range []struct{ name, pkg string }{
		{"qemu-system-x86_64", "qemu-system-x86"},
		{"qemu-img", "qemu-utils"},
	} {
		if _, err := exec.LookPath(p.name); err != nil {
			return nil, fmt.Errorf("%s not found: install %s (hack/deps.sh)", p.name, p.pkg)
		}
	}
	if o.Repo == "" {
		repo, err := findRepo()
		if err != nil {
			return nil, err
		}
		o.Repo = repo
	}
	pod := o.Pod
	if pod == "" {
		var err error
		if pod, err = podbin.Path(ctx, o.Repo); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	img, err := buildImage(ctx, o.Repo, o.Logf)
	if err != nil {
		return nil, fmt.Errorf("VM image: %w", err)
	}
	o.Logf("vm: image %s ready after %v", img.dir, time.Since(start).Round(time.Second))

	dir, err := os.MkdirTemp(os.Getenv("POD_VM_TMPDIR"), "pod-vm-")
	if err != nil {
		return nil, err
	}
	v := &VM{
		opts:    o,
		img:     img,
		dir:     dir,
		shared:  filepath.Join(dir, "shared"),
		console: filepath.Join(dir, "console.log"),
	}
	if err := v.prepare(ctx); err != nil {
		v.Stop()
		return nil, err
	}
	if err := v.start(ctx, ""); err != nil {
		v.Stop()
		return nil, err
	}
	if err := v.install(ctx, pod, PodPath); err != nil {
		v.Stop()
		return nil, fmt.Errorf("installing pod in the VM: %w", err)
	}
	if err := v.install(ctx, podbin.Monitor(pod), podbin.Monitor(PodPath)); err != nil {
		v.Stop()
		return nil, fmt.Errorf("installing pod-monitor in the VM (make build builds it beside pod): %w", err)
	}
	return v, nil
}

func withDefaults(o Options) Options {
	if o.Memory <= 0 {
		o.Memory = 2048
	}
	if o.CPUs <= 0 {
		o.CPUs = 2
	}
	if o.BootTimeout <= 0 {
		o.BootTimeout = 5 * time.Minute
	}
	if o.CmdTimeout <= 0 {
		o.CmdTimeout = 5 * time.Minute
	}
	if o.Logf == nil {
		o.Logf = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, format+"\n", args...)
		}
	}
	return o
}

// prepare makes the shared directory and the overlay disk.
func (v *VM) prepare(ctx context.Context) error {
	if err := os.Mkdir(v.shared, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(v.shared, "runner.sh"), runnerScript, 0o755); err != nil {
		return err
	}
	// A copy-on-write overlay: the cached image stays as built, and the
	// guest's writes last as long as this VM, across reboots.
	if out, err := exec.CommandContext(ctx, "qemu-img", "create", "-q", "-f", "qcow2",
		"-b", v.img.disk, "-F", "raw", v.overlay()).CombinedOutput(); err != nil {
		return fmt.Errorf("qemu-img create: %v: %s", err, out)
	}
	return nil
}

func (v *VM) overlay() string { return filepath.Join(v.dir, "disk.qcow2") }

// start boots the guest in a new qemu and waits until a boot other than
// oldBoot is up. The guest's reboot ends qemu (-no-reboot): a guest reset
// inside one qemu boots three times slower under TCG than a fresh qemu.
func (v *VM) start(ctx context.Context, oldBoot string) error {
	qlog, err := os.OpenFile(filepath.Join(v.dir, "qemu.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer qlog.Close()
	cmd := exec.Command("qemu-system-x86_64",
		"-accel", "tcg,thread=multi", "-cpu", "max",
		"-m", strconv.Itoa(v.opts.Memory), "-smp", strconv.Itoa(v.opts.CPUs),
		"-nographic", "-monitor", "none", "-no-reboot",
		"-chardev", "file,id=console,append=on,path="+qemuPath(v.console),
		"-serial", "chardev:console",
		"-kernel", qemuPath(v.img.kernel), "-initrd", qemuPath(v.img.initrd),
		"-append", kernelArgs,
		"-drive", "file="+qemuPath(v.overlay())+",format=qcow2,if=virtio,cache=unsafe",
		"-virtfs", "local,path="+qemuPath(v.shared)+",mount_tag=shared,security_model=none,id=shared",
		"-device", "virtio-rng-pci",
		"-nic", "none",
	)
	cmd.Dir = v.dir
	cmd.Stdout, cmd.Stderr = qlog, qlog
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting qemu: %w", err)
	}
	q := &qemu{cmd: cmd, exited: make(chan struct{})}
	go func() {
		q.err = cmd.Wait()
		close(q.exited)
	}()
	v.mu.Lock()
	v.q = q
	v.mu.Unlock()
	if err := v.waitBoot(ctx, oldBoot, started); err != nil {
		return fmt.Errorf("booting the VM: %w", err)
	}
	return nil
}

// current returns the running qemu.
func (v *VM) current() *qemu {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.q
}

// qemuPath escapes a path for qemu's comma-separated options.
func qemuPath(p string) string { return strings.ReplaceAll(p, ",", ",,") }

// waitBoot waits for the runner of a boot other than oldBoot, then for
// the system and the test user's manager, and records the boot.
func (v *VM) waitBoot(ctx context.Context, oldBoot string, since time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, v.opts.BootTimeout)
	defer cancel()
	var boot string
	err := v.poll(ctx, "the runner to start", func() bool {
		b, err := os.ReadFile(filepath.Join(v.shared, "ready"))
		boot = strings.TrimSpace(string(b))
		return err == nil && boot != "" && boot != oldBoot
	})
	if err != nil {
		return err
	}
	runner := time.Since(since)
	v.mu.Lock()
	v.bootID = boot
	v.mu.Unlock()

	deadline, _ := ctx.Deadline()
	wait := time.Until(deadline)
	r, err := v.Exec(ctx, Root, `
state=$(systemctl is-system-running --wait)
echo "$state"
systemctl list-units --failed --plain --no-legend | cut -d' ' -f1
`, wait)
	if err != nil {
		return fmt.Errorf("waiting for the system: %w", err)
	}
	lines := strings.Fields(r.Stdout)
	if len(lines) == 0 {
		return fmt.Errorf("systemctl is-system-running printed nothing (exit %d): %s\n%s", r.Code, r.Stderr, v.ConsoleTail(40))
	}
	system, failed := lines[0], lines[1:]
	if system != "running" && system != "degraded" {
		return fmt.Errorf("the system is %s, not running:\n%s", system, v.ConsoleTail(40))
	}
	r, err = v.Exec(ctx, TestUser, `systemctl --user is-system-running --wait`, time.Until(deadline))
	if err != nil {
		return fmt.Errorf("waiting for %s's systemd --user: %w", TestUser, err)
	}
	user := strings.TrimSpace(r.Stdout)
	if user != "running" && user != "degraded" {
		return fmt.Errorf("%s's systemd --user is %q (exit %d): %s", TestUser, user, r.Code, r.Stderr)
	}
	took := time.Since(since)
	v.mu.Lock()
	v.SystemState, v.UserState, v.FailedUnits, v.BootTime = system, user, failed, took
	v.mu.Unlock()
	v.opts.Logf("vm: booted in %v (runner up after %v); system %s, %s's manager %s",
		took.Round(100*time.Millisecond), runner.Round(100*time.Millisecond), system, TestUser, user)
	if len(failed) > 0 {
		v.opts.Logf("vm: failed units: %s", strings.Join(failed, " "))
	}
	return nil
}

// poll waits until cond holds, failing when ctx ends or qemu exits; the
// error carries the end of the console log.
func (v *VM) poll(ctx context.Context, what string, cond func() bool) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	q := v.current()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w after %v; console:\n%s",
				what, ctx.Err(), time.Since(start).Round(time.Second), v.ConsoleTail(40))
		case <-q.exited:
			return fmt.Errorf("waiting for %s: %s; console:\n%s", what, q.exitMessage(v), v.ConsoleTail(40))
		case <-tick.C:
		}
	}
}

// Result is what a script did.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Exec runs script with bash in the guest as user (Root, TestUser or
// another user of the guest), with no stdin, and returns its output and
// exit code. The guest's runner kills it after timeout (0: the VM's
// CmdTimeout); that, a VM that stops or reboots meanwhile and ctx's end
// are errors.
func (v *VM) Exec(ctx context.Context, user, script string, timeout time.Duration) (Result, error) {
	if timeout <= 0 {
		timeout = v.opts.CmdTimeout
	}
	// The runner's timeout counts whole seconds.
	timeout = timeout.Round(time.Second)
	if timeout < time.Second {
		timeout = time.Second
	}
	if user == "" || strings.ContainsAny(user, " \t\n/'\"$\\") {
		return Result{}, fmt.Errorf("bad user name %q", user)
	}
	id, boot, err := v.submit(user, script, timeout)
	if err != nil {
		return Result{}, err
	}
	res := filepath.Join(v.shared, "res", id)
	defer os.RemoveAll(res)
	defer os.RemoveAll(filepath.Join(v.shared, "run", id))
	// The runner gives up 10 s after the timeout; the rest is slack.
	wctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	what := fmt.Sprintf("%s as %s", describe(script), user)
	n := 0
	err = v.poll(wctx, what, func() bool {
		if _, err := os.Stat(filepath.Join(res, "code")); err == nil {
			return true
		}
		if n++; n%50 == 0 {
			if b, _ := os.ReadFile(filepath.Join(v.shared, "ready")); strings.TrimSpace(string(b)) != boot {
				return true
			}
		}
		return false
	})
	if err != nil {
		return Result{}, err
	}
	var r Result
	code, err := os.ReadFile(filepath.Join(res, "code"))
	if err != nil {
		return Result{}, fmt.Errorf("%s: the VM rebooted before it finished", what)
	}
	if r.Code, err = strconv.Atoi(strings.TrimSpace(string(code))); err != nil {
		return Result{}, fmt.Errorf("%s: bad exit code %q from the runner", what, code)
	}
	stdout, err1 := os.ReadFile(filepath.Join(res, "stdout"))
	stderr, err2 := os.ReadFile(filepath.Join(res, "stderr"))
	if err := errors.Join(err1, err2); err != nil {
		return Result{}, fmt.Errorf("%s: reading its output: %w", what, err)
	}
	r.Stdout, r.Stderr = string(stdout), string(stderr)
	if _, err := os.Stat(filepath.Join(res, "timedout")); err == nil {
		return r, fmt.Errorf("%s: killed after the timeout of %v\nstdout:\n%s\nstderr:\n%s",
			what, timeout, r.Stdout, r.Stderr)
	}
	return r, nil
}

// submit drops a request into the shared directory, whole, and returns
// its ID and the boot it was meant for.
func (v *VM) submit(user, script string, timeout time.Duration) (id, boot string, err error) {
	v.mu.Lock()
	if v.stopped {
		v.mu.Unlock()
		return "", "", errors.New("the VM is stopped")
	}
	v.seq++
	id = fmt.Sprintf("%06d", v.seq)
	boot = v.bootID
	v.mu.Unlock()
	tmp := filepath.Join(v.shared, "req", ".tmp-"+id)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", "", err
	}
	for name, content := range map[string]string{
		"script":  script,
		"user":    user + "\n",
		"timeout": strconv.Itoa(int(timeout/time.Second)) + "\n",
	} {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o644); err != nil {
			return "", "", err
		}
	}
	if err := os.Rename(tmp, filepath.Join(v.shared, "req", id)); err != nil {
		return "", "", err
	}
	return id, boot, nil
}

// describe names a script in messages by its first line.
func describe(script string) string {
	s := strings.TrimSpace(script)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}

// exitMessage says how qemu ended, with the end of its own log.
func (q *qemu) exitMessage(v *VM) string {
	msg := "qemu exited"
	if q.err != nil {
		msg += " (" + q.err.Error() + ")"
	} else {
		msg += " (the guest shut down or rebooted)"
	}
	if l := v.qemuLog(); l != "" {
		msg += ": " + l
	}
	return msg
}

// reboot asks the guest for a clean reboot, lets qemu end with it, boots
// the same disk in a new qemu and waits until it is up.
func (v *VM) reboot(ctx context.Context) error {
	v.mu.Lock()
	old := v.bootID
	v.mu.Unlock()
	q := v.current()
	start := time.Now()
	// The answer may be lost to the shutdown: only qemu's end counts.
	id, _, err := v.submit(Root, "systemctl --no-block reboot", time.Minute)
	if err != nil {
		return err
	}
	select {
	case <-q.exited:
	case <-time.After(v.opts.BootTimeout):
		return fmt.Errorf("rebooting the VM: the guest did not shut down within %v; console:\n%s",
			v.opts.BootTimeout, v.ConsoleTail(40))
	case <-ctx.Done():
		return ctx.Err()
	}
	if q.err != nil {
		return fmt.Errorf("rebooting the VM: %s; console:\n%s", q.exitMessage(v), v.ConsoleTail(40))
	}
	down := time.Since(start)
	os.RemoveAll(filepath.Join(v.shared, "run", id))
	os.RemoveAll(filepath.Join(v.shared, "res", id))
	if err := v.start(ctx, old); err != nil {
		return fmt.Errorf("rebooting the VM: %w", err)
	}
	v.mu.Lock()
	v.BootTime = time.Since(start)
	v.mu.Unlock()
	v.opts.Logf("vm: rebooted in %v (shutdown %v)", time.Since(start).Round(100*time.Millisecond), down.Round(100*time.Millisecond))
	return nil
}

// BootID is the guest's boot ID (/proc/sys/kernel/random/boot_id) of the
// current boot.
func (v *VM) BootID() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.bootID
}

// Alive says whether qemu still runs.
func (v *VM) Alive() bool {
	q := v.current()
	if q == nil {
		return false
	}
	select {
	case <-q.exited:
		return false
	default:
		return true
	}
}

// Stop ends qemu and removes the VM's files (kept with POD_VM_KEEP set:
// the overlay disk, console.log, qemu.log, the shared directory). It may
// be called more than once.
func (v *VM) Stop() {
	v.mu.Lock()
	if v.stopped {
		v.mu.Unlock()
		return
	}
	v.stopped = true
	v.mu.Unlock()
	if q := v.current(); q != nil {
		_ = q.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-q.exited:
		case <-time.After(10 * time.Second):
			_ = q.cmd.Process.Kill()
			<-q.exited
		}
	}
	if os.Getenv("POD_VM_KEEP") != "" {
		v.opts.Logf("vm: keeping %s", v.dir)
		return
	}
	_ = os.RemoveAll(v.dir)
}

// ConsolePath is the guest's serial console log on the host.
func (v *VM) ConsolePath() string { return v.console }

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// ConsoleTail returns the last n lines of the console log, without
// terminal escapes.
func (v *VM) ConsoleTail(n int) string {
	f, err := os.Open(v.console)
	if err != nil {
		return fmt.Sprintf("(no console log: %v)", err)
	}
	defer f.Close()
	const max = 64 * 1024
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		_, _ = f.Seek(fi.Size()-max, 0)
	}
	b := make([]byte, max)
	k, _ := f.Read(b)
	s := ansiEscape.ReplaceAllString(strings.ReplaceAll(string(b[:k]), "\r", ""), "")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

func (v *VM) qemuLog() string {
	b, _ := os.ReadFile(filepath.Join(v.dir, "qemu.log"))
	return strings.TrimSpace(string(b))
}
