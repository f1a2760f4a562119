package image

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	digest "github.com/opencontainers/go-digest"
	specsv1 "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	istorage "go.podman.io/image/v5/storage"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/storage"
)

// CommitOptions describe the image `pod commit` makes of a container: its
// image's layers plus one layer with the container's changes.
type CommitOptions struct {
	// Layer is the container's read-write layer; Parent its image's ID
	// ("" for a container of no image).
	Layer, Parent string
	// Reference names the new image; empty leaves it untagged.
	Reference string
	// Config is the new image's whole configuration.
	Config v1.ImageConfig
	// Author, Comment and CreatedBy go into the image and its new history
	// entry.
	Author, Comment, CreatedBy string
}

// Commit stores a new image made of the parent image's layers and the diff
// of opts.Layer, through containers-storage, and returns its ID.
func Commit(ctx context.Context, store storage.Store, opts CommitOptions) (string, error) {
	var named reference.Named
	if opts.Reference != "" {
		tagged, err := ParseTagName(opts.Reference)
		if err != nil {
			return "", err
		}
		named = tagged
	}
	parentCfg, layers, err := parentOf(store, opts.Parent)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(TempDir(), "pod-commit-")
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	defer os.RemoveAll(dir)
	layerFile := filepath.Join(dir, "layer.tar")
	diffID, size, err := writeDiff(store, opts.Layer, layerFile)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	img := v1.Image{
		Created: &now, Author: opts.Author, Platform: parentCfg.Platform, Config: opts.Config,
		RootFS: v1.RootFS{Type: "layers", DiffIDs: append(append([]digest.Digest{}, parentCfg.RootFS.DiffIDs...), diffID)},
		History: append(append([]v1.History{}, parentCfg.History...), v1.History{
			Created: &now, CreatedBy: opts.CreatedBy, Author: opts.Author, Comment: opts.Comment,
		}),
	}
	if img.OS == "" {
		img.OS, img.Architecture = hostPlatform()
	}
	cb, err := json.Marshal(&img)
	if err != nil {
		return "", err
	}
	m := v1.Manifest{
		Versioned: specsv1.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
		Config: v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: digest.FromBytes(cb), Size: int64(len(cb))},
		Layers: append(layers, v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size}),
	}
	mb, err := json.Marshal(&m)
	if err != nil {
		return "", err
	}
	return copyCommitted(ctx, store, opts.Parent, named, &commitSource{
		manifest: mb, config: cb, configDigest: m.Config.Digest, layerDigest: diffID, layerFile: layerFile,
	})
}

// parentOf returns the parent image's config and layer descriptors (OCI
// media types).
func parentOf(store storage.Store, id string) (*v1.Image, []v1.Descriptor, error) {
	if id == "" {
		return &v1.Image{}, nil, nil
	}
	img, err := store.Image(id)
	if err != nil {
		return nil, nil, fmt.Errorf("committing: the container's image %s: %w", shortID(id), err)
	}
	cfg, err := readConfig(store, img)
	if err != nil {
		return nil, nil, err
	}
	mb, err := store.ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifest of image %s: %w", shortID(id), err)
	}
	man, err := manifest.FromBlob(mb, manifest.GuessMIMEType(mb))
	if err != nil {
		return nil, nil, fmt.Errorf("parsing manifest of image %s: %w", shortID(id), err)
	}
	var layers []v1.Descriptor
	for _, l := range man.LayerInfos() {
		mt := l.MediaType
		switch mt {
		case manifest.DockerV2Schema2LayerMediaType:
			mt = v1.MediaTypeImageLayerGzip
		case manifest.DockerV2SchemaLayerMediaTypeUncompressed:
			mt = v1.MediaTypeImageLayer
		}
		layers = append(layers, v1.Descriptor{MediaType: mt, Digest: l.Digest, Size: l.Size})
	}
	return cfg, layers, nil
}

// writeDiff writes the uncompressed diff of layer to path and returns its
// digest (the diff ID) and size.
func writeDiff(store storage.Store, layer, path string) (digest.Digest, int64, error) {
	c := archive.Uncompressed
	rc, err := store.Diff("", layer, &cstorage.DiffOptions{Compression: &c})
	if err != nil {
		return "", 0, fmt.Errorf("reading the container's changes: %w", err)
	}
	defer rc.Close()
	d, n, err := spoolDigest(rc, path)
	if err != nil {
		return "", 0, fmt.Errorf("reading the container's changes: %w", err)
	}
	return d, n, nil
}

// copyCommitted copies src into storage; the parent's layers are reused
// from storage, read through the parent's storage source if they must be.
func copyCommitted(ctx context.Context, store storage.Store, parent string, named reference.Named, src *commitSource) (string, error) {
	sys := SystemContext(store)
	id := src.configDigest.Encoded()
	baseRef, err := istorage.Transport.NewStoreReference(store, nil, parent)
	if parent == "" {
		baseRef, err = istorage.Transport.NewStoreReference(store, nil, id)
	}
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	if parent != "" {
		if src.parent, err = baseRef.NewImageSource(ctx, sys); err != nil {
			return "", fmt.Errorf("committing: reading the container's image: %w", err)
		}
	}
	src.ref = &commitRef{ImageReference: baseRef, src: src}
	if err := copyIntoStore(ctx, store, sys, src.ref, src, named, id); err != nil {
		return "", fmt.Errorf("committing into storage: %w", err)
	}
	return id, nil
}
