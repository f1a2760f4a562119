package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStore(t *testing.T) {
	s := New(filepath.Join(t.TempDir(), "storage"))
	a, err := s.Create("xa", []byte("data-a"), CreateOptions{Labels: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("xa", []byte("again"), CreateOptions{}); !errors.Is(err, ErrSecretExists) {
		t.Fatalf("a second a: %v", err)
	}
	b, err := s.Create("xb", []byte("data-b"), CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"xa", a.ID, a.ID[:10]} {
		got, err := s.Get(ref)
		if err != nil || got.ID != a.ID || got.Spec.Labels["k"] != "v" {
			t.Fatalf("Get(%q) = %+v, %v", ref, got, err)
		}
	}
	if got, err := s.GetExact(a.ID[:10]); !errors.Is(err, ErrNoSuchSecret) {
		t.Fatalf("GetExact by a prefix: %v, %v", got, err)
	}
	if got, err := s.GetExact(a.ID); err != nil || got.Spec.Name != "xa" {
		t.Fatalf("GetExact by ID: %v, %v", got, err)
	}
	if d, err := s.Data(b.ID); err != nil || string(d) != "data-b" {
		t.Fatalf("Data(b) = %q, %v", d, err)
	}
	if _, err := s.Get("xc"); !errors.Is(err, ErrNoSuchSecret) {
		t.Fatalf("Get(xc): %v", err)
	}
	// The empty prefix is nobody's ID.
	if _, err := s.Get(""); !errors.Is(err, ErrNoSuchSecret) {
		t.Fatalf("Get(\"\"): %v", err)
	}
	// (Names hold letters beyond f: a name that is a prefix of another
	// secret's hex ID finds that secret, as in Podman.)
	// In use: kept.
	busy := errors.New("in use")
	if _, err := s.Remove("xa", func(id, name string) error { return busy }); !errors.Is(err, busy) {
		t.Fatalf("Remove in use: %v", err)
	}
	if id, err := s.Remove("xa", nil); err != nil || id != a.ID {
		t.Fatalf("Remove(a) = %q, %v", id, err)
	}
	if _, err := s.Data(a.ID); !errors.Is(err, ErrNoSuchSecret) {
		t.Fatalf("Data of a removed secret: %v", err)
	}
	// A damaged file is listed as damaged and removed by its ID.
	if err := os.WriteFile(filepath.Join(s.Dir(), "0123456789abcdef012345678.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	list, damaged, err := s.List()
	if err != nil || len(list) != 1 || list[0].Spec.Name != "xb" || len(damaged) != 1 || !strings.Contains(damaged[0].Error(), "pod secret rm 0123456789abcdef012345678") {
		t.Fatalf("List = %v, %v, %v", list, damaged, err)
	}
	if _, err := s.Remove("0123456789abcdef012345678", nil); err != nil {
		t.Fatal(err)
	}
	if _, damaged, _ := s.List(); len(damaged) != 0 {
		t.Fatalf("damaged after its removal: %v", damaged)
	}
	// Nothing but the secrets and the lock: no temporary files.
	ents, _ := os.ReadDir(s.Dir())
	if len(ents) != 2 {
		t.Fatalf("the secrets directory holds %d entries, want b's file and the lock", len(ents))
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"a", "db-password", "A.b_c", strings.Repeat("x", 253)} {
		if err := CheckName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a/b", "a=b", "a,b", "a b", "..", ".", strings.Repeat("x", 254), "a\x00"} {
		if err := CheckName(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("%q: %v, want ErrBadName", bad, err)
		}
	}
}
