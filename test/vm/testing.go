package vm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Start boots a VM for t (see Boot) and stops it when t ends. A missing
// program (qemu, mmdebstrap) fails t with its name. Tests that can share
// one VM use Shared instead: a boot costs tens of seconds.
func Start(t testing.TB, o Options) *VM {
	t.Helper()
	if o.Logf == nil {
		o.Logf = t.Logf
	}
	v, err := Boot(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Stop)
	return v
}

var shared struct {
	sync.Mutex
	opts Options
	vm   *VM
	err  error
}

// Main runs the tests of a package whose tests share one VM (Shared),
// booted with o when a test first asks for it, and stops that VM at the
// end:
//
//	func TestMain(m *testing.M) { os.Exit(vm.Main(m, vm.Options{})) }
func Main(m *testing.M, o Options) int {
	shared.opts = o
	defer func() {
		shared.Lock()
		defer shared.Unlock()
		if shared.vm != nil {
			shared.vm.Stop()
		}
	}()
	return m.Run()
}

// Shared returns the test binary's one VM, booting it on first use (and
// again if qemu has died since). A boot that failed fails every test that
// asks, with its error, without booting again. Tests share its state:
// each cleans up what it starts.
func Shared(t testing.TB) *VM {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.err != nil {
		t.Fatalf("the VM did not boot: %v", shared.err)
	}
	if shared.vm != nil && !shared.vm.Alive() {
		t.Logf("vm: %s; booting a new VM; console:\n%s",
			shared.vm.current().exitMessage(shared.vm), shared.vm.ConsoleTail(40))
		shared.vm.Stop()
		shared.vm = nil
	}
	if shared.vm == nil {
		shared.vm, shared.err = Boot(context.Background(), shared.opts)
		if shared.err != nil {
			t.Fatalf("the VM did not boot: %v", shared.err)
		}
	}
	return shared.vm
}

// Run runs script with bash in the guest as user (Root or TestUser, see
// Exec) and returns its output and exit code; only a failure to run it (a
// timeout, a dead VM) fails t.
func (v *VM) Run(t testing.TB, user, script string) (stdout, stderr string, code int) {
	t.Helper()
	r, err := v.Exec(context.Background(), user, script, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r.Stdout, r.Stderr, r.Code
}

// MustRun runs script as Run does, fails t unless it exits 0, and returns
// its stdout.
func (v *VM) MustRun(t testing.TB, user, script string) string {
	t.Helper()
	stdout, stderr, code := v.Run(t, user, script)
	if code != 0 {
		t.Fatalf("in the VM as %s: exit %d\nscript:\n%s\nstdout:\n%s\nstderr:\n%s",
			user, code, indent(script), indent(stdout), indent(stderr))
	}
	return stdout
}

// Put copies hostPath (a file or a directory tree) to the absolute
// guestPath, owned by root, keeping modes and times; missing parents are
// made. A directory is merged into one already at guestPath.
func (v *VM) Put(t testing.TB, hostPath, guestPath string) {
	t.Helper()
	v.PutAs(t, Root, hostPath, guestPath)
}

// PutAs is Put with the copy, and the parents it makes, owned by user.
func (v *VM) PutAs(t testing.TB, user, hostPath, guestPath string) {
	t.Helper()
	if err := v.installAs(context.Background(), user, hostPath, guestPath); err != nil {
		t.Fatalf("putting %s at %s in the VM: %v", hostPath, guestPath, err)
	}
}

// WriteFile writes data to the absolute guestPath with mode, owned by
// user (the parents it makes too).
func (v *VM) WriteFile(t testing.TB, user, guestPath string, data []byte, mode os.FileMode) {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(tmp, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		t.Fatal(err)
	}
	v.PutAs(t, user, tmp, guestPath)
}

// Reboot reboots the guest cleanly (systemctl reboot inside it) and waits
// until the runner, the system and the test user's manager are up again.
// The disk keeps what was written before.
func (v *VM) Reboot(t testing.TB) {
	t.Helper()
	if err := v.reboot(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func indent(s string) string {
	if s == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// String names the VM in messages.
func (v *VM) String() string { return fmt.Sprintf("VM %s (image %s)", v.dir, v.img.dir) }

// ImportBusybox makes a busybox image inside the guest, as hack/mkrootfs.sh
// makes the host's test images (the guest's busybox-static, its applet
// links, /etc/passwd with root and a uid-1000 user), and imports it as
// user into pod's default storage as ref.
func (v *VM) ImportBusybox(t testing.TB, user, ref string) {
	t.Helper()
	const mkrootfs = "/usr/local/lib/pod-vm/mkrootfs.sh"
	v.Put(t, filepath.Join(v.opts.Repo, "hack", "mkrootfs.sh"), mkrootfs)
	v.MustRun(t, user, fmt.Sprintf(`set -e
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
bash %s "$d/rootfs" >/dev/null
tar -C "$d/rootfs" --numeric-owner --owner=0 --group=0 -cf "$d/rootfs.tar" .
pod import "$d/rootfs.tar" %s
`, mkrootfs, shellQuote(ref)))
}
