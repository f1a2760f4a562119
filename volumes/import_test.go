package volumes

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/storage"
)

// running and notRunning stand for what Import learns from the containers.
func running() (bool, error)    { return true, nil }
func notRunning() (bool, error) { return false, nil }

// inode returns p's inode number.
func inode(t *testing.T, p string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// readTree maps each path under dir to its content ("DIR" for a
// directory).
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.IsDir() {
			out[rel] = "DIR"
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
}

// expectNoTemp asserts the store's temporary directory holds nothing.
func expectNoTemp(t *testing.T, s *Store) {
	t.Helper()
	ents, err := os.ReadDir(s.tmpDir())
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Fatalf("left in %s: %v", s.tmpDir(), ents)
	}
}

func oldVolume(t *testing.T, s *Store) *Volume {
	t.Helper()
	v, err := s.Create(CreateOptions{Name: "vol"})
	if err != nil {
		t.Fatal(err)
	}
	mkfs(t, v.Mountpoint, []fsEntry{{path: "keep", data: "old"}, {path: "dir/replace", data: "old"}})
	return v
}

// An import into a volume no container runs with merges the archive into
// a copy of the data and swaps it in: a new data directory with the old
// one's owner, mode and attributes, the old files kept, the archive's
// replacing theirs.
func TestImportSwapsTheMergedTreeIn(t *testing.T) {
	s := testStore(t)
	v := oldVolume(t, s)
	if err := os.Chmod(v.Mountpoint, 0o751); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(v.Mountpoint, "user.k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	owner := os.Getuid()
	if owner == 0 {
		owner = 1234
		if err := os.Chown(v.Mountpoint, owner, owner); err != nil {
			t.Fatal(err)
		}
	}
	before := inode(t, v.Mountpoint)
	tarball := makeTar(t, []tarEntry{{name: "dir/replace", data: "new"}, {name: "added", data: "x"}})
	if err := s.importArchive("vol", bytes.NewReader(tarball), notRunning); err != nil {
		t.Fatal(err)
	}
	sameTree(t, "after the import", readTree(t, v.Mountpoint),
		map[string]string{"keep": "old", "dir": "DIR", "dir/replace": "new", "added": "x"})
	if inode(t, v.Mountpoint) == before {
		t.Fatal("the data directory was written in place")
	}
	var st unix.Stat_t
	if err := unix.Stat(v.Mountpoint, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&0o7777 != 0o751 || int(st.Uid) != owner || int(st.Gid) != owner {
		t.Fatalf("data directory mode %o owner %d:%d, want 751 %d:%d", st.Mode&0o7777, st.Uid, st.Gid, owner, owner)
	}
	val := make([]byte, 8)
	if n, err := unix.Getxattr(v.Mountpoint, "user.k", val); err != nil || string(val[:n]) != "v" {
		t.Fatalf("user.k of the data directory: %v", err)
	}
	expectNoTemp(t, s)
}

// A volume a container runs with keeps its data directory, which the
// container has mounted: the archive goes into it.
func TestImportIntoARunningContainersVolumeInPlace(t *testing.T) {
	s := testStore(t)
	v := oldVolume(t, s)
	before := inode(t, v.Mountpoint)
	if err := s.importArchive("vol", bytes.NewReader(makeTar(t, []tarEntry{{name: "added", data: "x"}})), running); err != nil {
		t.Fatal(err)
	}
	if inode(t, v.Mountpoint) != before {
		t.Fatal("the data directory of a running container's volume was replaced")
	}
	sameTree(t, "after the import", readTree(t, v.Mountpoint),
		map[string]string{"keep": "old", "dir": "DIR", "dir/replace": "old", "added": "x"})
	expectNoTemp(t, s)
}

// An archive that fails half way (a hard link to nothing, after a good
// entry) leaves the volume as it was, and a truncated one is refused
// before anything is written; nothing stays in the store.
func TestFailedImportLeavesTheVolumeAsItWas(t *testing.T) {
	s := testStore(t)
	v := oldVolume(t, s)
	want := readTree(t, v.Mountpoint)
	broken := makeTar(t, []tarEntry{{name: "dir/replace", data: "new"}, {name: "h", typ: '1', link: "missing"}})
	err := s.importArchive("vol", bytes.NewReader(broken), notRunning)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("want the broken link's error, got %v", err)
	}
	sameTree(t, "after a failed import", readTree(t, v.Mountpoint), want)
	good := makeTar(t, []tarEntry{{name: "dir/replace", data: strings.Repeat("n", 4096)}})
	if err := s.importArchive("vol", bytes.NewReader(good[:1024]), notRunning); err == nil {
		t.Fatal("a truncated archive was imported")
	}
	sameTree(t, "after a truncated archive", readTree(t, v.Mountpoint), want)
	expectNoTemp(t, s)
	// Nor the spool of a failed import into a new volume, nor the volume.
	if err := Import(nil, s, "fresh", bytes.NewReader(broken)); err == nil {
		t.Fatal("a broken archive made a volume")
	}
	if ok, err := s.Exists("fresh"); ok || err != nil {
		t.Fatalf("the failed import left the volume: %v, %v", ok, err)
	}
	expectNoTemp(t, s)
}

// A volume the import creates appears complete, with its metadata.
func TestImportCreatesTheVolumeWhole(t *testing.T) {
	s := testStore(t)
	if err := Import(nil, s, "fresh", bytes.NewReader(makeTar(t, []tarEntry{{name: "f", data: "x"}}))); err != nil {
		t.Fatal(err)
	}
	v, err := s.Get("fresh")
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, "the new volume", readTree(t, v.Mountpoint), map[string]string{"f": "x"})
	if fi, err := os.Stat(v.Mountpoint); err != nil || fi.Mode().Perm() != 0o755&^umask() {
		t.Fatalf("data directory: %v, %v", fi, err)
	}
	expectNoTemp(t, s)
}

