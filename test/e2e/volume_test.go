package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestVolumeCommands(t *testing.T) {
	e := newEnv(t)
	expect(t, e.pod("volume", "create", "data"), 0, "data\n")
	expect(t, e.pod("volume", "create", "--label", "env=prod", "--label", "keep", "labelled"), 0, "labelled\n")
	random := strings.TrimSpace(e.ok("volume", "create"))
	if !regexpHex64.MatchString(random) {
		t.Fatalf("volume create without a name printed %q, want 64 hex digits", random)
	}
	expectError(t, e.pod("volume", "create", "data"), 125, "data", "already exists")
	expect(t, e.pod("volume", "create", "--ignore", "data"), 0, "data\n")

	expect(t, e.pod("volume", "ls"), 0, "DRIVER   VOLUME NAME\n"+
		strings.Join(sortedLines("local    "+random, "local    data", "local    labelled"), "\n")+"\n")
	expect(t, e.pod("volume", "ls", "--filter", "label=env=prod", "-q"), 0, "labelled\n")
	expect(t, e.pod("volume", "ls", "--filter", "label!=keep", "--filter", "name=dat", "-q"), 0, "data\n")
	expect(t, e.pod("volume", "ls", "--format", "{{.Name}}:{{.Driver}}", "--filter", "name=data"), 0, "data:local\n")
	expect(t, e.pod("volume", "ls", "-q", "--filter", "name=^d.t.$"), 0, "data\n")
	expect(t, e.pod("volume", "ls", "-q", "--filter", "dangling=false"), 0, "")
	expectError(t, e.pod("volume", "ls", "--filter", "bogus=1"), 125, "bogus")

	var got []struct {
		Name, Driver, Mountpoint, Scope string
		CreatedAt                       time.Time
		Labels, Options                 map[string]string
	}
	out := e.ok("volume", "inspect", "labelled", "data")
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Fatalf("volume inspect: %v\n%s", err, out)
	}
	v := got[0]
	if v.Name != "labelled" || v.Driver != "local" || v.Scope != "local" || v.Mountpoint != e.volumeData("labelled") ||
		v.Labels["env"] != "prod" || time.Since(v.CreatedAt) > 10*time.Minute || v.Options == nil {
		t.Fatalf("volume inspect labelled:\n%s", out)
	}
	if fi, err := os.Stat(v.Mountpoint); err != nil || !fi.IsDir() {
		t.Fatalf("the mountpoint %s is not a directory on the host: %v", v.Mountpoint, err)
	}
	expect(t, e.pod("volume", "inspect", "--format", "{{.Name}} {{.Mountpoint}}", "data"), 0, "data "+e.volumeData("data")+"\n")
	if n := strings.Count(e.ok("volume", "inspect", "--all"), `"Name"`); n != 3 {
		t.Fatalf("volume inspect --all showed %d volumes, want 3", n)
	}
	r := e.pod("volume", "inspect", "data", "nosuch")
	if r.code != 125 || !strings.Contains(r.stdout, `"data"`) || !strings.Contains(r.stderr, "nosuch") {
		t.Fatalf("inspect of one missing volume:\n%s", r)
	}

	expect(t, e.pod("volume", "exists", "data"), 0, "")
	expect(t, e.pod("volume", "exists", "nosuch"), 1, "")

	expect(t, e.pod("volume", "rm", "data", random), 0, "data\n"+random+"\n")
	expectError(t, e.pod("volume", "rm", "data"), 125, "no such volume", "data")
	expect(t, e.pod("volume", "rm", "-f", "data"), 0, "")
	e.expectVolumes("labelled")
	if _, err := os.Stat(filepath.Join(e.volumesDir(), "data")); !os.IsNotExist(err) {
		t.Fatalf("the removed volume's directory is still there: %v", err)
	}

	// prune: only volumes no container uses, and only those the filters pass.
	e.importImage(testImage)
	e.ok("volume", "create", "used")
	e.ok("volume", "create", "--label", "tmp=1", "scratch")
	e.ok("run", "--name", "user", "-v", "used:/d", testImage, "true")
	expect(t, e.pod("volume", "prune", "-f", "--filter", "label=tmp"), 0, "scratch\n")
	expect(t, e.podStdin(strings.NewReader("n\n"), "volume", "prune"), 0,
		"WARNING! This will remove all volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ")
	e.expectVolumes("labelled", "used")
	expect(t, e.pod("volume", "prune", "-f"), 0, "labelled\n")
	e.expectVolumes("used")
	expect(t, e.pod("volume", "ls", "-q", "--filter", "dangling=false"), 0, "used\n")
	expect(t, e.pod("volume", "rm", "--all", "-f"), 0, "used\n")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

