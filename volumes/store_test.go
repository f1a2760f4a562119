package volumes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pod-project/pod/container"
)

func testStore(t *testing.T) *Store {
	t.Helper()
	return New(filepath.Join(t.TempDir(), "pod", "storage"))
}

func TestNewIsNextToGraphRoot(t *testing.T) {
	for graph, want := range map[string]string{
		"/home/u/.local/share/pod/storage":  "/home/u/.local/share/pod/volumes",
		"/home/u/.local/share/pod/storage/": "/home/u/.local/share/pod/volumes",
		"/tmp/e2e/root":                     "/tmp/e2e/volumes",
	} {
		if got := New(graph).Dir(); got != want {
			t.Errorf("New(%q).Dir() = %q, want %q", graph, got, want)
		}
	}
}

func TestCreateGetListRemove(t *testing.T) {
	s := testStore(t)
	uid, gid := os.Getuid(), os.Getgid()
	v, err := s.Create(CreateOptions{Name: "data", Labels: map[string]string{"a": "1"}, UID: &uid, GID: &gid})
	if err != nil {
		t.Fatal(err)
	}
	if v.Mountpoint != filepath.Join(s.Dir(), "data", "_data") || v.Driver != "local" || v.Scope != "local" {
		t.Errorf("created %+v", v)
	}
	if fi, err := os.Stat(v.Mountpoint); err != nil || !fi.IsDir() {
		t.Fatalf("data directory: %v", err)
	}
	if _, err := s.Create(CreateOptions{Name: "data"}); !errors.Is(err, ErrVolumeExists) {
		t.Errorf("second create: want ErrVolumeExists, got %v", err)
	}
	if again, err := s.Create(CreateOptions{Name: "data", IgnoreExisting: true}); err != nil || again.Labels["a"] != "1" {
		t.Errorf("create --ignore: %+v, %v", again, err)
	}
	anon, err := s.Create(CreateOptions{Anonymous: true})
	if err != nil || len(anon.Name) != 64 || !anon.Anonymous {
		t.Fatalf("random name: %+v, %v", anon, err)
	}
	got, err := s.Get("data")
	if err != nil || got.Labels["a"] != "1" || *got.UID != uid || got.CreatedAt.IsZero() {
		t.Errorf("Get: %+v, %v", got, err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v, %v", list, err)
	}
	if ok, err := s.Exists("data"); !ok || err != nil {
		t.Errorf("Exists(data) = %v, %v", ok, err)
	}
	if ok, err := s.Exists("nope"); ok || err != nil {
		t.Errorf("Exists(nope) = %v, %v", ok, err)
	}
	if err := s.remove("data"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("data"); !errors.Is(err, ErrNoSuchVolume) {
		t.Errorf("after remove: want ErrNoSuchVolume, got %v", err)
	}
	if err := s.remove("data"); !errors.Is(err, ErrNoSuchVolume) {
		t.Errorf("second remove: want ErrNoSuchVolume, got %v", err)
	}
}

// badNames are refused everywhere a volume is named.
var badNames = []string{"", ".", "..", "../x", "../../etc", "a/b", "/abs", ".hidden", "-x", "_x", "a b", "a\x00b", "a:b", "x/../y"}

func TestBadNamesTouchNothing(t *testing.T) {
	s := testStore(t)
	if _, err := s.Create(CreateOptions{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(filepath.Dir(s.Dir()), "victim")
	if err := os.MkdirAll(victim, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range badNames {
		if _, err := s.Create(CreateOptions{Name: n}); !errors.Is(err, ErrBadName) && n != "" {
			t.Errorf("Create(%q): want ErrBadName, got %v", n, err)
		}
		if _, err := s.Get(n); !errors.Is(err, ErrBadName) {
			t.Errorf("Get(%q): want ErrBadName, got %v", n, err)
		}
		if _, err := s.Exists(n); !errors.Is(err, ErrBadName) {
			t.Errorf("Exists(%q): want ErrBadName, got %v", n, err)
		}
		if err := s.Import(n, nil); !errors.Is(err, ErrBadName) {
			t.Errorf("Import(%q): want ErrBadName, got %v", n, err)
		}
		if err := s.Export(n, nil); !errors.Is(err, ErrBadName) {
			t.Errorf("Export(%q): want ErrBadName, got %v", n, err)
		}
		if err := Remove(nil, s, n); !errors.Is(err, ErrBadName) {
			t.Errorf("Remove(%q): want ErrBadName, got %v", n, err)
		}
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("a directory outside the volumes went: %v", err)
	}
	if list, _ := s.List(); len(list) != 2 {
		// "keep" and the random-named volume Create("") made.
		t.Errorf("volumes after bad names: %d, want 2", len(list))
	}
}

func TestCreateParallel(t *testing.T) {
	s := testStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := prepareVolume(container.Mount{Type: container.MountVolume, Name: "same", Source: s.DataDir("same"), Destination: "/d"}, "", container.ExecUser{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if list, _ := s.List(); len(list) != 1 || list[0].Name != "same" {
		t.Errorf("volumes: %v, want one named same", list)
	}
}

func TestCheckDriverOptions(t *testing.T) {
	dir := t.TempDir()
	for _, ok := range []map[string]string{
		nil,
		{"type": "tmpfs", "device": "tmpfs", "o": "size=64m,uid=1000"},
		{"type": "none", "device": dir, "o": "bind"},
	} {
		if err := checkDriverOptions(ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for _, bad := range []map[string]string{
		{"type": "ext4", "device": "/dev/sda1"},
		{"type": "nfs", "o": "addr=1.2.3.4"},
		{"type": "none", "device": dir},
		{"type": "none", "device": "relative", "o": "bind"},
		{"type": "none", "device": filepath.Join(dir, "missing"), "o": "bind"},
		{"type": "tmpfs", "o": "exec,suid"},
		{"size": "1m"},
	} {
		if err := checkDriverOptions(bad); !errors.Is(err, ErrBadOption) {
			t.Errorf("%v: want ErrBadOption, got %v", bad, err)
		}
	}
}

func TestVolumeRecordVersions(t *testing.T) {
	s := testStore(t)
	if _, err := s.Create(CreateOptions{Name: "cur"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "cur", metaFile))
	if err != nil || !strings.Contains(string(b), `"version":1`) {
		t.Fatalf("volume.json %s (%v) has no version", b, err)
	}
	// A volume of an earlier pod (no version) reads as it did.
	for name, meta := range map[string]string{
		"old":   `{"Name":"old","Driver":"local","Labels":{"a":"b"}}`,
		"newer": `{"version":99,"Name":"newer","Driver":"local"}`,
	} {
		if err := os.MkdirAll(filepath.Join(s.dir, name, "_data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.dir, name, metaFile), []byte(meta), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.Get("old"); err != nil || v.Labels["a"] != "b" || v.Driver != "local" {
		t.Fatalf("Get(old) = %+v, %v", v, err)
	}
	if _, err := s.Get("newer"); err == nil || !strings.Contains(err.Error(), "newer pod") {
		t.Fatalf("Get(newer) = %v, want a refusal naming the newer pod", err)
	}
}
