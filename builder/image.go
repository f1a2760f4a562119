package builder

import (
	"encoding/json"
	"fmt"
	"io"
	goruntime "runtime"
	"slices"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
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
	OSVersion    string       `json:"os.version,omitempty"`
	OSFeatures   []string     `json:"os.features,omitempty"`
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
	stored, err := image.ReadStored(st, id)
	if err != nil {
		return nil, err
	}
	s := scratchState()
	s.ID, s.TopLayer = stored.Image.ID, stored.Image.TopLayer
	for _, l := range stored.Layers() {
		s.Layers = append(s.Layers, layerDesc{MediaType: l.MediaType, Digest: l.Digest, Size: l.Size})
	}
	if stored.ConfigBlob != nil {
		if err := json.Unmarshal(stored.ConfigBlob, &s.Image); err != nil {
			return nil, fmt.Errorf("parsing config of image %s: %w", stored.Image.ID[:12], err)
		}
	}
	if s.Image.RootFS.Type == "" {
		s.Image.RootFS.Type = "layers"
	}
	return s, nil
}

// addLayer stores diff (an uncompressed tar) as a new layer on s's top
// layer and records it in s with a history entry.
func (s *state) addLayer(st storage.Store, diff io.Reader, h v1.History) error {
	l, err := image.WriteLayer(st, s.TopLayer, diff)
	if err != nil {
		return err
	}
	s.TopLayer = l.ID
	s.Layers = append(s.Layers, layerDesc{MediaType: v1.MediaTypeImageLayer, Digest: l.DiffID, Size: l.Size})
	s.Image.RootFS.DiffIDs = append(s.Image.RootFS.DiffIDs, l.DiffID)
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
	mt, annotations := manifest.DockerV2Schema2MediaType, map[string]string(nil)
	if format == FormatOCI {
		mt, annotations = v1.MediaTypeImageManifest, s.Annotations
	}
	layers := make([]v1.Descriptor, 0, len(s.Layers))
	for _, l := range s.Layers {
		layers = append(layers, v1.Descriptor{MediaType: l.MediaType, Digest: l.Digest, Size: l.Size})
	}
	man, err = image.MakeManifest(mt, config, layers, annotations)
	return config, man, mt, err
}

// commit stores s as an image through the image writer (its ID is the
// config's digest) and returns the ID; an identical image that exists
// already is reused, on its own layers.
func (s *state) commit(st storage.Store, format string) (string, error) {
	config, man, _, err := s.blobs(format)
	if err != nil {
		return "", err
	}
	img, err := image.WriteImage(st, image.Record{TopLayer: s.TopLayer, Config: config, Manifest: man})
	if err != nil {
		return "", err
	}
	s.ID, s.TopLayer = img.ID, img.TopLayer
	return img.ID, nil
}