// TestVolumeDataSurvives: data written in one container is read in the
// next, and outlives rm, rm -f and --rm; ro refuses writes.
func TestVolumeDataSurvives(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "data")
	expect(t, e.pod("run", "--rm", "-v", "data:/var/lib/app", testImage, "sh", "-c", "echo 1 > /var/lib/app/x"), 0, "")
	expect(t, e.pod("run", "--rm", "-v", "data:/var/lib/app:ro", testImage, "cat", "/var/lib/app/x"), 0, "1\n")
	r := e.pod("run", "--rm", "-v", "data:/var/lib/app:ro", testImage, "touch", "/var/lib/app/y")
	if r.code != 1 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Fatalf("a write to a ro volume:\n%s", r)
	}
	r = e.pod("run", "--rm", "--mount", "type=volume,src=data,dst=/d,ro", testImage, "sh", "-c", "ls /d; touch /d/y")
	if r.code != 1 || r.stdout != "x\n" || !strings.Contains(r.stderr, "Read-only file system") {
		t.Fatalf("--mount ro:\n%s", r)
	}

	// Created on first use; kept by rm and rm -f of its container.
	e.ok("run", "--name", "w1", "-v", "auto:/d", testImage, "sh", "-c", "echo 2 > /d/y")
	e.ok("rm", "w1")
	s := e.startPiped("run", "--name", "w2", "-v", "auto:/d", testImage, "sh", "-c", "echo 3 >> /d/y; echo up; exec sleep 1000")
	if !s.waitFor(60*time.Second, "up\n") {
		t.Fatalf("w2 did not start: %q %q", s.stdout.String(), s.stderr.String())
	}
	if !eventually(30*time.Second, func() bool { return strings.HasPrefix(e.ok("ps", "--format", "{{.Names}} {{.Status}}"), "w2 Up") }) {
		t.Fatal("w2 is not shown running")
	}
	// A volume a running container uses is never removed, even with -f.
	expectError(t, e.pod("volume", "rm", "-f", "auto"), 125, "auto", "w2", "running")
	expectError(t, e.pod("volume", "rm", "auto"), 125, "auto", "w2")
	e.ok("rm", "-f", "w2")
	s.wait(60 * time.Second)
	e.ok("rm", "-v", "--all")
	e.expectVolumes("auto", "data")
	expect(t, e.pod("run", "--rm", "-v", "auto:/d", testImage, "cat", "/d/y"), 0, "2\n3\n")
	if b := readFile(t, filepath.Join(e.volumeData("auto"), "y")); b != "2\n3\n" {
		t.Fatalf("the host sees %q in the volume", b)
	}

	// A volume used by a stopped container: rm names it, rm -f removes both.
	e.ok("run", "--name", "holder", "-v", "data:/d", testImage, "true")
	expectError(t, e.pod("volume", "rm", "data"), 125, "data", "holder")
	e.expectVolumes("auto", "data")
	expect(t, e.pod("volume", "rm", "-f", "data"), 0, "data\n")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectVolumes("auto")
}

