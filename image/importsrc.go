package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	nocache "go.podman.io/image/v5/pkg/blobinfocache/none"
	"go.podman.io/image/v5/types"
)

// importSource is the tarball transport's image source with its config
// rewritten (creation time, history, changes): the tarball transport takes
// history times from file modification times and its own comment.
type importSource struct {
	types.ImageSource
	ref          types.ImageReference
	manifest     []byte
	config       []byte
	configDigest digest.Digest
}

// importRef hands copy.Image the prepared source.
type importRef struct {
	types.ImageReference
	src *importSource
}

func (r *importRef) NewImageSource(context.Context, *types.SystemContext) (types.ImageSource, error) {
	return r.src, nil
}

// newImportSource reads inner's manifest and config, lets edit change the
// config, and serves the result.
func newImportSource(ctx context.Context, inner types.ImageSource, edit func(*v1.Image)) (*importSource, error) {
	mb, _, err := inner.GetManifest(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the tarball image manifest: %w", err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("parsing the tarball image manifest: %w", err)
	}
	rc, _, err := inner.GetBlob(ctx, types.BlobInfo{Digest: m.Config.Digest, Size: m.Config.Size}, nocache.NoCache)
	if err != nil {
		return nil, fmt.Errorf("reading the tarball image config: %w", err)
	}
	cb, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the tarball image config: %w", err)
	}
	var cfg v1.Image
	if err := json.Unmarshal(cb, &cfg); err != nil {
		return nil, fmt.Errorf("parsing the tarball image config: %w", err)
	}
	edit(&cfg)
	if cb, err = json.Marshal(&cfg); err != nil {
		return nil, err
	}
	s := &importSource{ImageSource: inner, config: cb, configDigest: digest.FromBytes(cb)}
	m.Config.Digest, m.Config.Size = s.configDigest, int64(len(cb))
	if s.manifest, err = json.Marshal(&m); err != nil {
		return nil, err
	}
	s.ref = &importRef{ImageReference: inner.Reference(), src: s}
	return s, nil
}

func (s *importSource) Reference() types.ImageReference { return s.ref }

func (s *importSource) GetManifest(_ context.Context, instance *digest.Digest) ([]byte, string, error) {
	if instance != nil {
		return nil, "", fmt.Errorf("an imported image has no manifest list")
	}
	return s.manifest, v1.MediaTypeImageManifest, nil
}

func (s *importSource) GetBlob(ctx context.Context, info types.BlobInfo, cache types.BlobInfoCache) (io.ReadCloser, int64, error) {
	if info.Digest == s.configDigest {
		return io.NopCloser(bytes.NewReader(s.config)), int64(len(s.config)), nil
	}
	return s.ImageSource.GetBlob(ctx, info, cache)
}
