package image

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	nocache "go.podman.io/image/v5/pkg/blobinfocache/none"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/tarball"

	"github.com/pod-project/pod/storage"
)

func TestLayerID(t *testing.T) {
	a := digest.FromString("a")
	b := digest.FromString("b")
	if got := LayerID("", a); got != a.Encoded() {
		t.Errorf("base layer ID = %s, want the diff ID's hex %s", got, a.Encoded())
	}
	want := digest.FromString(a.Encoded() + "+" + b.Encoded()).Encoded()
	if got := LayerID(a.Encoded(), b); got != want {
		t.Errorf("LayerID(a, b) = %s, want %s", got, want)
	}
	if got := ChainIDs([]digest.Digest{a, b}); !slices.Equal(got, []string{a.Encoded(), want}) {
		t.Errorf("ChainIDs = %v", got)
	}
	if got := ChainIDs(nil); len(got) != 0 {
		t.Errorf("ChainIDs(nil) = %v", got)
	}
}

// layerRecord is what storage keeps of a layer, minus times.
type layerRecord struct {
	ID, Parent                           string
	CompressedDigest, UncompressedDigest digest.Digest
	CompressedSize, UncompressedSize     int64
	UIDs, GIDs                           []uint32
	CompressionType                      int
}

func layersOf(t *testing.T, st storage.Store, top string) []layerRecord {
	t.Helper()
	ids, err := layerIDs(st, top)
	if err != nil {
		t.Fatal(err)
	}
	var out []layerRecord
	for _, id := range ids {
		l, err := st.Layer(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, layerRecord{l.ID, l.Parent, l.CompressedDigest, l.UncompressedDigest,
			l.CompressedSize, l.UncompressedSize, l.UIDs, l.GIDs, int(l.CompressionType)})
	}
	return out
}

// imageRecord is what storage keeps of an image that the writer must
// reproduce.
type imageRecord struct {
	ID, TopLayer, Metadata string
	Digest                 digest.Digest
	Digests                []digest.Digest
	Names                  []string
	Created                string
	BigData                map[string]digest.Digest
}

func imageOf(t *testing.T, st storage.Store, id string) imageRecord {
	t.Helper()
	img, err := st.Image(id)
	if err != nil {
		t.Fatal(err)
	}
	digests := slices.Clone(img.Digests)
	slices.Sort(digests)
	return imageRecord{img.ID, img.TopLayer, img.Metadata, img.Digest, digests, img.Names,
		img.Created.UTC().String(), maps.Clone(img.BigDataDigests)}
}

