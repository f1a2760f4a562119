package bench

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

const (
	tags  = "containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper"
	image = "localhost/bench/busybox:latest"
)

// world is one benchmark's pod: binary, user, state directories.
type world struct {
	b    *testing.B
	dir  string
	pod  string
	cred *syscall.Credential
}

// newWorld builds pod (or takes $POD_BINARY), and as root picks the user
// $POD_TEST_USER (default podtest); it imports the busybox image.
func newWorld(b *testing.B) *world {
	b.Helper()
	dir, err := os.MkdirTemp("/tmp", "pod-gobench-")
	if err != nil {
		b.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	w := &world{b: b, dir: dir, pod: filepath.Join(dir, "pod")}
	bin := os.Getenv("POD_BINARY")
	if bin == "" {
		bin = filepath.Join(dir, "pod-built")
		cmd := exec.Command("go", "build", "-tags", tags, "-o", bin, "../cmd/pod")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("building pod: %v\n%s", err, out)
		}
	}
	if out, err := exec.Command("cp", bin, w.pod).CombinedOutput(); err != nil {
		b.Fatalf("%v: %s", err, out)
	}
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		name := os.Getenv("POD_TEST_USER")
		if name == "" {
			name = "podtest"
		}
		u, err := user.Lookup(name)
		if err != nil {
			b.Fatalf("%v (run hack/testuser.sh)", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		w.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	for _, d := range []string{"xdg", "home"} {
		p := filepath.Join(dir, d)
		if err := os.Mkdir(p, 0o700); err != nil {
			b.Fatal(err)
		}
		_ = os.Chown(p, uid, gid)
	}
	_ = os.Chown(dir, uid, gid)
	rootfs := filepath.Join(dir, "rootfs")
	if out, err := exec.Command("../hack/mkrootfs.sh", rootfs).CombinedOutput(); err != nil {
		b.Fatalf("mkrootfs: %v\n%s", err, out)
	}
	tarball := filepath.Join(dir, "rootfs.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "--numeric-owner", "--owner=0", "--group=0", "-cf", tarball, ".").CombinedOutput(); err != nil {
		b.Fatalf("tar: %v\n%s", err, out)
	}
	_ = os.Chmod(tarball, 0o644)
	w.run("import", tarball, image)
	b.Cleanup(w.close)
	return w
}

func (w *world) command(args ...string) *exec.Cmd {
	full := append([]string{"--root", filepath.Join(w.dir, "root"), "--runroot", filepath.Join(w.dir, "runroot")}, args...)
	cmd := exec.Command(w.pod, full...)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + filepath.Join(w.dir, "home"), "XDG_RUNTIME_DIR=" + filepath.Join(w.dir, "xdg")}
	cmd.Dir = w.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: w.cred}
	return cmd
}

// run runs pod and fails the benchmark unless it exits 0.
func (w *world) run(args ...string) {
	w.b.Helper()
	if out, err := w.command(args...).CombinedOutput(); err != nil {
		w.b.Fatalf("pod %v: %v\n%s", args, err, out)
	}
}

func (w *world) close() {
	_ = w.command("rm", "-f", "--all").Run()
	_ = w.command("unshare", "rm", "-rf", filepath.Join(w.dir, "root"), filepath.Join(w.dir, "runroot")).Run()
	if b, err := os.ReadFile(filepath.Join(w.dir, "xdg", "pod", "pause.pid")); err == nil {
		if pid, err := strconv.Atoi(string(trimNL(b))); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	_ = os.RemoveAll(w.dir)
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

func BenchmarkRunRm(b *testing.B) {
	w := newWorld(b)
	w.run("run", "--rm", image, "true")
	for b.Loop() {
		w.run("run", "--rm", image, "true")
	}
}

func BenchmarkImages(b *testing.B) {
	w := newWorld(b)
	for b.Loop() {
		w.run("images")
	}
}

func BenchmarkPsAll100(b *testing.B) {
	w := newWorld(b)
	for i := 0; i < 100; i++ {
		w.run("run", "--name", "exited"+strconv.Itoa(i), image, "true")
	}
	for b.Loop() {
		w.run("ps", "-a")
	}
}

func BenchmarkVersion(b *testing.B) {
	w := newWorld(b)
	for b.Loop() {
		w.run("version")
	}
}