func umask() os.FileMode {
	m := unix.Umask(0)
	unix.Umask(m)
	return os.FileMode(m)
}

// What killed imports and removals left is reclaimed by the next volume
// operation: a listing, or one that takes the store's lock, which also
// removes what pods before owner-named directories left; a live owner's
// directory stays.
func TestLockReclaimsDeadOperations(t *testing.T) {
	s := testStore(t)
	if _, err := s.Create(CreateOptions{Name: "vol"}); err != nil {
		t.Fatal(err)
	}
	live, err := storage.MkdirOwned(s.tmpDir(), "import")
	if err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(s.tmpDir(), "import-1-1-abc")
	legacySpool := filepath.Join(s.Dir(), ".import-12345")
	legacyRemoval := filepath.Join(s.Dir(), ".removing-old-abcdef12")
	for _, d := range []string{filepath.Join(dead, "data"), filepath.Join(legacyRemoval, "_data")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(legacySpool, []byte("half a tar"), 0o600); err != nil {
		t.Fatal(err)
	}
	// volume ls: the dead owner's directory; the legacy ones need the lock.
	if got := sortedNames(t, s); got != "vol" {
		t.Fatalf("volumes: %s", got)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Fatalf("List left %s: %v", dead, err)
	}
	if _, err := s.Create(CreateOptions{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dead, legacySpool, legacyRemoval} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Fatalf("%s survived: %v", p, err)
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("the live owner's directory went: %v", err)
	}
	if got := sortedNames(t, s); got != "other,vol" {
		t.Fatalf("volumes: %s", got)
	}
}

func sortedNames(t *testing.T, s *Store) string {
	t.Helper()
	vs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	return strings.Join(names, ",")
}

// The copy the import builds keeps the volume's symbolic links as links:
// neither written through nor reached through, as in place.
func TestImportSwapNeverWritesThroughExistingLinks(t *testing.T) {
	s := testStore(t)
	v, err := s.Create(CreateOptions{Name: "vol"})
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	target := filepath.Join(outside, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	mkfs(t, v.Mountpoint, []fsEntry{{path: "file", link: target}, {path: "dir", link: outside}})
	if err := s.importArchive("vol", bytes.NewReader(makeTar(t, []tarEntry{{name: "file", data: "overwritten"}})), notRunning); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("written through a symlink: %q", b)
	}
	if l, err := os.Readlink(filepath.Join(v.Mountpoint, "dir")); err != nil || l != outside {
		t.Errorf("the link dir: %q, %v", l, err)
	}
	err = s.importArchive("vol", bytes.NewReader(makeTar(t, []tarEntry{{name: "dir/evil", data: "x"}})), notRunning)
	if !errors.Is(err, ErrUnsafeArchive) {
		t.Errorf("want ErrUnsafeArchive for a path through a symlink, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "evil")); err == nil {
		t.Error("a file was written through a symlinked directory")
	}
	expectNoTemp(t, s)
}

// A volume binding a host directory holds its content there, as the
// containers see it: import writes there and export reads from there.
func TestImportExportOfAHostDirectoryVolume(t *testing.T) {
	s := testStore(t)
	host := t.TempDir()
	if _, err := s.Create(CreateOptions{Name: "bound", Options: map[string]string{"type": "none", "o": "bind", "device": host}}); err != nil {
		t.Fatal(err)
	}
	if err := Import(nil, s, "bound", bytes.NewReader(makeTar(t, []tarEntry{{name: "f", data: "x"}}))); err != nil {
		t.Fatal(err)
	}
	sameTree(t, "the host directory", readTree(t, host), map[string]string{"f": "x"})
	sameTree(t, "the unused data directory", readTree(t, s.DataDir("bound")), map[string]string{})
	var buf bytes.Buffer
	if err := s.Export("bound", &buf); err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	if !slices.Contains(names, "f") {
		t.Fatalf("the export holds %v, not f", names)
	}
	expectNoTemp(t, s)
}

// An export to a file appears there whole, mode 0644, with nothing
// beside it; a missing volume writes nothing.
func TestExportFile(t *testing.T) {
	s := testStore(t)
	v := oldVolume(t, s)
	out := t.TempDir()
	path := filepath.Join(out, "vol.tar")
	if err := s.ExportFile("vol", path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("the export: %v, %v", fi, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Import(nil, s, "copy", f); err != nil {
		t.Fatal(err)
	}
	sameTree(t, "the exported copy", readTree(t, s.DataDir("copy")), readTree(t, v.Mountpoint))
	if err := s.ExportFile("nosuch", filepath.Join(out, "nosuch.tar")); !errors.Is(err, ErrNoSuchVolume) {
		t.Fatalf("a missing volume: %v", err)
	}
	if got := strings.Join(dirNames(t, out), ","); got != "vol.tar" {
		t.Fatalf("beside the export: %s", got)
	}
	expectNoTemp(t, s)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}
