package image

import (
	"errors"
	"reflect"
	"testing"
	"time"

	cstorage "go.podman.io/storage"
)

func TestParseFilters(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		args []string
		want Filters
	}{
		{nil, Filters{}},
		{[]string{"reference=demo*", "reference=x:1"}, Filters{References: []string{"demo*", "x:1"}}},
		{[]string{"dangling=true"}, Filters{Dangling: &yes}},
		{[]string{"dangling=0"}, Filters{Dangling: &no}},
		{[]string{"label=a", "label=b=c=d"}, Filters{Labels: []string{"a", "b=c=d"}}},
		{[]string{"before=demo:1", "since=abc"}, Filters{Before: []string{"demo:1"}, Since: []string{"abc"}}},
	}
	for _, tt := range tests {
		got, err := ParseFilters(tt.args)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseFilters(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
	for _, bad := range [][]string{{"dangling"}, {"dangling=maybe"}, {"dangling=true", "dangling=false"}, {"color=red"}, {"label="}, {"reference=[x"}, {"reference="}} {
		if _, err := ParseFilters(bad); !errors.Is(err, ErrBadFilter) {
			t.Errorf("ParseFilters(%q) = %v, want ErrBadFilter", bad, err)
		}
	}
}

func TestMatchReference(t *testing.T) {
	tests := []struct {
		patterns []string
		stored   string
		want     bool
	}{
		{[]string{"demo"}, "docker.io/library/demo:1", true},
		{[]string{"demo:1"}, "docker.io/library/demo:1", true},
		{[]string{"demo:2"}, "docker.io/library/demo:1", false},
		{[]string{"de*"}, "docker.io/library/demo:1", true},
		{[]string{"*:1"}, "docker.io/library/demo:1", true},
		{[]string{"docker.io/library/demo:1"}, "docker.io/library/demo:1", true},
		{[]string{"docker.io/library/demo"}, "docker.io/library/demo:1", true},
		{[]string{"other", "demo"}, "docker.io/library/demo:1", true},
		{[]string{"user/*"}, "docker.io/user/app:latest", true},
		{[]string{"app"}, "docker.io/user/app:latest", false},
		{[]string{"localhost/app"}, "localhost/app:latest", true},
		{[]string{"demo"}, "docker.io/library/demonstration:1", false},
	}
	for _, tt := range tests {
		if got := matchReference(tt.patterns, tt.stored); got != tt.want {
			t.Errorf("matchReference(%q, %q) = %v, want %v", tt.patterns, tt.stored, got, tt.want)
		}
	}
}

func TestMatchLabels(t *testing.T) {
	labels := map[string]string{"a": "1", "b": ""}
	tests := []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"a"}, true},
		{[]string{"a=1"}, true},
		{[]string{"a=2"}, false},
		{[]string{"b="}, true},
		{[]string{"a", "c"}, false},
		{[]string{"c"}, false},
	}
	for _, tt := range tests {
		if got := matchLabels(tt.filters, labels); got != tt.want {
			t.Errorf("matchLabels(%q) = %v, want %v", tt.filters, got, tt.want)
		}
	}
}

func TestImageRows(t *testing.T) {
	img := &cstorage.Image{ID: "abc", Digest: "sha256:d", Names: []string{"docker.io/library/b:2", "docker.io/library/a:1", "quay.io/x/y@sha256:" + hex64}}
	rows := imageRows(img, nil, 10)
	var got []string
	for _, r := range rows {
		got = append(got, r.Repository+" "+r.Tag)
	}
	want := []string{"a 1", "b 2", "quay.io/x/y <none>"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %q, want %q", got, want)
	}
	if rows := imageRows(img, []string{"b"}, 10); len(rows) != 1 || rows[0].Repository != "b" {
		t.Fatalf("filtered rows = %+v", rows)
	}
	dangling := &cstorage.Image{ID: "def"}
	if rows := imageRows(dangling, nil, 1); len(rows) != 1 || rows[0].Repository != none || rows[0].Digest != "" {
		t.Fatalf("dangling rows = %+v", rows)
	}
	if rows := imageRows(dangling, []string{"*"}, 1); len(rows) != 0 {
		t.Fatalf("a reference filter kept an untagged image: %+v", rows)
	}
}

func TestIntermediates(t *testing.T) {
	layers := map[string]*cstorage.Layer{
		"l1": {ID: "l1"}, "l2": {ID: "l2", Parent: "l1"}, "l3": {ID: "l3"},
	}
	t0 := time.Unix(1000, 0)
	images := []cstorage.Image{
		{ID: "parent", TopLayer: "l1", Created: t0},
		{ID: "child", TopLayer: "l2", Names: []string{"c:1"}, Created: t0.Add(time.Second)},
		{ID: "lonely", TopLayer: "l3", Created: t0},
		{ID: "cfgparent", TopLayer: "l3", Created: t0.Add(-time.Second)},
	}
	got := intermediates(images, layers)
	want := map[string]bool{"parent": true, "cfgparent": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("intermediates = %v, want %v", got, want)
	}
}

func TestMatchImage(t *testing.T) {
	yes := true
	t0 := time.Unix(1000, 0)
	img := &cstorage.Image{Created: t0}
	if !matchImage(Filters{Dangling: &yes}, img, time.Time{}, time.Time{}) {
		t.Error("untagged image is not dangling")
	}
	if matchImage(Filters{}, img, t0, time.Time{}) {
		t.Error("image created at the before bound matched")
	}
	if !matchImage(Filters{}, img, t0.Add(time.Second), t0.Add(-time.Second)) {
		t.Error("image between the bounds did not match")
	}
	tagged := &cstorage.Image{Names: []string{"x"}}
	if matchImage(Filters{Dangling: &yes}, tagged, time.Time{}, time.Time{}) {
		t.Error("tagged image is dangling")
	}
}
