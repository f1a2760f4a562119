package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// inner is pod as called inside pod unshare, with the test's store.
func (e *env) inner(args ...string) string {
	return suite.pod + " --root " + e.root + " --runroot " + e.runroot + " " + strings.Join(args, " ")
}

// TestMountUmount: rootless, pod mount works inside pod unshare only; the
// user's mount outlives the container's run and is not taken for debris
// by system check; umount undoes it, -a all of them.
func TestMountUmount(t *testing.T) {
	e := withImage(t)
	e.ok("create", "--name", "c", testImage, "cat", "/hello")
	e.ok("create", "--name", "d", testImage, "true")
	expectError(t, e.pod("mount", "c"), 125, "must execute `pod unshare` first")
	expectError(t, e.pod("umount", "c"), 125, "must execute `pod unshare` first")
	// pod unshare execs the inner pod itself (no shell between): it is
	// inside too.
	direct := append([]string{"unshare", "--"}, strings.Fields(e.inner("mount", "d"))...)
	if r := e.pod(direct...); r.code != 0 || !strings.HasSuffix(r.stdout, "/merged\n") {
		t.Fatalf("pod unshare pod mount, no shell between:\n%s", r)
	}
	e.ok(append([]string{"unshare", "--"}, strings.Fields(e.inner("umount", "d"))...)...)

	script := "set -e; d=$(" + e.inner("mount", "c") + "); echo hi > $d/hello; " + e.inner("mount", "d") + " >/dev/null; " + e.inner("mount")
	out := e.ok("unshare", "sh", "-c", script)
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "c"))
	if !strings.Contains(out, id[:12]+" ") || !strings.Contains(out, "/merged") || len(lines(out)) != 2 {
		t.Fatalf("pod mount's list:\n%s", out)
	}
	expect(t, e.pod("system", "check"), 0, "No problems found\n")
	// The container runs with the file written through the mount, and
	// its root filesystem stays mounted for the user after it ends.
	expect(t, e.pod("start", "-a", "c"), 0, "hi\n")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(e.ok("unshare", "sh", "-c", e.inner("mount", "--format", "json"))), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("pod mount --format json: %v %v", rows, err)
	}
	expect(t, e.pod("system", "check"), 0, "No problems found\n")

	expect(t, e.pod("unshare", "sh", "-c", e.inner("umount", "c")+" && "+e.inner("mount", "--no-trunc")), 0,
		id+"\n"+strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "d"))+" "+e.layerMerged("d")+"\n")
	expect(t, e.pod("unshare", "sh", "-c", e.inner("umount", "-a")+" >/dev/null && "+e.inner("mount")), 0, "")
	expectError(t, e.pod("unshare", "sh", "-c", e.inner("mount", "nosuch")), 125, "nosuch")
	e.ok("rm", "c", "d")
	e.expectClean()
}

// layerMerged is where pod mount mounts container name's root filesystem.
func (e *env) layerMerged(name string) string {
	e.t.Helper()
	out := e.ok("unshare", "sh", "-c", e.inner("mount", "--no-trunc"))
	for _, l := range lines(out) {
		id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", name))
		if f := strings.Fields(l); len(f) == 2 && f[0] == id {
			return f[1]
		}
	}
	e.t.Fatalf("%s is not in pod mount's list:\n%s", name, out)
	return ""
}

// TestVolumeMount: pod volume mount prints a volume's data directory (a
// tmpfs volume's, mounted, inside pod unshare only); unmount drops a tmpfs
// volume's content unless a running container uses it.
func TestVolumeMount(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "plain")
	expect(t, e.pod("volume", "mount", "plain"), 0, e.volumeData("plain")+"\n")
	expect(t, e.pod("volume", "unmount", "plain"), 0, "plain\n")
	expectError(t, e.pod("volume", "mount", "nosuch"), 125, "no such volume")

	e.ok("volume", "create", "--opt", "type=tmpfs", "--opt", "o=size=1m", "mem")
	expectError(t, e.pod("volume", "mount", "mem"), 125, "pod unshare")
	script := "set -e; d=$(" + e.inner("volume", "mount", "mem") + "); echo kept > $d/f; grep -q \" $d tmpfs \" /proc/self/mounts; echo mounted"
	expect(t, e.pod("unshare", "sh", "-c", script), 0, "mounted\n")
	expect(t, e.pod("run", "--rm", "-v", "mem:/m", testImage, "cat", "/m/f"), 0, "kept\n")
	e.ok("run", "-d", "--name", "user", "-v", "mem:/m", testImage, "sleep", "1000")
	expectError(t, e.pod("unshare", "sh", "-c", e.inner("volume", "unmount", "mem")), 125, "used by running container user")
	e.ok("rm", "-f", "user")
	expect(t, e.pod("unshare", "sh", "-c", e.inner("volume", "unmount", "mem")), 0, "mem\n")
	expect(t, e.pod("run", "--rm", "-v", "mem:/m", testImage, "ls", "/m"), 0, "")
	e.expectClean()
}
