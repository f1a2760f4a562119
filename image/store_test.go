package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/pod-project/pod/storage"
)

// testTar makes a small tar archive holding files name -> content.
func testTar(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := files[n]
		hdr := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg, ModTime: time.Unix(1e9, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipped(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzed(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openTestStore opens a vfs store in a temporary directory; it needs root.
func openTestStore(t *testing.T) storage.Store {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: opening a vfs store needs root (run the tests as root to cover import, lookup, list, rmi)")
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	st, _, err := storage.Open(storage.Options{
		GraphRoot: filepath.Join(dir, "graph"), RunRoot: filepath.Join(dir, "run"), Driver: "vfs",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = st.Shutdown(true) })
	return st
}

func TestStoreLifecycle(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "rootfs.tar.gz")
	if err := os.WriteFile(file, gzipped(t, testTar(t, map[string]string{"hello.txt": "hello\n"})), 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := Import(ctx, st, ImportOptions{
		Source: file, Reference: "demo:1", Message: "first",
		Changes: []string{`CMD ["/bin/sh"]`, "ENV A=1", "WORKDIR /w", "LABEL l=v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 64 || !isHex(id) {
		t.Fatalf("id %q is not 64 hex", id)
	}

	// Lookup by every form.
	for _, s := range []string{"demo:1", "docker.io/library/demo:1", id, id[:5], "sha256:" + id, "sha256:" + id[:7]} {
		loc, err := Lookup(st, s)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", s, err)
		}
		if loc.ID != id {
			t.Fatalf("Lookup(%q) = %s, want %s", s, loc.ID, id)
		}
	}
	loc, err := Lookup(st, "demo:1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loc.Config.Config.Cmd, []string{"/bin/sh"}) || loc.Config.Config.WorkingDir != "/w" ||
		loc.Config.OS != runtime.GOOS || loc.Config.Architecture != runtime.GOARCH {
		t.Fatalf("config = %+v", loc.Config)
	}
	if time.Since(loc.Created) > time.Minute || loc.Digest == "" || loc.TopLayer == "" {
		t.Fatalf("local = %+v", loc)
	}
	if !slices.Equal(loc.Names, []string{"docker.io/library/demo:1"}) {
		t.Fatalf("names = %v", loc.Names)
	}
	if got, err := Lookup(st, "demo@"+loc.Digest.String()); err != nil || got.ID != id {
		t.Fatalf("Lookup(name@digest) = %v, %v", got, err)
	}
	if _, err := Lookup(st, "other@"+loc.Digest.String()); !errors.Is(err, ErrNoSuchImage) {
		t.Fatalf("Lookup(other repo@digest) = %v, want ErrNoSuchImage", err)
	}
	if _, err := Lookup(st, "demo"); !errors.Is(err, ErrNoSuchImage) {
		t.Fatalf("Lookup(demo) = %v, want ErrNoSuchImage", err)
	}
	if _, err := Lookup(st, "Bad Name!"); !errors.Is(err, ErrBadReference) {
		t.Fatalf("Lookup(bad) = %v, want ErrBadReference", err)
	}

	// A second, untagged image from xz on stdin.
	id2, err := Import(ctx, st, ImportOptions{Source: "-", Stdin: bytes.NewReader(xzed(t, testTar(t, map[string]string{"b.txt": "b"})))})
	if err != nil {
		t.Fatal(err)
	}

	// The container's root filesystem holds the imported file.
	c, err := st.CreateContainer("", []string{"ctr1"}, id, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	mnt, err := st.Mount(c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(mnt, "hello.txt"))
	if err != nil || string(b) != "hello\n" {
		t.Fatalf("hello.txt = %q, %v", b, err)
	}
	if _, err := st.Unmount(c.ID, true); err != nil {
		t.Fatal(err)
	}

	for _, target := range []string{"demo:2", "other/repo:x"} {
		if err := Tag(st, "demo:1", target); err != nil {
			t.Fatal(err)
		}
	}
	if err := Tag(st, "demo:1", "localhost/app"); err != nil {
		t.Fatal(err)
	}
	if got, err := Lookup(st, "app"); err != nil || got.ID != id {
		t.Fatalf("Lookup(app) for localhost/app = %v, %v", got, err)
	}
	if res := Remove(st, []string{"app"}, RemoveOptions{}); res[0].Err != nil || res[0].Untagged[0] != "localhost/app:latest" {
		t.Fatalf("rmi app = %+v", res[0])
	}
	if err := Tag(st, "demo:1", "x@sha256:"+id); !errors.Is(err, ErrBadReference) {
		t.Fatalf("Tag to a digest = %v, want ErrBadReference", err)
	}

	rows, err := List(st, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Repository+":"+r.Tag)
	}
	want := []string{"<none>:<none>", "demo:1", "demo:2", "other/repo:x"}
	if !slices.Equal(got, want) {
		t.Fatalf("list = %v, want %v (newest first)", got, want)
	}
	if rows[1].Size == 0 || rows[1].ID != id || rows[1].Digest == "" || rows[0].Digest != "" {
		t.Fatalf("rows = %+v", rows)
	}
	rows, err = List(st, ListOptions{Filters: []string{"dangling=true"}})
	if err != nil || len(rows) != 1 || rows[0].ID != id2 {
		t.Fatalf("dangling rows = %+v, %v", rows, err)
	}
	rows, err = List(st, ListOptions{Reference: "demo"})
	if err != nil || len(rows) != 2 {
		t.Fatalf("demo rows = %+v, %v", rows, err)
	}
	rows, err = List(st, ListOptions{Filters: []string{"label=l=v"}})
	if err != nil || len(rows) != 3 {
		t.Fatalf("label rows = %+v, %v", rows, err)
	}

	hist, err := History(ctx, st, "demo:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].ID != id || hist[0].Comment != "first" || hist[0].Size == 0 || time.Since(hist[0].Created) > time.Minute {
		t.Fatalf("history = %+v", hist)
	}
	hist2, err := History(ctx, st, id2)
	if err != nil || hist2[0].Comment != "Imported from -" {
		t.Fatalf("history of stdin import = %+v, %v", hist2, err)
	}

	data, err := Inspect(ctx, st, "demo:2")
	if err != nil {
		t.Fatal(err)
	}
	if data.Id != "sha256:"+id || !slices.Equal(data.RepoTags, []string{"demo:1", "demo:2", "other/repo:x"}) ||
		data.Os != runtime.GOOS || len(data.RootFS.Layers) != 1 || data.Comment != "first" ||
		data.Config.Labels["l"] != "v" || len(data.RepoDigests) != 2 || data.Size == 0 {
		t.Fatalf("inspect = %+v", data)
	}

	// rmi: untag by name, refuse by ID across repositories, refuse in use.
	res := Remove(st, []string{"demo:2"}, RemoveOptions{})
	if res[0].Err != nil || !slices.Equal(res[0].Untagged, []string{"demo:2"}) || res[0].Deleted != "" {
		t.Fatalf("rmi demo:2 = %+v", res[0])
	}
	res = Remove(st, []string{id[:12]}, RemoveOptions{})
	if !errors.Is(res[0].Err, ErrMultipleRepositories) {
		t.Fatalf("rmi by ID = %+v, want ErrMultipleRepositories", res[0])
	}
	res = Remove(st, []string{"other/repo:x"}, RemoveOptions{})
	if res[0].Err != nil || res[0].Deleted != "" {
		t.Fatalf("rmi other/repo:x = %+v", res[0])
	}
	res = Remove(st, []string{"demo:1", "nope", id2}, RemoveOptions{})
	if !errors.Is(res[0].Err, ErrImageInUse) || !errors.Is(res[1].Err, ErrNoSuchImage) || res[2].Err != nil || res[2].Deleted != id2 {
		t.Fatalf("rmi several = %+v", res)
	}
	if msg := res[0].Err.Error(); !bytes.Contains([]byte(msg), []byte("ctr1")) || !bytes.Contains([]byte(msg), []byte("pod rm")) {
		t.Fatalf("in-use error %q names neither the container nor the fix", msg)
	}
	var asked []string
	removeContainers := func(ids []string) error {
		asked = append(asked, ids...)
		for _, c := range ids {
			if err := st.DeleteContainer(c); err != nil {
				return err
			}
		}
		return nil
	}
	res = Remove(st, []string{"demo:1"}, RemoveOptions{Force: true, RemoveContainers: removeContainers})
	if res[0].Err != nil || res[0].Deleted != id || len(res[0].RemovedContainers) != 1 || len(asked) != 1 || asked[0] != res[0].RemovedContainers[0] {
		t.Fatalf("rmi -f = %+v", res[0])
	}
	if imgs, _ := st.Images(); len(imgs) != 0 {
		t.Fatalf("images left: %v", imgs)
	}
	if cs, _ := st.Containers(); len(cs) != 0 {
		t.Fatalf("containers left: %v", cs)
	}
}

func TestImportRejectsNonTar(t *testing.T) {
	st := openTestStore(t)
	_, err := Import(context.Background(), st, ImportOptions{Source: "-", Stdin: bytes.NewReader([]byte("this is not a tar archive, just text that is long enough to fail"))})
	if !errors.Is(err, ErrBadSource) {
		t.Fatalf("Import(text) = %v, want ErrBadSource", err)
	}
	_, err = Import(context.Background(), st, ImportOptions{Source: "/nonexistent.tar"})
	if !errors.Is(err, ErrBadSource) {
		t.Fatalf("Import(missing) = %v, want ErrBadSource", err)
	}
}
