package pods

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseShare(t *testing.T) {
	for in, want := range map[string][]string{
		"net":          {"net"},
		"net,ipc,net":  {"net", "ipc"},
		"none":         {},
		"+pid":         {"ipc", "net", "uts", "pid"},
		"cgroup,net":   {"net"},
		"uts,pid,ipc,": nil,
	} {
		got, err := ParseShare(in)
		if want == nil {
			if err == nil {
				t.Errorf("ParseShare(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseShare(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseShare("net,bogus"); err == nil {
		t.Error("a namespace pods do not share was taken")
	}
}

// TestStore: names are unique, lookups take the name, the ID or a unique
// prefix, and removal is one file.
func TestStore(t *testing.T) {
	s := New(t.TempDir() + "/storage")
	name := func(taken func(string) bool) string { return "auto" }
	a := &Pod{Name: "web", Created: time.Now(), Share: DefaultShare}
	if err := s.Create(a, name); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(&Pod{Name: "web"}, name); !errors.Is(err, ErrPodExists) {
		t.Fatalf("a second pod web: %v", err)
	}
	if err := s.Create(&Pod{Name: "bad/name"}, name); err == nil {
		t.Fatal("a bad name was taken")
	}
	b := &Pod{Created: time.Now().Add(time.Second)}
	if err := s.Create(b, name); err != nil || b.Name != "auto" || len(b.ID) != 64 {
		t.Fatalf("an unnamed pod: %+v, %v", b, err)
	}
	for _, ref := range []string{"web", a.ID, a.ID[:10]} {
		if p, err := s.Get(ref); err != nil || p.ID != a.ID {
			t.Errorf("Get(%q) = %v, %v", ref, p, err)
		}
	}
	all, damaged, err := s.List()
	if err != nil || len(damaged) > 0 || len(all) != 2 || all[0].ID != a.ID {
		t.Fatalf("List: %v %v %v", all, damaged, err)
	}
	if err := s.Remove(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("web"); !errors.Is(err, ErrNoSuchPod) {
		t.Fatalf("a removed pod was found: %v", err)
	}
}