// TestVolumeCopyUp: a new or empty volume gets the image's content at its
// destination, with owners and modes; symlinks stay links, and a symlink
// in the image never leads the copy out of the image.
func TestVolumeCopyUp(t *testing.T) {
	e := withVolumeImage(t)
	subuid, subgid := e.subIDs()
	expect(t, e.pod("run", "--rm", "-v", "app:/srv/app", volImage, "sh", "-c", "cat /srv/app/config; stat -c '%a %u:%g %n' /srv/app /srv/app/config /srv/app/sub"),
		0, "image\n750 1000:1000 /srv/app\n640 1000:1000 /srv/app/config\n700 1000:1000 /srv/app/sub\n")
	d := e.volumeData("app")
	for _, p := range []string{d, filepath.Join(d, "config"), filepath.Join(d, "sub")} {
		if u, g := owner(t, p); u != subuid+999 || g != subgid+999 {
			t.Errorf("%s: host owner %d:%d, want %d:%d", p, u, g, subuid+999, subgid+999)
		}
	}
	if fi, err := os.Lstat(filepath.Join(d, "shadow")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the image's symlink was not copied as a symlink: %v %v", fi, err)
	}
	// Not copied again into a volume with content.
	e.ok("run", "--rm", "-v", "app:/srv/app", volImage, "sh", "-c", "rm /srv/app/config; echo mine > /srv/app/own")
	expect(t, e.pod("run", "--rm", "-v", "app:/srv/app", volImage, "ls", "/srv/app"), 0, "own\nshadow\nsub\n")
	// nocopy leaves a new volume empty.
	expect(t, e.pod("run", "--rm", "-v", "empty:/srv/app:nocopy", volImage, "ls", "-A", "/srv/app"), 0, "")
	// A symlink out of the root resolves inside the image: /escape is /etc.
	expect(t, e.pod("run", "--rm", "-v", "esc:/escape", volImage, "ls", "/escape"), 0, "group\npasswd\n")
	if got := sorted(dirEntries(e.volumeData("esc"), false)); got != sorted([]string{"group", "passwd"}) {
		t.Fatalf("copy-up through an escaping symlink copied %s", got)
	}
	// The image's VOLUME is an anonymous volume, also copied up.
	e.ok("run", "--name", "anon", "-v", "/srv/app", volImage, "true")
	var mounts []struct{ Name, Source, Destination string }
	out := e.ok("inspect", "--format", "{{json .Mounts}}", "anon")
	if err := json.Unmarshal([]byte(out), &mounts); err != nil || len(mounts) != 2 {
		t.Fatalf("mounts of anon: %v\n%s", err, out)
	}
	for _, m := range mounts {
		if m.Destination == "/srv/app" && !fileExists(filepath.Join(m.Source, "config")) {
			t.Errorf("anonymous volume %s on /srv/app got no copy-up", m.Name)
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// TestVolumeOwnership: root in the container is the user on the host,
// uid 1000 the mapped subuid; :U and --uid/--gid make a volume usable by a
// non-root container user.
func TestVolumeOwnership(t *testing.T) {
	e := withImage(t)
	subuid, subgid := e.subIDs()
	e.ok("run", "--rm", "-v", "own:/d", testImage, "sh", "-c", "touch /d/root && mkdir /d/u && chown 1000:1000 /d/u")
	e.ok("run", "--rm", "-u", "1000:1000", "-v", "own:/d", testImage, "touch", "/d/u/user")
	for _, c := range []struct {
		path     string
		uid, gid int
	}{
		{"root", e.user.uid, e.user.gid},
		{"u", subuid + 999, subgid + 999},
		{"u/user", subuid + 999, subgid + 999},
	} {
		if u, g := owner(t, filepath.Join(e.volumeData("own"), c.path)); u != c.uid || g != c.gid {
			t.Errorf("%s: host owner %d:%d, want %d:%d", c.path, u, g, c.uid, c.gid)
		}
	}
	// Without :U a uid-1000 container cannot write the root-owned volume.
	r := e.pod("run", "--rm", "-u", "1000", "-v", "pg:/var/lib/pg", testImage, "touch", "/var/lib/pg/f")
	if r.code == 0 || !strings.Contains(r.stderr, "Permission denied") {
		t.Fatalf("uid 1000 wrote a root-owned volume:\n%s", r)
	}
	expect(t, e.pod("run", "--rm", "-u", "1000", "-v", "pg:/var/lib/pg:U", testImage, "sh", "-c", "touch /var/lib/pg/f && stat -c '%u:%g' /var/lib/pg /var/lib/pg/f"), 0, "1000:1000\n1000:1000\n")
	if u, g := owner(t, e.volumeData("pg")); u != subuid+999 || g != subgid+999 {
		t.Errorf(":U: host owner %d:%d, want %d:%d", u, g, subuid+999, subgid+999)
	}
	e.ok("volume", "create", "--uid", "1000", "--gid", "1000", "preowned")
	expect(t, e.pod("run", "--rm", "-u", "1000", "-v", "preowned:/d", testImage, "sh", "-c", "touch /d/f && echo ok"), 0, "ok\n")
	// pod unshare lets the user fix ownership by hand.
	e.ok("unshare", "chown", "-R", "0:0", e.volumeData("pg"))
	if u, _ := owner(t, filepath.Join(e.volumeData("pg"), "f")); u != e.user.uid {
		t.Errorf("after pod unshare chown: owner %d, want %d", u, e.user.uid)
	}
}

// TestAnonymousVolumes: -v DST and image VOLUMEs make anonymous volumes,
// removed by rm -v and run --rm, kept by plain rm; named ones are never
// removed implicitly.
func TestAnonymousVolumes(t *testing.T) {
	e := withVolumeImage(t)
	e.ok("run", "--rm", "-v", "/scratch", "-v", "named:/n", testImage, "touch", "/scratch/x", "/n/x")
	e.expectVolumes("named")
	e.ok("run", "--rm", volImage, "touch", "/anon/x")
	e.expectVolumes("named")

	e.ok("run", "--name", "keep", "-v", "/scratch", testImage, "touch", "/scratch/x")
	if n := len(e.volumeNames()); n != 2 {
		t.Fatalf("after run -v /scratch: %d volumes, want 2", n)
	}
	anon := strings.TrimSpace(e.ok("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", "keep"))
	if !regexpHex64.MatchString(anon) || !fileExists(filepath.Join(e.volumeData(anon), "x")) {
		t.Fatalf("anonymous volume of keep: %q", anon)
	}
	e.ok("rm", "keep")
	e.expectVolumes("named", anon)
	e.ok("volume", "rm", anon)

	e.ok("run", "--name", "gone", "-v", "/scratch", "-v", "named:/n", volImage, "true")
	if n := len(e.volumeNames()); n != 3 {
		t.Fatalf("after run with -v /scratch and a VOLUME: %d volumes, want 3", n)
	}
	e.ok("rm", "-v", "gone")
	e.expectVolumes("named")
}

// TestVolumeInspectMounts: inspect of a container lists its mounts.
func TestVolumeInspectMounts(t *testing.T) {
	e := withImage(t)
	host := filepath.Join(e.dir, "hostdir")
	if err := os.Mkdir(host, 0o755); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "--name", "m", "-v", "data:/d:ro", "-v", host+":/h", "--tmpfs", "/t", testImage, "true")
	var got []struct {
		Mounts []struct {
			Type, Name, Source, Destination, Driver, Mode, Propagation string
			RW                                                         bool
		}
	}
	out := e.ok("inspect", "m")
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || len(got[0].Mounts) != 3 {
		t.Fatalf("inspect m: %v\n%s", err, out)
	}
	want := []string{
		"volume data " + e.volumeData("data") + " /d local ro false ",
		"bind  " + host + " /h   true rprivate",
		"tmpfs   /t   true ",
	}
	for i, m := range got[0].Mounts {
		s := strings.Join([]string{m.Type, m.Name, m.Source, m.Destination, m.Driver, m.Mode, fmt.Sprint(m.RW), m.Propagation}, " ")
		if s != want[i] {
			t.Errorf("mount %d: %q, want %q", i, s, want[i])
		}
	}
}

// TestVolumeBindMounts: host directories, read-only or not; a missing
// source is created for -v and refused for --mount; --volumes-from.
func TestVolumeBindMounts(t *testing.T) {
	e := withImage(t)
	src := filepath.Join(e.dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expect(t, e.pod("run", "--rm", "-v", src+":/src:ro", "-w", "/src", testImage, "ls"), 0, "main.go\n")
	expect(t, e.pod("run", "--rm", "-v", "./src:/src", testImage, "cat", "/src/main.go"), 0, "package main\n")
	r := e.pod("run", "--rm", "-v", src+":/src:ro", testImage, "touch", "/src/x")
	if r.code != 1 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Fatalf("a write to a ro bind mount:\n%s", r)
	}
	missing := filepath.Join(e.dir, "missing")
	expectError(t, e.pod("run", "--rm", "--mount", "type=bind,src="+missing+",dst=/m", testImage, "true"), 125, missing, "does not exist")
	if fileExists(missing) {
		t.Fatal("--mount created its missing source")
	}
	expect(t, e.pod("run", "--rm", "-v", missing+":/m", testImage, "sh", "-c", "echo made > /m/f"), 0, "")
	if b := readFile(t, filepath.Join(missing, "f")); b != "made\n" {
		t.Fatalf("-v did not create and use its missing source: %q", b)
	}
	// A writable bind: the user owns what container root writes.
	own := e.dir + "/own"
	if err := os.Mkdir(own, 0o755); err != nil {
		t.Fatal(err)
	}
	e.chown(own)
	e.ok("run", "--rm", "--mount", "type=bind,source="+own+",target=/o", testImage, "touch", "/o/f")
	if u, _ := owner(t, filepath.Join(own, "f")); u != e.user.uid {
		t.Fatalf("file written in a bind mount: owner %d, want %d", u, e.user.uid)
	}

	e.ok("run", "--name", "src", "-v", "shared:/shared", "-v", src+":/code", testImage, "sh", "-c", "echo s > /shared/f")
	expect(t, e.pod("run", "--rm", "--volumes-from", "src", testImage, "cat", "/shared/f", "/code/main.go"), 0, "s\npackage main\n")
	r = e.pod("run", "--rm", "--volumes-from", "src:ro", testImage, "touch", "/shared/g")
	if r.code != 1 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Fatalf("--volumes-from src:ro allowed a write:\n%s", r)
	}
	expectError(t, e.pod("run", "--rm", "--volumes-from", "nosuch", testImage, "true"), 125, "nosuch")
}

func TestVolumeTmpfs(t *testing.T) {
	e := withImage(t)
	out := e.ok("run", "--rm", "--tmpfs", "/scratch:size=64m", testImage, "df", "-k", "/scratch")
	if f := strings.Fields(lastLine(out)); len(f) < 2 || f[0] != "tmpfs" || f[1] != "65536" {
		t.Fatalf("--tmpfs /scratch:size=64m: df says\n%s", out)
	}
	out = e.ok("run", "--rm", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700", testImage, "sh", "-c", "df -k /t; stat -c %a /t")
	if ls := lines(out); len(ls) < 2 || strings.Fields(ls[len(ls)-2])[1] != "1024" || ls[len(ls)-1] != "700" {
		t.Fatalf("--mount type=tmpfs: \n%s", out)
	}
	expect(t, e.pod("run", "--rm", "--tmpfs", "/dev/shm:size=2m", testImage, "sh", "-c", "df -k /dev/shm | tail -n 1 | awk '{print $2}'"), 0, "2048\n")
	expectError(t, e.pod("run", "--rm", "--tmpfs", "relative", testImage, "true"), 125, "relative")
	// A tmpfs volume (the local driver's type=tmpfs) keeps its content
	// between containers, in pod's namespace.
	e.ok("volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", "o=size=4m", "mem")
	e.ok("run", "--rm", "-v", "mem:/m", testImage, "sh", "-c", "echo kept > /m/f")
	expect(t, e.pod("run", "--rm", "-v", "mem:/m", testImage, "sh", "-c", "cat /m/f; df -k /m | tail -n 1 | awk '{print $2}'"), 0, "kept\n4096\n")
	expectError(t, e.pod("volume", "create", "--opt", "type=ext4", "--opt", "device=/dev/sda", "bad"), 125, "type=ext4")
}

func lastLine(s string) string {
	ls := lines(s)
	if len(ls) == 0 {
		return ""
	}
	return ls[len(ls)-1]
}

func TestVolumeExportImport(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--rm", "-v", "data:/d", testImage, "sh", "-c",
		"mkdir -p /d/a/b && echo deep > /d/a/b/c && echo top > /d/top && ln -s a/b/c /d/link && chown -R 1000:1000 /d/a && chmod 600 /d/top")
	r := e.pod("volume", "export", "data")
	if r.code != 0 || len(r.stdout) < 1024 {
		t.Fatalf("volume export:\n%s", r)
	}
	tarPath := e.writeFile("data.tar", r.stdout)
	expect(t, e.pod("volume", "import", "data2", tarPath), 0, "")
	check := "cat /d/a/b/c /d/link /d/top; stat -c '%a %u %n' /d/top /d/a/b/c; readlink /d/link"
	want := "deep\ndeep\ntop\n600 0 /d/top\n644 1000 /d/a/b/c\na/b/c\n"
	expect(t, e.pod("run", "--rm", "-v", "data2:/d", testImage, "sh", "-c", check), 0, want)
	// Through -o and from standard input.
	out := filepath.Join(e.dir, "out.tar")
	expect(t, e.pod("volume", "export", "-o", out, "data"), 0, "")
	e.chown(out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, e.podStdin(bytes.NewReader(b), "volume", "import", "data3", "-"), 0, "")
	expect(t, e.pod("run", "--rm", "-v", "data3:/d", testImage, "sh", "-c", check), 0, want)
	expectError(t, e.pod("volume", "export", "nosuch"), 125, "nosuch")
	expectError(t, e.pod("volume", "import", "data3", filepath.Join(e.dir, "nosuch.tar")), 125, "nosuch.tar")
}

// TestVolumeUnsafeArchives: import refuses absolute paths, "..", and
// paths through symlinks, writes nothing, and exits 125.
func TestVolumeUnsafeArchives(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "target")
	for name, entries := range map[string][][2]string{
		"absolute":       {{"ok", "1"}, {e.dir + "/evil", "x"}},
		"dotdot":         {{"ok", "1"}, {"../../../evil", "x"}},
		"inner dotdot":   {{"a/../../../../evil", "x"}},
		"hard link out":  {{"h", "=>../../../evil"}},
		"through a link": {{"l", "->" + e.dir}, {"l/evil", "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := e.writeFile("bad.tar", string(tarOf(t, entries)))
			expectError(t, e.pod("volume", "import", "target", p), 125, "unsafe archive entry")
			expectError(t, e.podStdin(bytes.NewReader(tarOf(t, entries)), "volume", "import", "fresh", "-"), 125, "unsafe")
			if fileExists(filepath.Join(e.dir, "evil")) || fileExists(filepath.Join(e.volumesDir(), "evil")) {
				t.Fatal("a file was written outside the volume")
			}
			if got := dirEntries(e.volumeData("target"), false); len(got) != 0 {
				t.Fatalf("part of a refused archive was written: %v", got)
			}
		})
	}
	e.expectVolumes("target")
}

