package image

import (
	"reflect"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestHistoryEntries(t *testing.T) {
	t1, t2, t3 := time.Unix(100, 0), time.Unix(200, 0), time.Unix(300, 0)
	cfg := &v1.Image{History: []v1.History{
		{Created: &t1, CreatedBy: "ADD rootfs", Comment: "base"},
		{Created: &t2, CreatedBy: "ENV A=1", EmptyLayer: true},
		{Created: &t3, CreatedBy: "RUN make"},
	}}
	got := historyEntries(cfg, "top", []int64{1000, 20}, map[int]string{1: "mid"})
	want := []HistoryEntry{
		{ID: "top", Created: t3, CreatedBy: "RUN make", Size: 20},
		{ID: "mid", Created: t2, CreatedBy: "ENV A=1", EmptyLayer: true},
		{ID: "", Created: t1, CreatedBy: "ADD rootfs", Comment: "base", Size: 1000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestHistoryEntriesWithoutHistory(t *testing.T) {
	created := time.Unix(50, 0)
	cfg := &v1.Image{Created: &created, RootFS: v1.RootFS{DiffIDs: []digest.Digest{"sha256:a", "sha256:b"}}}
	got := historyEntries(cfg, "id", []int64{1, 2}, nil)
	if len(got) != 2 || got[0].ID != "id" || got[0].Size != 2 || got[1].ID != "" || got[1].Size != 1 || !got[1].Created.Equal(created) {
		t.Fatalf("got %+v", got)
	}
	if got := historyEntries(&v1.Image{}, "id", nil, nil); len(got) != 1 || got[0].ID != "id" {
		t.Fatalf("empty config: %+v", got)
	}
}

func TestSameHistory(t *testing.T) {
	t1 := time.Unix(1, 0)
	t1b := time.Unix(1, 0).UTC()
	a := []v1.History{{Created: &t1, CreatedBy: "x"}}
	if !sameHistory(a, []v1.History{{Created: &t1b, CreatedBy: "x"}}) {
		t.Error("equal histories differ")
	}
	if sameHistory(a, []v1.History{{CreatedBy: "x"}}) || sameHistory(a, []v1.History{{Created: &t1, CreatedBy: "y"}}) {
		t.Error("different histories are the same")
	}
}

func TestInspectData(t *testing.T) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 5, time.UTC)
	loc := &Local{
		ID:      hex64,
		Names:   []string{"docker.io/library/demo:2", "docker.io/library/demo:1", "quay.io/x/y:3"},
		Digest:  "sha256:" + hex64,
		Created: created,
		Config: &v1.Image{
			Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
			Config:   v1.ImageConfig{Cmd: []string{"sh"}, User: "1000"},
			RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{"sha256:aa"}},
			History:  []v1.History{{Comment: "old"}, {Comment: "imported"}},
		},
	}
	d := inspectData(loc, nil)
	if d.Id != "sha256:"+hex64 || d.Created != "2024-05-01T12:00:00.000000005Z" || d.Comment != "imported" ||
		d.Os != "linux" || d.Architecture != "amd64" || d.Config.User != "1000" ||
		!reflect.DeepEqual(d.RepoTags, []string{"demo:1", "demo:2", "quay.io/x/y:3"}) ||
		!reflect.DeepEqual(d.RepoDigests, []string{"demo@sha256:" + hex64, "quay.io/x/y@sha256:" + hex64}) ||
		!reflect.DeepEqual(d.RootFS, RootFS{Type: "layers", Layers: []string{"sha256:aa"}}) {
		t.Fatalf("inspect = %+v", d)
	}
	empty := inspectData(&Local{ID: hex64, Config: &v1.Image{}}, nil)
	if empty.RepoTags == nil || empty.RepoDigests == nil || empty.History == nil || empty.RootFS.Layers == nil || empty.RootFS.Type != "layers" {
		t.Fatalf("empty lists must be [] in JSON: %+v", empty)
	}
}
