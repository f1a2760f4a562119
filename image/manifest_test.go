package image

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"
)

// The reader gives back what the writer stored: the manifest with its
// type, layers with OCI media types, the config raw (Docker-only fields
// kept) and parsed.
func TestReadStored(t *testing.T) {
	st := openTestStore(t)
	diff := testTar(t, map[string]string{"f": "content"})
	l, err := WriteLayer(st, "", bytes.NewReader(diff))
	if err != nil {
		t.Fatal(err)
	}
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],` +
		`"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":5000000000}},` +
		`"rootfs":{"type":"layers","diff_ids":["` + l.DiffID.String() + `"]}}`)
	mb, err := MakeManifest(manifest.DockerV2Schema2MediaType, cfg, []v1.Descriptor{l.Descriptor()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := WriteImage(st, Record{TopLayer: l.ID, Config: cfg, Manifest: mb})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadStored(st, img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Image.ID != img.ID || s.ManifestType != manifest.DockerV2Schema2MediaType || !bytes.Equal(s.ManifestBlob, mb) {
		t.Errorf("manifest: %s %s", s.Image.ID, s.ManifestType)
	}
	want := []v1.Descriptor{{MediaType: v1.MediaTypeImageLayer, Digest: l.DiffID, Size: int64(len(diff))}}
	if got := s.Layers(); !sameJSON(got, want) {
		t.Errorf("layers = %+v, want %+v", got, want)
	}
	if !bytes.Equal(s.ConfigBlob, cfg) || !slices.Equal(s.Config.Config.Cmd, []string{"/bin/sh"}) || s.Config.RootFS.DiffIDs[0] != l.DiffID {
		t.Errorf("config = %s / %+v", s.ConfigBlob, s.Config)
	}
	var docker struct {
		Config struct{ Healthcheck struct{ Test []string } }
	}
	if json.Unmarshal(s.ConfigBlob, &docker) != nil || len(docker.Config.Healthcheck.Test) != 2 {
		t.Errorf("the raw config lost the Docker-only Healthcheck: %s", s.ConfigBlob)
	}

	// An image stored with no manifest has an empty config, not an error.
	bare, err := st.CreateImage("", nil, l.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err = ReadStored(st, bare.ID)
	if err != nil || s.Manifest != nil || s.ConfigBlob != nil || s.Config == nil || s.Layers() != nil {
		t.Errorf("bare image: %+v, %v", s, err)
	}
	if _, err := ReadStored(st, digest.FromString("none").Encoded()); !errors.Is(err, cstorage.ErrImageUnknown) {
		t.Errorf("missing image: %v", err)
	}
}

func TestLayerTypes(t *testing.T) {
	for in, want := range map[string]string{
		manifest.DockerV2Schema2LayerMediaType:            v1.MediaTypeImageLayerGzip,
		manifest.DockerV2SchemaLayerMediaTypeUncompressed: v1.MediaTypeImageLayer,
		"":                         v1.MediaTypeImageLayer,
		v1.MediaTypeImageLayerZstd: v1.MediaTypeImageLayerZstd,
		v1.MediaTypeImageLayerGzip: v1.MediaTypeImageLayerGzip,
	} {
		if got := ociLayerType(in); got != want {
			t.Errorf("ociLayerType(%q) = %q, want %q", in, got, want)
		}
	}
	for _, mt := range []string{v1.MediaTypeImageLayerGzip, v1.MediaTypeImageLayer} {
		if got := ociLayerType(dockerLayerType(mt)); got != mt {
			t.Errorf("%s → Docker → OCI = %s", mt, got)
		}
	}
}