// TestVolumeBadNames: every bad name is refused with 125 by every command
// and nothing is removed.
func TestVolumeBadNames(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "canary")
	canaryDir := filepath.Join(e.dir, "canary")
	if err := os.Mkdir(canaryDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.chown(canaryDir)
	tarPath := e.writeFile("ok.tar", string(tarOf(t, [][2]string{{"f", "x"}})))
	for _, name := range []string{"..", "../canary", "../../" + filepath.Base(e.dir), "a/b", ".hidden", "_x", "a b", "x/../canary", "/abs", "canary/..", "é"} {
		for _, args := range [][]string{
			{"volume", "create", name},
			{"volume", "inspect", name},
			{"volume", "rm", name},
			{"volume", "rm", "-f", name},
			{"volume", "exists", name},
			{"volume", "export", name},
			{"volume", "import", name, tarPath},
			{"run", "--rm", "--mount", "type=volume,src=" + name + ",dst=/d", testImage, "true"},
		} {
			expectError(t, e.pod(args...), 125)
		}
		if !strings.HasPrefix(name, "/") && !strings.HasPrefix(name, ".") {
			expectError(t, e.pod("run", "--rm", "-v", name+":/d", testImage, "true"), 125)
		}
	}
	e.expectVolumes("canary")
	if !fileExists(canaryDir) || !fileExists(e.volumeData("canary")) {
		t.Fatal("a bad name removed something")
	}
	for _, v := range []string{"data:rel", "data:/", "data:/d:bogus", "/h:/d:nocopy", "a:b:c:d"} {
		expectError(t, e.pod("run", "--rm", "-v", v, testImage, "true"), 125)
	}
	for _, v := range []string{"type=nfs,dst=/d", "type=bind,dst=/d", "dst=/d,bogus=1"} {
		expectError(t, e.pod("run", "--rm", "--mount", v, testImage, "true"), 125)
	}
	expectError(t, e.pod("run", "--rm", "-v", "a:/d", "-v", "b:/d", testImage, "true"), 125, "duplicate")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

// TestVolumeParallelCreate: parallel runs naming one new volume end with
// one volume and no error.
func TestVolumeParallelCreate(t *testing.T) {
	e := withVolumeImage(t)
	const n = 6
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.pod("run", "--rm", "-v", "same:/srv/app", volImage, "sh", "-c", fmt.Sprintf("echo %d > /srv/app/f%d; cat /srv/app/config", i, i))
		}()
	}
	wg.Wait()
	for _, r := range results {
		expect(t, r, 0, "image\n")
	}
	e.expectVolumes("same")
	if got := len(dirEntries(e.volumeData("same"), false)); got != n+3 {
		t.Fatalf("the volume holds %d entries, want %d (config, shadow, sub and one file per run)", got, n+3)
	}
}

// TestVolumeDetached: the database case, a detached container
// with a volume created on first use and owned by its user, removed with
// rm -f while the data stays.
func TestVolumeDetached(t *testing.T) {
	e := withImage(t)
	subuid, _ := e.subIDs()
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "db", "-u", "1000", "-v", "pgdata:/var/lib/db:U", testImage,
		"sh", "-c", "echo row > /var/lib/db/table; exec sleep 1000"))
	if !regexpHex64.MatchString(id) {
		t.Fatalf("run -d printed %q", id)
	}
	f := filepath.Join(e.volumeData("pgdata"), "table")
	if !eventually(30*time.Second, func() bool { return fileExists(f) }) {
		t.Fatal("the detached container wrote nothing into its volume")
	}
	expectError(t, e.pod("volume", "rm", "-f", "pgdata"), 125, "db", "running")
	e.ok("rm", "-f", "db")
	e.expectVolumes("pgdata")
	if b := readFile(t, f); b != "row\n" {
		t.Fatalf("data after rm -f: %q", b)
	}
	if u, _ := owner(t, f); u != subuid+999 {
		t.Fatalf("owner %d, want %d (container uid 1000)", u, subuid+999)
	}
}
