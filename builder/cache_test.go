package builder

import (
	"strings"
	"testing"
)

func TestStepKey(t *testing.T) {
	base := stepKey("p1", "RUN make", []string{"V=1"}, "s1")
	if base != stepKey("p1", "RUN make", []string{"V=1"}, "s1") {
		t.Fatal("the same step gives different keys")
	}
	for name, k := range map[string]string{
		"parent":      stepKey("p2", "RUN make", []string{"V=1"}, "s1"),
		"instruction": stepKey("p1", "RUN make all", []string{"V=1"}, "s1"),
		"arg value":   stepKey("p1", "RUN make", []string{"V=2"}, "s1"),
		"no arg":      stepKey("p1", "RUN make", nil, "s1"),
		"sources":     stepKey("p1", "RUN make", []string{"V=1"}, "s2"),
	} {
		if k == base {
			t.Errorf("changing the %s keeps the key", name)
		}
	}
	// Parts cannot run into each other.
	if stepKey("a", "bc", nil, "") == stepKey("ab", "c", nil, "") {
		t.Error("parts are not delimited")
	}
}

func TestSourcesDigest(t *testing.T) {
	a := sourcesDigest(map[string]string{"x": "1", "y": "2"})
	if a != sourcesDigest(map[string]string{"y": "2", "x": "1"}) {
		t.Fatal("digest depends on map order")
	}
	if a == sourcesDigest(map[string]string{"x": "1", "y": "3"}) || a == sourcesDigest(map[string]string{"x": "1", "z": "2"}) {
		t.Fatal("digest ignores a change")
	}
	if sourcesDigest(nil) != "" {
		t.Fatal("no sources should give no digest")
	}
}

func TestMissReason(t *testing.T) {
	prev := &shapeRecord{Parent: "p", Args: []string{"A=1", "B=2"}, Sources: map[string]string{"app/a.py": "d1", "app/b.py": "d2"}}
	for _, tt := range []struct {
		name    string
		parent  string
		args    []string
		sources map[string]string
		first   bool
		want    string
	}{
		{"base", "q", prev.Args, prev.Sources, true, "base image changed"},
		{"previous", "q", prev.Args, prev.Sources, false, "previous step changed"},
		{"arg value", "p", []string{"A=1", "B=3"}, prev.Sources, false, "build arg B changed"},
		{"arg gone", "p", []string{"A=1"}, prev.Sources, false, "build arg B changed"},
		{"file", "p", prev.Args, map[string]string{"app/a.py": "d1", "app/b.py": "dX"}, false, "app/b.py changed"},
		{"added", "p", prev.Args, map[string]string{"app/a.py": "d1", "app/b.py": "d2", "app/c.py": "d3"}, false, "app/c.py added"},
		{"removed", "p", prev.Args, map[string]string{"app/a.py": "d1"}, false, "app/b.py removed"},
		{"same", "p", prev.Args, prev.Sources, false, "cached image removed"},
	} {
		got, err := missReason(prev, tt.parent, tt.args, tt.sources, tt.first)
		if err != nil || got != tt.want {
			t.Errorf("%s: missReason = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := missReason(nil, "p", nil, nil, true); err == nil {
		t.Error("a step never built before has a reason")
	}
}

func TestCacheIndexMerges(t *testing.T) {
	dir := t.TempDir()
	a, b := openCache(dir), openCache(dir)
	if err := a.record("k1", "id1", "s1", shapeRecord{Parent: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := b.record("k2", "id2", "", shapeRecord{}); err != nil {
		t.Fatal(err)
	}
	c := openCache(dir)
	if id, ok := c.lookup("k1"); !ok || id != "id1" {
		t.Errorf("k1 = %q, %v", id, ok)
	}
	if id, ok := c.lookup("k2"); !ok || id != "id2" {
		t.Errorf("k2 = %q, %v", id, ok)
	}
	if c.shape("s1") == nil || !strings.HasPrefix(c.shape("s1").Parent, "p") {
		t.Error("shape lost")
	}
}
