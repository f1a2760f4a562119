package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// volImage is the busybox image plus content for copy-up: /srv/app owned
// by 1000:1000 (0750) with a 0640 file, a subdirectory and a symlink to
// the host's /etc/shadow (which copy-up must copy as a link).
const volImage = "localhost/e2e/busybox-vol:latest"

// withVolumeImage makes a fresh env with testImage and volImage.
func withVolumeImage(t *testing.T) *env {
	t.Helper()
	e := withImage(t)
	base, err := busyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	mtime := time.Unix(1700000000, 0)
	for _, h := range []*tar.Header{
		{Typeflag: tar.TypeDir, Name: "srv/", Mode: 0o755, ModTime: mtime},
		{Typeflag: tar.TypeDir, Name: "srv/app/", Mode: 0o750, Uid: 1000, Gid: 1000, ModTime: mtime},
		{Typeflag: tar.TypeReg, Name: "srv/app/config", Mode: 0o640, Uid: 1000, Gid: 1000, Size: 6, ModTime: mtime},
		{Typeflag: tar.TypeDir, Name: "srv/app/sub/", Mode: 0o700, Uid: 1000, Gid: 1000, ModTime: mtime},
		{Typeflag: tar.TypeSymlink, Name: "srv/app/shadow", Linkname: "/etc/shadow", ModTime: mtime},
		{Typeflag: tar.TypeSymlink, Name: "escape", Linkname: "../../../../../../etc", ModTime: mtime},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write([]byte("image\n"))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	p := e.writeFile("vol-rootfs.tar", buf.String())
	e.ok("import", "--change", "VOLUME /anon", p, volImage)
	return e
}

// volumesDir is where the test's volumes live: next to its --root.
func (e *env) volumesDir() string { return filepath.Join(filepath.Dir(e.root), "volumes") }

// volumeData is the host directory of a volume's data.
func (e *env) volumeData(name string) string { return filepath.Join(e.volumesDir(), name, "_data") }

// volumeNames lists the volumes pod shows.
func (e *env) volumeNames() []string { return lines(e.ok("volume", "ls", "-q")) }

// owner returns a host path's owner and group, not following symlinks.
func owner(t *testing.T, path string) (int, int) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return int(st.Uid), int(st.Gid)
}

// subIDs returns the first subordinate uid and gid of the test user.
func (e *env) subIDs() (int, int) {
	e.t.Helper()
	uid, _, err := subIDRange("/etc/subuid", e.user)
	if err != nil {
		e.t.Fatal(err)
	}
	gid, _, err := subIDRange("/etc/subgid", e.user)
	if err != nil {
		e.t.Fatal(err)
	}
	return uid, gid
}

// expectVolumes asserts the exact set of volume names.
func (e *env) expectVolumes(want ...string) {
	e.t.Helper()
	if got := sorted(e.volumeNames()); got != sorted(want) {
		e.t.Fatalf("volumes: %s, want %s", got, sorted(want))
	}
}

// tarOf builds a tar from name → content entries (content "DIR" makes a
// directory, "->target" a symlink, "=>target" a hard link).
func tarOf(t *testing.T, entries [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, en := range entries {
		h := &tar.Header{Name: en[0], Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(en[1]))}
		switch {
		case en[1] == "DIR":
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case strings.HasPrefix(en[1], "->"):
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, en[1][2:], 0
		case strings.HasPrefix(en[1], "=>"):
			h.Typeflag, h.Linkname, h.Size = tar.TypeLink, en[1][2:], 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write([]byte(en[1]))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// regexpHex64 matches a generated volume name.
var regexpHex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// sortedLines returns the lines sorted.
func sortedLines(ls ...string) []string {
	out := slices.Clone(ls)
	slices.Sort(out)
	return out
}
