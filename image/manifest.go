package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// Stored is what containers-storage keeps of an image beside its layers:
// the manifest and the config, as copy.Image and WriteImage store them
// (the manifest under "manifest", the config under its digest's string).
// It is the one reader of both.
type Stored struct {
	Image *cstorage.Image
	// ManifestBlob and ManifestType are the manifest as stored; Manifest is
	// it parsed. All three are empty for an image stored without one.
	ManifestBlob []byte
	ManifestType string
	Manifest     manifest.Manifest
	// ConfigBlob is the config as stored, with every field, Docker's own
	// (Healthcheck, OnBuild, Shell) too; nil when the image has none.
	ConfigBlob []byte
	// Config is ConfigBlob parsed as OCI's image config; never nil.
	Config *v1.Image
}

// ReadStored reads the manifest and config of the image with the full ID
// id.
func ReadStored(store storage.Store, id string) (*Stored, error) {
	img, err := store.Image(id)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", shortID(id), err)
	}
	return readStored(store, img)
}

func readStored(store storage.Store, img *cstorage.Image) (*Stored, error) {
	s := &Stored{Image: img, Config: &v1.Image{}}
	mb, err := store.ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading manifest of image %s: %w", shortID(img.ID), err)
	}
	mt := manifest.GuessMIMEType(mb)
	m, err := manifest.FromBlob(mb, mt)
	if err != nil {
		return nil, fmt.Errorf("parsing manifest of image %s: %w", shortID(img.ID), err)
	}
	s.ManifestBlob, s.ManifestType, s.Manifest = mb, mt, m
	ci := m.ConfigInfo()
	if ci.Digest == "" {
		return s, nil
	}
	cb, err := store.ImageBigData(img.ID, ci.Digest.String())
	if err != nil {
		return nil, fmt.Errorf("reading config of image %s: %w", shortID(img.ID), err)
	}
	if err := json.Unmarshal(cb, s.Config); err != nil {
		return nil, fmt.Errorf("parsing config of image %s: %w", shortID(img.ID), err)
	}
	s.ConfigBlob = cb
	return s, nil
}

// Layers returns the manifest's layers, base first, with OCI media types
// (Docker's are translated; Docker schema 2 has a place for URLs only, so
// annotations come from OCI manifests alone).
func (s *Stored) Layers() []v1.Descriptor {
	if s.Manifest == nil {
		return nil
	}
	var out []v1.Descriptor
	for _, l := range s.Manifest.LayerInfos() {
		out = append(out, v1.Descriptor{
			MediaType: ociLayerType(l.MediaType), Digest: l.Digest, Size: l.Size,
			URLs: l.URLs, Annotations: l.Annotations,
		})
	}
	return out
}

// ociLayerType is the OCI media type of a layer of media type mt.
func ociLayerType(mt string) string {
	switch mt {
	case manifest.DockerV2Schema2LayerMediaType:
		return v1.MediaTypeImageLayerGzip
	case manifest.DockerV2SchemaLayerMediaTypeUncompressed, "":
		return v1.MediaTypeImageLayer
	}
	return mt
}

// dockerLayerType is the Docker schema 2 media type of an OCI layer type.
func dockerLayerType(mt string) string {
	switch mt {
	case v1.MediaTypeImageLayerGzip:
		return manifest.DockerV2Schema2LayerMediaType
	case v1.MediaTypeImageLayer:
		return manifest.DockerV2SchemaLayerMediaTypeUncompressed
	}
	return mt
}

// readConfig reads the image's OCI config; an image with no manifest
// (made without the transport) gets an empty config.
func readConfig(store storage.Store, img *cstorage.Image) (*v1.Image, error) {
	s, err := readStored(store, img)
	if err != nil {
		return nil, err
	}
	return s.Config, nil
}
