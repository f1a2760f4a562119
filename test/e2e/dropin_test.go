package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// compatLink makes DIR/name, a link to the pod under test, and returns it.
func (e *env) compatLink(name string) string {
	e.t.Helper()
	dir := filepath.Join(e.dir, "compat")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	link := filepath.Join(dir, name)
	if err := os.Symlink(suite.pod, link); err != nil && !os.IsExist(err) {
		e.t.Fatal(err)
	}
	return link
}

// TestDropInName: called through a link named podman or docker, pod names
// itself so in --version, usage lines, the fixes its errors suggest and
// the containers' $container; podman's "pod" group is pod's pods.
func TestDropInName(t *testing.T) {
	e := withImage(t)
	e.bin = e.compatLink("podman")
	if got := e.ok("--version"); !strings.HasPrefix(got, "podman version ") {
		t.Fatalf("podman --version: %q", got)
	}
	if help := e.ok("run", "--help"); !strings.Contains(help, "Usage:\n  podman run") {
		t.Fatalf("podman run --help:\n%s", help)
	}
	expectError(t, e.pod("rm", "nosuch"), 1, "(podman ps -a lists containers)")
	e.ok("pod", "create", "--name", "p")
	if help := e.ok("pod", "--help"); !strings.Contains(help, "podman pod [command]") {
		t.Fatalf("podman pod --help:\n%s", help)
	}
	e.ok("run", "-d", "--pod", "p", "--name", "c", testImage, "sleep", "1000")
	expectError(t, e.pod("rm", "-f", strings.TrimSpace(e.ok("pod", "inspect", "--format", "{{.InfraContainerID}}", "p"))), 125, "(podman pod rm p)")
	expect(t, e.pod("run", "--rm", testImage, "sh", "-c", "echo $container"), 0, "podman\n")
	e.ok("pod", "rm", "-f", "-t", "0", "p")
	e.bin = e.compatLink("docker")
	if got := e.ok("--version"); !strings.HasPrefix(got, "docker version ") {
		t.Fatalf("docker --version: %q", got)
	}
	expect(t, e.pod("run", "--rm", testImage, "sh", "-c", "echo $container"), 0, "docker\n")
}

// TestInstallCompat: make install-compat's script links podman and docker
// to pod in the directory given, never over a file there, and never ahead
// of a real podman on PATH unless FORCE=1.
func TestInstallCompat(t *testing.T) {
	dir := t.TempDir()
	script, err := filepath.Abs("../../hack/install-compat.sh")
	if err != nil {
		t.Fatal(err)
	}
	realDir, links := filepath.Join(dir, "real"), filepath.Join(dir, "links")
	for _, d := range []string{realDir, links} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(realDir, "podman"), []byte("#!/bin/sh\necho real\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(path string, extra ...string) (string, error) {
		cmd := exec.Command("bash", script, links, suite.pod)
		cmd.Env = append([]string{"PATH=" + path}, extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	sys := "/usr/sbin:/usr/bin:/sbin:/bin"
	// links first on PATH, the real podman after: podman is not linked.
	out, err := run(links + ":" + realDir + ":" + sys)
	if err == nil || !strings.Contains(out, "would hide the real podman") {
		t.Fatalf("a link ahead of the real podman:\n%s(err %v)", out, err)
	}
	if _, err := os.Lstat(filepath.Join(links, "podman")); err == nil {
		t.Fatal("the podman link was made ahead of the real podman")
	}
	if target, err := os.Readlink(filepath.Join(links, "docker")); err != nil || target != suite.pod {
		t.Fatalf("docker link: %q %v\n%s", target, err, out)
	}
	// The real one first: the link goes after it.
	if out, err := run(realDir + ":" + links + ":" + sys); err != nil || !strings.Contains(out, links+"/podman -> ") {
		t.Fatalf("a link after the real podman:\n%s(err %v)", out, err)
	}
	// Never over a file that is not pod.
	if err := os.Remove(filepath.Join(links, "podman")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(links, "podman"), []byte("mine"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := run(sys, "FORCE=1"); err == nil || !strings.Contains(out, "exists and is not pod") {
		t.Fatalf("over an existing file:\n%s(err %v)", out, err)
	}
	if b, _ := os.ReadFile(filepath.Join(links, "podman")); string(b) != "mine" {
		t.Fatal("the existing file was replaced")
	}
}
