package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/storage"
)

// addLayer commits a new image on top of parent after change edits its
// mounted root filesystem.
func addLayer(t *testing.T, st storage.Store, parent, createdBy string, change func(root string)) string {
	t.Helper()
	ctr, err := st.CreateContainer("", nil, parent, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.DeleteContainer(ctr.ID) }()
	root, err := st.Mount(ctr.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	change(root)
	if _, err := st.Unmount(ctr.ID, true); err != nil {
		t.Fatal(err)
	}
	loc, err := Lookup(st, parent)
	if err != nil {
		t.Fatal(err)
	}
	id, err := Commit(context.Background(), st, CommitOptions{
		Layer: ctr.LayerID, Parent: parent, Config: loc.Config.Config, CreatedBy: createdBy,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// layerEntries lists the entries of a layer's own diff, without "./" and
// trailing slashes.
func layerEntries(t *testing.T, st storage.Store, layer string) []string {
	t.Helper()
	c := archive.Uncompressed
	rc, err := st.Diff("", layer, &cstorage.DiffOptions{Compression: &c})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/"))
	}
	// Drain the stream: closing it early races with storage's reader of
	// the layer's tar-split data.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// imageFiles returns the regular files of the image's root filesystem.
func imageFiles(t *testing.T, st storage.Store, id string) map[string]string {
	t.Helper()
	img, err := st.Image(id)
	if err != nil {
		t.Fatal(err)
	}
	root, err := st.Mount(img.TopLayer, "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = st.Unmount(img.TopLayer, true) }()
	files := map[string]string{}
	must(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[rel] = string(b)
		return err
	}))
	return files
}

func TestSquash(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "rootfs.tar")
	must(t, os.WriteFile(file, testTar(t, map[string]string{"a": "a1", "b": "b1", "dir/c": "c1"}), 0o644))
	base, err := Import(ctx, st, ImportOptions{Source: file, Changes: []string{`CMD ["/b"]`, "ENV E=1"}})
	must(t, err)
	l2 := addLayer(t, st, base, "step 2", func(root string) {
		must(t, os.WriteFile(filepath.Join(root, "x"), []byte("x2"), 0o644))
		must(t, os.Remove(filepath.Join(root, "a")))
		must(t, os.WriteFile(filepath.Join(root, "dir/c"), []byte("c2"), 0o644))
	})
	top := addLayer(t, st, l2, "step 3", func(root string) {
		must(t, os.WriteFile(filepath.Join(root, "y"), []byte("y3"), 0o644))
		must(t, os.Remove(filepath.Join(root, "x")))
		must(t, os.WriteFile(filepath.Join(root, "dir/d"), []byte("d3"), 0o644))
	})
	want := map[string]string{"b": "b1", "dir/c": "c2", "dir/d": "d3", "y": "y3"}
	orig, err := Lookup(st, top)
	must(t, err)
	origChain, err := layerIDs(st, orig.TopLayer)
	must(t, err)
	if got := imageFiles(t, st, top); !mapsEqual(got, want) {
		t.Fatalf("test image files = %v, want %v", got, want)
	}

	for _, tc := range []struct {
		keep       int
		layers     int
		history    []string // CreatedBy of each entry
		topEntries []string // the new top layer's own entries
	}{
		{1, 2, []string{"import", "squash: 2 layers merged into one"}, []string{".wh.a", "dir", "dir/c", "dir/d", "y"}},
		{0, 1, []string{"squash: 3 layers merged into one"}, []string{"b", "dir", "dir/c", "dir/d", "y"}},
		{2, 3, []string{"import", "step 2", "squash: 1 layer merged into one"}, []string{".wh.x", "dir", "dir/d", "y"}},
	} {
		id, err := Squash(ctx, st, top, tc.keep)
		if err != nil {
			t.Fatalf("Squash(keep %d): %v", tc.keep, err)
		}
		if id == top {
			t.Fatalf("Squash(keep %d) returned the original image", tc.keep)
		}
		loc, err := Lookup(st, id)
		must(t, err)
		chain, err := layerIDs(st, loc.TopLayer)
		must(t, err)
		if len(chain) != tc.layers || len(loc.Config.RootFS.DiffIDs) != tc.layers {
			t.Errorf("keep %d: %d layers, %d diff IDs; want %d", tc.keep, len(chain), len(loc.Config.RootFS.DiffIDs), tc.layers)
		}
		if got := imageFiles(t, st, id); !mapsEqual(got, want) {
			t.Errorf("keep %d: files = %v, want %v", tc.keep, got, want)
		}
		if got := layerEntries(t, st, loc.TopLayer); !slices.Equal(got, tc.topEntries) {
			t.Errorf("keep %d: top layer entries = %v, want %v", tc.keep, got, tc.topEntries)
		}
		var hist []string
		for i, h := range loc.Config.History {
			if i == 0 && tc.keep > 0 && h.CreatedBy == orig.Config.History[0].CreatedBy {
				h.CreatedBy = "import"
			}
			hist = append(hist, h.CreatedBy)
		}
		if !slices.Equal(hist, tc.history) {
			t.Errorf("keep %d: history = %q, want %q", tc.keep, hist, tc.history)
		}
		if !slices.Equal(loc.Config.Config.Cmd, []string{"/b"}) || !slices.Equal(loc.Config.Config.Env, orig.Config.Config.Env) ||
			!loc.Config.Created.Equal(*orig.Config.Created) {
			t.Errorf("keep %d: config = %+v, want that of the original", tc.keep, loc.Config)
		}
		if len(loc.Names) != 0 {
			t.Errorf("keep %d: names = %v, want none", tc.keep, loc.Names)
		}
		if len(chain) == tc.layers && !slices.Equal(chain[:tc.keep], origChain[:tc.keep]) {
			t.Errorf("keep %d: layers %v do not start with the original's %v", tc.keep, chain, origChain)
		}
	}
	// The original is untouched; nothing to merge returns it.
	after, err := Lookup(st, top)
	must(t, err)
	if after.TopLayer != orig.TopLayer || len(after.Config.History) != 3 {
		t.Errorf("original changed: %+v", after)
	}
	if id, err := Squash(ctx, st, top, 3); err != nil || id != top {
		t.Errorf("Squash(keep 3) = %s, %v; want the image itself", id, err)
	}
	if _, err := Squash(ctx, st, top, -1); err == nil {
		t.Error("Squash(keep -1): no error")
	}
	if _, err := Squash(ctx, st, "0123456789ab", 0); err == nil {
		t.Error("Squash(missing image): no error")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestKeptHistory(t *testing.T) {
	hist := []v1.History{
		{CreatedBy: "base"}, {CreatedBy: "base cmd", EmptyLayer: true},
		{CreatedBy: "run 1"}, {CreatedBy: "env", EmptyLayer: true}, {CreatedBy: "run 2"},
	}
	for _, tc := range []struct {
		keep int
		want []string
	}{
		{0, nil},
		{1, []string{"base", "base cmd"}},
		{2, []string{"base", "base cmd", "run 1", "env"}},
		{3, []string{"base", "base cmd", "run 1", "env", "run 2"}},
	} {
		var got []string
		for _, h := range keptHistory(hist, tc.keep) {
			got = append(got, h.CreatedBy)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("keptHistory(keep %d) = %q, want %q", tc.keep, got, tc.want)
		}
	}
}
