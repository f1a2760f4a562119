package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/types"
)

// commitSource serves a committed image to copy.Image: its manifest and
// config from memory, the new layer from a file, the parent's layers from
// the parent's storage source.
type commitSource struct {
	ref          types.ImageReference
	parent       types.ImageSource // nil without a parent image
	manifest     []byte
	config       []byte
	configDigest digest.Digest
	layerDigest  digest.Digest
	layerFile    string
}

// commitRef hands copy.Image the prepared source.
type commitRef struct {
	types.ImageReference
	src *commitSource
}

func (r *commitRef) NewImageSource(context.Context, *types.SystemContext) (types.ImageSource, error) {
	return r.src, nil
}

func (s *commitSource) Reference() types.ImageReference { return s.ref }

func (s *commitSource) Close() error {
	if s.parent != nil {
		return s.parent.Close()
	}
	return nil
}

func (s *commitSource) GetManifest(_ context.Context, instance *digest.Digest) ([]byte, string, error) {
	if instance != nil {
		return nil, "", fmt.Errorf("a committed image has no manifest list")
	}
	return s.manifest, v1.MediaTypeImageManifest, nil
}

func (s *commitSource) GetBlob(ctx context.Context, info types.BlobInfo, cache types.BlobInfoCache) (io.ReadCloser, int64, error) {
	switch {
	case info.Digest == s.configDigest:
		return io.NopCloser(bytes.NewReader(s.config)), int64(len(s.config)), nil
	case info.Digest == s.layerDigest:
		f, err := os.Open(s.layerFile)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, fi.Size(), nil
	case s.parent != nil:
		return s.parent.GetBlob(ctx, info, cache)
	}
	return nil, 0, fmt.Errorf("committed image has no blob %s", info.Digest)
}

func (s *commitSource) HasThreadSafeGetBlob() bool { return false }

func (s *commitSource) GetSignatures(context.Context, *digest.Digest) ([][]byte, error) {
	return nil, nil
}

func (s *commitSource) LayerInfosForCopy(context.Context, *digest.Digest) ([]types.BlobInfo, error) {
	return nil, nil
}

// hostPlatform is the OS and architecture of an image with no parent.
func hostPlatform() (string, string) { return runtime.GOOS, runtime.GOARCH }
