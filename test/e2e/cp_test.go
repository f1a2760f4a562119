package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tarNames lists the entry names of a tar archive (with "/" for
// directories), sorted.
func tarNames(t *testing.T, data string) []string {
	t.Helper()
	tr := tar.NewReader(strings.NewReader(data))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		names = append(names, h.Name)
	}
	sort.Strings(names)
	return names
}

// mkdirUser makes a directory the test user owns under the test's dir.
func (e *env) mkdirUser(name string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		e.t.Fatal(err)
	}
	e.chown(p)
	return p
}

func TestCpFromContainer(t *testing.T) {
	e := withImage(t)
	e.runningContainer("src")
	e.ok("exec", "src", "sh", "-c", "mkdir -p /data/sub && echo one > /data/one && echo two > /data/sub/two && "+
		"chown 1000:1000 /data/one && ln -s /etc/passwd /data/pwlink")
	out := e.mkdirUser("out")
	t.Run("file into a directory", func(t *testing.T) {
		e.ok("cp", "src:/data/one", out)
		if got := readFile(t, filepath.Join(out, "one")); got != "one\n" {
			t.Fatalf("copied file holds %q", got)
		}
		// Without -a the copy belongs to the user who ran pod.
		if fi, err := os.Stat(filepath.Join(out, "one")); err != nil || fileUID(fi) != e.user.uid {
			t.Fatalf("copied file not owned by uid %d: %v", e.user.uid, err)
		}
	})
	t.Run("file to a new name", func(t *testing.T) {
		e.ok("cp", "src:/data/one", filepath.Join(out, "renamed"))
		if got := readFile(t, filepath.Join(out, "renamed")); got != "one\n" {
			t.Fatalf("copied file holds %q", got)
		}
	})
	t.Run("directory", func(t *testing.T) {
		e.ok("cp", "src:/data", filepath.Join(out, "newdir"))
		if got := readFile(t, filepath.Join(out, "newdir", "sub", "two")); got != "two\n" {
			t.Fatalf("copied tree holds %q", got)
		}
		// Into an existing directory: the directory goes in by its name.
		e.ok("cp", "src:/data", filepath.Join(out, "newdir"))
		if got := readFile(t, filepath.Join(out, "newdir", "data", "one")); got != "one\n" {
			t.Fatalf("copied tree holds %q", got)
		}
		// SRC/. copies the content only.
		dot := e.mkdirUser("out/dot")
		e.ok("cp", "src:/data/.", dot)
		if got := readFile(t, filepath.Join(dot, "sub", "two")); got != "two\n" {
			t.Fatalf("copied content holds %q", got)
		}
	})
	t.Run("symlink kept or followed", func(t *testing.T) {
		e.ok("cp", "src:/data/pwlink", filepath.Join(out, "link"))
		if target, err := os.Readlink(filepath.Join(out, "link")); err != nil || target != "/etc/passwd" {
			t.Fatalf("expected a symlink to /etc/passwd: %q %v", target, err)
		}
		// -L follows it inside the container: the container's passwd.
		e.ok("cp", "-L", "src:/data/pwlink", filepath.Join(out, "followed"))
		if got := readFile(t, filepath.Join(out, "followed")); got != etcPasswd {
			t.Fatalf("-L copied %q, want the container's /etc/passwd", got)
		}
	})
	t.Run("tar stream to stdout", func(t *testing.T) {
		r := e.pod("cp", "src:/data", "-")
		if r.code != 0 {
			t.Fatalf("cp to -:\n%s", r)
		}
		want := "data/ data/one data/pwlink data/sub/ data/sub/two"
		if got := strings.Join(tarNames(t, r.stdout), " "); got != want {
			t.Fatalf("tar holds %q, want %q", got, want)
		}
	})
	t.Run("the container's hostname", func(t *testing.T) {
		e.ok("cp", "src:/etc/hostname", out)
		id := strings.TrimSpace(e.ok("ps", "-q", "--filter", "name=src"))
		if got := readFile(t, filepath.Join(out, "hostname")); got != id+"\n" {
			t.Fatalf("hostname is %q, want %q", got, id)
		}
	})
	t.Run("missing source", func(t *testing.T) {
		expectError(t, e.pod("cp", "src:/nope", out), 125, "/nope")
		expectError(t, e.pod("cp", "nosuch:/etc/passwd", out), 125, "nosuch")
	})
	t.Run("stopped container", func(t *testing.T) {
		expect(t, e.pod("run", "--name", "done", testImage, "sh", "-c", "echo left > /left"), 0, "")
		e.ok("cp", "done:/left", out)
		if got := readFile(t, filepath.Join(out, "left")); got != "left\n" {
			t.Fatalf("copied %q from a stopped container", got)
		}
	})
}

