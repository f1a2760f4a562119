package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testImage is the reference the busybox test image is imported as.
const testImage = "localhost/e2e/busybox:latest"

const (
	etcPasswd = "root:x:0:0:root:/root:/bin/sh\n" +
		"user:x:1000:1000::/home/user:/bin/sh\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	etcGroup = "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n"
)

var rootfsTar struct {
	once sync.Once
	path string
	err  error
}

// busyboxTar returns the path of a tar of a minimal rootfs: the host's
// static busybox with its applet links, /etc/passwd with root and a
// uid-1000 user, /etc/group, /tmp (1777) and /home/user. It is made once
// and shared by every test.
func busyboxTar() (string, error) {
	rootfsTar.once.Do(func() {
		b, err := makeRootfsTar()
		if err != nil {
			rootfsTar.err = err
			return
		}
		p := filepath.Join(suite.base, "busybox-rootfs.tar")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			rootfsTar.err = err
			return
		}
		rootfsTar.path = p
	})
	return rootfsTar.path, rootfsTar.err
}

func makeRootfsTar() ([]byte, error) {
	bin, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return nil, fmt.Errorf("reading /bin/busybox (install busybox-static): %w", err)
	}
	list, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(1700000000, 0)
	dir := func(name string, mode int64, uid int) {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: uid, ModTime: mtime})
	}
	file := func(name string, mode int64, data []byte) {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime})
		_, _ = tw.Write(data)
	}
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "home", "usr", "usr/bin", "var"} {
		dir(d, 0o755, 0)
	}
	dir("root", 0o700, 0)
	dir("tmp", 0o1777, 0)
	dir("home/user", 0o755, 1000)
	file("bin/busybox", 0o755, bin)
	for _, applet := range strings.Fields(string(list)) {
		if applet == "busybox" || strings.Contains(applet, "/") {
			continue
		}
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + applet, Linkname: "busybox", Mode: 0o777, ModTime: mtime})
	}
	file("etc/passwd", 0o644, []byte(etcPasswd))
	file("etc/group", 0o644, []byte(etcGroup))
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// importImage imports the busybox rootfs as ref with extra import flags
// (--change, --message) and returns pod's output (the image ID).
func (e *env) importImage(ref string, flags ...string) string {
	e.t.Helper()
	tarPath, err := busyboxTar()
	if err != nil {
		e.t.Fatal(err)
	}
	args := append([]string{"import"}, flags...)
	args = append(args, tarPath, ref)
	id := strings.TrimSpace(e.ok(args...))
	if !longID.MatchString(id) {
		e.t.Fatalf("pod %s printed %q, want the image ID sha256:<64 hex>", strings.Join(args, " "), id)
	}
	return id
}

// withImage makes a fresh env with the busybox image imported as testImage.
func withImage(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.importImage(testImage)
	return e
}
