package builder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	goruntime "runtime"
	"slices"
	"time"

	digest "github.com/opencontainers/go-digest"
	specsv1 "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// Images are written in Docker's schema 2 format by default (--format
// docker), as Docker does: its config has HEALTHCHECK, ONBUILD and SHELL.
// With --format oci the manifest and media types are OCI's, and the config
// blob still carries those three Docker fields (OCI has no place for them;
// other tools ignore them, pod reads them back).

// dockerConfig is an image's runtime config: OCI's fields plus Docker's.
type dockerConfig struct {
	v1.ImageConfig
	Healthcheck *container.HealthConfig `json:"Healthcheck,omitempty"`
	OnBuild     []string                `json:"OnBuild,omitempty"`
	Shell       []string                `json:"Shell,omitempty"`
}

// imageJSON is the config blob of an image.
type imageJSON struct {
	Created      *time.Time   `json:"created,omitempty"`
	Author       string       `json:"author,omitempty"`
	Architecture string       `json:"architecture"`
	OS           string       `json:"os"`
	Variant      string       `json:"variant,omitempty"`
	Config       dockerConfig `json:"config"`
	RootFS       v1.RootFS    `json:"rootfs"`
	History      []v1.History `json:"history,omitempty"`
}

// layerDesc is one layer of an image's manifest, with OCI media types.
type layerDesc struct {
	MediaType string
	Digest    digest.Digest
	Size      int64
}

// state is the image a step starts from (and the one it makes).
type state struct {
	ID       string // "" for scratch before any step made an image
	TopLayer string
	Layers   []layerDesc
	Image    imageJSON
	// Annotations go into an OCI manifest (the final image only).
	Annotations map[string]string
}

func scratchState() *state {
	return &state{Image: imageJSON{OS: goruntime.GOOS, Architecture: goruntime.GOARCH, RootFS: v1.RootFS{Type: "layers"}}}
}

// clone returns a copy that can be changed without touching s.
func (s *state) clone() *state {
	c := *s
	c.Layers = slices.Clone(s.Layers)
	b, _ := json.Marshal(&s.Image)
	c.Image = imageJSON{}
	_ = json.Unmarshal(b, &c.Image)
	return &c
}

// loadState reads a stored image's config and layers.
func loadState(st storage.Store, id string) (*state, error) {
	img, err := st.Image(id)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", id, err)
	}
	s := scratchState()
	s.ID, s.TopLayer = img.ID, img.TopLayer
	mb, err := st.ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return nil, fmt.Errorf("reading manifest of image %s: %w", img.ID[:12], err)
	}
	m, err := manifest.FromBlob(mb, manifest.GuessMIMEType(mb))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest of image %s: %w", img.ID[:12], err)
	}
	for _, l := range m.LayerInfos() {
		s.Layers = append(s.Layers, layerDesc{MediaType: ociLayerType(l.MediaType), Digest: l.Digest, Size: l.Size})
	}
	cb, err := st.ImageBigData(img.ID, m.ConfigInfo().Digest.String())
	if err != nil {
		return nil, fmt.Errorf("reading config of image %s: %w", img.ID[:12], err)
	}
	if err := json.Unmarshal(cb, &s.Image); err != nil {
		return nil, fmt.Errorf("parsing config of image %s: %w", img.ID[:12], err)
	}
	if s.Image.RootFS.Type == "" {
		s.Image.RootFS.Type = "layers"
	}
	return s, nil
}

func ociLayerType(mt string) string {
	switch mt {
	case manifest.DockerV2Schema2LayerMediaType:
		return v1.MediaTypeImageLayerGzip
	case manifest.DockerV2SchemaLayerMediaTypeUncompressed:
		return v1.MediaTypeImageLayer
	case "":
		return v1.MediaTypeImageLayer
	}
	return mt
}

func dockerLayerType(mt string) string {
	switch mt {
	case v1.MediaTypeImageLayerGzip:
		return manifest.DockerV2Schema2LayerMediaType
	case v1.MediaTypeImageLayer:
		return manifest.DockerV2SchemaLayerMediaTypeUncompressed
	}
	return mt
}

// addLayer stores diff (an uncompressed tar) as a new layer on s's top
// layer and records it in s with a history entry.
func (s *state) addLayer(st storage.Store, diff io.Reader, h v1.History) error {
	l, _, err := st.PutLayer("", s.TopLayer, nil, "", false, nil, diff)
	if err != nil {
		return fmt.Errorf("storing the layer: %w", err)
	}
	s.TopLayer = l.ID
	s.Layers = append(s.Layers, layerDesc{MediaType: v1.MediaTypeImageLayer, Digest: l.UncompressedDigest, Size: l.UncompressedSize})
	s.Image.RootFS.DiffIDs = append(s.Image.RootFS.DiffIDs, l.UncompressedDigest)
	s.Image.History = append(s.Image.History, h)
	return nil
}

// addHistory records a step that changed only the config.
func (s *state) addHistory(h v1.History) {
	h.EmptyLayer = true
	s.Image.History = append(s.Image.History, h)
}

// blobs returns the config and the manifest of s in the format.
func (s *state) blobs(format string) (config, man []byte, mt string, err error) {
	config, err = json.Marshal(&s.Image)
	if err != nil {
		return nil, nil, "", err
	}
	cd := digest.FromBytes(config)
	if format == FormatOCI {
		m := v1.Manifest{
			Versioned: specsv1.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
			Config: v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: cd, Size: int64(len(config))},
			Layers: []v1.Descriptor{}, Annotations: s.Annotations,
		}
		for _, l := range s.Layers {
			m.Layers = append(m.Layers, v1.Descriptor{MediaType: l.MediaType, Digest: l.Digest, Size: l.Size})
		}
		man, err = json.Marshal(&m)
		return config, man, v1.MediaTypeImageManifest, err
	}
	var layers []manifest.Schema2Descriptor
	for _, l := range s.Layers {
		layers = append(layers, manifest.Schema2Descriptor{MediaType: dockerLayerType(l.MediaType), Digest: l.Digest, Size: l.Size})
	}
	m := manifest.Schema2FromComponents(manifest.Schema2Descriptor{
		MediaType: manifest.DockerV2Schema2ConfigMediaType, Digest: cd, Size: int64(len(config)),
	}, layers)
	man, err = m.Serialize()
	return config, man, manifest.DockerV2Schema2MediaType, err
}

// commit stores s as an image (its ID is the config's digest) and returns
// the ID; an identical image that exists already is reused.
func (s *state) commit(st storage.Store, format string, created time.Time) (string, error) {
	config, man, _, err := s.blobs(format)
	if err != nil {
		return "", err
	}
	cd, md := digest.FromBytes(config), digest.FromBytes(man)
	opts := &cstorage.ImageOptions{
		CreationDate: created, Digest: md,
		BigData: []cstorage.ImageBigDataOption{
			{Key: cd.String(), Data: config, Digest: cd},
			{Key: cstorage.ImageDigestManifestBigDataNamePrefix + "-" + md.String(), Data: man, Digest: md},
			{Key: cstorage.ImageDigestBigDataKey, Data: man, Digest: md},
		},
	}
	id := cd.Encoded()
	if _, err := st.CreateImage(id, nil, s.TopLayer, "", opts); err != nil {
		if !errors.Is(err, cstorage.ErrDuplicateID) {
			return "", fmt.Errorf("storing image: %w", err)
		}
	}
	s.ID = id
	return id, nil
}