func fileUID(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

func TestCpToContainer(t *testing.T) {
	e := withImage(t)
	e.runningContainer("dst")
	in := e.mkdirUser("in")
	file := e.writeFile("in/file.txt", "hostdata\n")
	e.writeFile("in/sub.txt", "sub\n")
	t.Run("file", func(t *testing.T) {
		e.ok("cp", file, "dst:/tmp/")
		e.ok("cp", file, "dst:/tmp/renamed")
		expect(t, e.pod("exec", "dst", "cat", "/tmp/file.txt", "/tmp/renamed"), 0, "hostdata\nhostdata\n")
		// Files copied in belong to the container's root.
		expect(t, e.pod("exec", "dst", "stat", "-c", "%u:%g %a", "/tmp/file.txt"), 0, "0:0 644\n")
	})
	t.Run("directory", func(t *testing.T) {
		e.ok("cp", in, "dst:/tmp/newdir")
		expect(t, e.pod("exec", "dst", "cat", "/tmp/newdir/sub.txt"), 0, "sub\n")
		e.ok("cp", in+"/.", "dst:/tmp")
		expect(t, e.pod("exec", "dst", "cat", "/tmp/sub.txt"), 0, "sub\n")
	})
	t.Run("tar stream from stdin", func(t *testing.T) {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		body := "streamed\n"
		_ = tw.WriteHeader(&tar.Header{Name: "s.txt", Mode: 0o600, Size: int64(len(body)), Uid: 1000, Gid: 1000, ModTime: time.Unix(1700000000, 0)})
		_, _ = tw.Write([]byte(body))
		_ = tw.Close()
		data := buf.String()
		expect(t, e.podStdin(strings.NewReader(data), "cp", "-", "dst:/tmp"), 0, "")
		expect(t, e.pod("exec", "dst", "stat", "-c", "%u:%g %a", "/tmp/s.txt"), 0, "0:0 600\n")
		// -a keeps the archive's owner.
		expect(t, e.podStdin(strings.NewReader(data), "cp", "-a", "-", "dst:/home/user"), 0, "")
		expect(t, e.pod("exec", "dst", "stat", "-c", "%u:%g", "/home/user/s.txt"), 0, "1000:1000\n")
		expectError(t, e.podStdin(strings.NewReader(data), "cp", "-", "dst:/tmp/nodir"), 125, "directory")
	})
	t.Run("missing parent", func(t *testing.T) {
		expectError(t, e.pod("cp", file, "dst:/no/such/dir/x"), 125, "/no/such/dir/x")
	})
	t.Run("usage", func(t *testing.T) {
		expectError(t, e.pod("cp", file, file), 125, "CONTAINER:PATH")
		// Between containers is a copy now (TestImageAndCopyFlags); a missing source is named.
		expectError(t, e.pod("cp", "dst:/a", "dst:/b"), 125, `"/a" in container dst`)
	})
}

func TestCpStaysInsideContainer(t *testing.T) {
	e := withImage(t)
	e.runningContainer("esc")
	victim := e.mkdirUser("victim")
	secret := e.writeFile("victim/secret", "host secret\n")
	payload := e.writeFile("payload", "payload\n")
	// Links inside the container that point out of it, if followed on the
	// host: to the host's /etc/passwd, to a directory the user owns.
	e.ok("exec", "esc", "sh", "-c", "ln -s /etc/passwd /tmp/pw && ln -s "+victim+" /tmp/victim && "+
		"ln -s ../../../../../../../.. /tmp/up && ln -s "+secret+" /tmp/secret")

	t.Run("dot-dot in the container path", func(t *testing.T) {
		e.ok("cp", payload, "esc:/../../../../tmp/dotdot")
		expect(t, e.pod("exec", "esc", "cat", "/tmp/dotdot"), 0, "payload\n")
		e.ok("cp", "esc:/../../../../etc/passwd", filepath.Join(e.dir, "pw1"))
		if got := readFile(t, filepath.Join(e.dir, "pw1")); got != etcPasswd {
			t.Fatalf("../ read %q, want the container's passwd", got)
		}
	})
	t.Run("absolute symlink to /etc/passwd", func(t *testing.T) {
		// A trailing slash asserts a directory: the link's target is not.
		expectError(t, e.pod("cp", "esc:/tmp/pw/", filepath.Join(e.dir, "pw2")), 125, "/tmp/pw/")
		e.ok("cp", "-L", "esc:/tmp/pw", filepath.Join(e.dir, "pw3"))
		for _, f := range []string{"pw3"} {
			if got := readFile(t, filepath.Join(e.dir, f)); got != etcPasswd {
				t.Fatalf("%s: read %q through the link, want the container's /etc/passwd", f, got)
			}
		}
		// Writing through it writes the container's /etc/passwd.
		e.ok("cp", payload, "esc:/tmp/pw")
		expect(t, e.pod("exec", "esc", "cat", "/etc/passwd"), 0, "payload\n")
	})
	t.Run("symlink to a host directory", func(t *testing.T) {
		r := e.pod("cp", payload, "esc:/tmp/victim/")
		r2 := e.pod("cp", payload, "esc:/tmp/victim/x")
		r3 := e.pod("cp", payload, "esc:/tmp/up"+victim+"/y")
		ents, _ := os.ReadDir(victim)
		if len(ents) != 1 {
			t.Fatalf("cp wrote outside the container into %s: %v\n%s\n%s\n%s", victim, ents, r, r2, r3)
		}
		// Reading through links never reaches the host's file.
		r = e.pod("cp", "-L", "esc:/tmp/secret", filepath.Join(e.dir, "stolen"))
		r2 = e.pod("cp", "esc:/tmp/up"+secret, filepath.Join(e.dir, "stolen2"))
		for _, f := range []string{"stolen", "stolen2"} {
			if b, err := os.ReadFile(filepath.Join(e.dir, f)); err == nil && string(b) == "host secret\n" {
				t.Fatalf("cp read the host's file through a container link:\n%s\n%s", r, r2)
			}
		}
	})
}