// The writer stores an image exactly as copy.Image does: the same tars
// through the tarball transport into containers-storage, and through
// WriteLayer and WriteImage into another store, give the same layer IDs,
// top layer, image ID and records.
func TestWriterMatchesCopyImage(t *testing.T) {
	viaCopy := openTestStore(t)
	viaWriter := openTestStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	var files []string
	for i, content := range []map[string]string{
		{"etc/hostname": "base\n", "bin/tool": "#!/bin/sh\n"},
		{"etc/hostname": "second\n", "data/x": strings.Repeat("x", 5000)},
	} {
		p := filepath.Join(dir, string(rune('a'+i))+".tar")
		if err := os.WriteFile(p, testTar(t, content), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	named, err := reference.ParseNormalizedNamed("example.com/team/app:1")
	if err != nil {
		t.Fatal(err)
	}

	tref, err := tarball.NewReference(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	dest, err := istorage.Transport.NewStoreReference(viaCopy, named, "")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := acceptAnything()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pc.Destroy() }()
	sys := SystemContext(viaCopy, t.TempDir())
	if _, err := copy.Image(ctx, pc, dest, tref, &copy.Options{SourceCtx: sys, DestinationCtx: sys}); err != nil {
		t.Fatal(err)
	}
	copied, err := istorage.Transport.GetStoreImage(viaCopy, dest)
	if err != nil {
		t.Fatal(err)
	}

	// The same manifest and config, from the same source.
	src, err := tref.NewImageSource(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	mb, _, err := src.GetManifest(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.FromBlob(mb, manifest.GuessMIMEType(mb))
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := src.GetBlob(ctx, m.ConfigInfo(), nocache.NoCache)
	if err != nil {
		t.Fatal(err)
	}
	config, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	parent := ""
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		l, err := WriteLayer(viaWriter, parent, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		parent = l.ID
	}
	written, err := WriteImage(viaWriter, Record{TopLayer: parent, Config: config, Manifest: mb, Names: []string{named.String()}})
	if err != nil {
		t.Fatal(err)
	}

	if written.ID != copied.ID || written.TopLayer != copied.TopLayer {
		t.Fatalf("writer: image %s on layer %s; copy.Image: image %s on layer %s", written.ID, written.TopLayer, copied.ID, copied.TopLayer)
	}
	if written.ID != digest.FromBytes(config).Encoded() {
		t.Errorf("image ID %s is not the config digest", written.ID)
	}
	wl, cl := layersOf(t, viaWriter, written.TopLayer), layersOf(t, viaCopy, copied.TopLayer)
	if len(cl) != 2 || !slices.EqualFunc(wl, cl, func(a, b layerRecord) bool {
		ab, _ := json.Marshal(a)
		bb, _ := json.Marshal(b)
		return bytes.Equal(ab, bb)
	}) {
		t.Errorf("layers:\nwriter    %+v\ncopy.Image %+v", wl, cl)
	}
	if wi, ci := imageOf(t, viaWriter, written.ID), imageOf(t, viaCopy, copied.ID); !sameJSON(wi, ci) {
		t.Errorf("image records:\nwriter    %+v\ncopy.Image %+v", wi, ci)
	}

	// Written again: the layers and the image are found, not made twice.
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := WriteLayer(viaWriter, "", io.MultiReader(f)) // a stream: spooled
	if err != nil || l.ID != wl[0].ID {
		t.Fatalf("rewriting the base layer: %+v, %v", l, err)
	}
	if _, err := WriteImage(viaWriter, Record{TopLayer: parent, Config: config, Manifest: mb, Names: []string{"example.com/x:2"}}); err != nil {
		t.Fatal(err)
	}
	if all, _ := viaWriter.Layers(); len(all) != 2 {
		t.Errorf("%d layers after writing again, want 2", len(all))
	}
	if img, _ := viaWriter.Image(written.ID); !slices.Equal(slices.Sorted(slices.Values(img.Names)), []string{"example.com/team/app:1", "example.com/x:2"}) {
		t.Errorf("names after writing again: %v", img.Names)
	}
	if entries, _ := os.ReadDir(filepath.Join(viaWriter.GraphRoot(), "tmp")); len(entries) != 0 {
		t.Errorf("temporary files left in the store: %v", entries)
	}
}

func sameJSON(a, b any) bool {
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	return bytes.Equal(ab, bb)
}

// An image of an older pod (random layer IDs) keeps its layers when the
// same image is written again: the same config is the same content.
func TestWriteImageKeepsExistingLayers(t *testing.T) {
	st := openTestStore(t)
	diff := testTar(t, map[string]string{"a": "a"})
	old, _, err := st.PutLayer("", "", nil, "", false, nil, bytes.NewReader(diff))
	if err != nil {
		t.Fatal(err)
	}
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["` + digest.FromBytes(diff).String() + `"]}}`)
	layer := v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: digest.FromBytes(diff), Size: int64(len(diff))}
	mb, err := MakeManifest(v1.MediaTypeImageManifest, cfg, []v1.Descriptor{layer}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateImage(digest.FromBytes(cfg).Encoded(), nil, old.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	l, err := WriteLayer(st, "", bytes.NewReader(diff))
	if err != nil || l.ID != LayerID("", digest.FromBytes(diff)) {
		t.Fatalf("WriteLayer = %+v, %v", l, err)
	}
	img, err := WriteImage(st, Record{TopLayer: l.ID, Config: cfg, Manifest: mb, Names: []string{"localhost/old:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if img.TopLayer != old.ID || !slices.Equal(img.Names, []string{"localhost/old:1"}) || img.Digest != digest.FromBytes(mb) {
		t.Errorf("rewritten old image = %+v", img)
	}
	s, err := ReadStored(st, img.ID)
	if err != nil || !bytes.Equal(s.ConfigBlob, cfg) || !bytes.Equal(s.ManifestBlob, mb) {
		t.Errorf("ReadStored of the rewritten image: %+v, %v", s, err)
	}
}

func TestWriteImageRejectsOtherConfig(t *testing.T) {
	st := openTestStore(t)
	mb, err := MakeManifest(v1.MediaTypeImageManifest, []byte(`{"os":"linux"}`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteImage(st, Record{Config: []byte(`{"os":"other"}`), Manifest: mb}); err == nil || !strings.Contains(err.Error(), "names config") {
		t.Errorf("a manifest of another config: %v", err)
	}
	if imgs, _ := st.Images(); len(imgs) != 0 {
		t.Errorf("images stored: %v", imgs)
	}
}

func TestMakeManifest(t *testing.T) {
	cfg := []byte(`{"os":"linux"}`)
	layers := []v1.Descriptor{
		{MediaType: v1.MediaTypeImageLayerGzip, Digest: digest.FromString("g"), Size: 3},
		{MediaType: v1.MediaTypeImageLayer, Digest: digest.FromString("t"), Size: 4},
	}
	for _, c := range []struct {
		mt, config string
		layerTypes []string
	}{
		{manifest.DockerV2Schema2MediaType, manifest.DockerV2Schema2ConfigMediaType,
			[]string{manifest.DockerV2Schema2LayerMediaType, manifest.DockerV2SchemaLayerMediaTypeUncompressed}},
		{v1.MediaTypeImageManifest, v1.MediaTypeImageConfig, []string{v1.MediaTypeImageLayerGzip, v1.MediaTypeImageLayer}},
	} {
		mb, err := MakeManifest(c.mt, cfg, layers, map[string]string{"a": "b"})
		if err != nil {
			t.Fatal(err)
		}
		if got := manifest.GuessMIMEType(mb); got != c.mt {
			t.Errorf("%s: manifest guessed as %s", c.mt, got)
		}
		m, err := manifest.FromBlob(mb, c.mt)
		if err != nil {
			t.Fatal(err)
		}
		ci := m.ConfigInfo()
		if ci.Digest != digest.FromBytes(cfg) || ci.Size != int64(len(cfg)) || ci.MediaType != c.config {
			t.Errorf("%s: config %+v", c.mt, ci)
		}
		var got []string
		for _, l := range m.LayerInfos() {
			got = append(got, l.MediaType)
		}
		if !slices.Equal(got, c.layerTypes) {
			t.Errorf("%s: layer types %v, want %v", c.mt, got, c.layerTypes)
		}
	}
	if _, err := MakeManifest("application/vnd.docker.distribution.manifest.v1+json", cfg, nil, nil); err == nil {
		t.Error("schema 1: want an error")
	}
}
