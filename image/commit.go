package image

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
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
	// Format is the manifest's: oci (the default, as "") or docker.
	Format string
}

// Commit stores a new image made of the parent image's layers and the diff
// of opts.Layer through the image writer, and returns its ID.
func Commit(ctx context.Context, store storage.Store, opts CommitOptions) (string, error) {
	var names []string
	if opts.Reference != "" {
		tagged, err := ParseTagName(opts.Reference)
		if err != nil {
			return "", err
		}
		names = []string{tagged.String()}
	}
	mt, err := manifestType(opts.Format)
	if err != nil {
		return "", err
	}
	if mt == "" {
		mt = v1.MediaTypeImageManifest
	}
	parent, err := parentOf(store, opts.Parent)
	if err != nil {
		return "", err
	}
	layer, err := commitDiff(store, parent.Image.TopLayer, opts.Layer)
	if err != nil {
		return "", err
	}
	parentCfg := parent.Config
	now := time.Now().UTC()
	img := v1.Image{
		Created: &now, Author: opts.Author, Platform: parentCfg.Platform, Config: opts.Config,
		RootFS: v1.RootFS{Type: "layers", DiffIDs: append(append([]digest.Digest{}, parentCfg.RootFS.DiffIDs...), layer.DiffID)},
		History: append(append([]v1.History{}, parentCfg.History...), v1.History{
			Created: &now, CreatedBy: opts.CreatedBy, Author: opts.Author, Comment: opts.Comment,
		}),
	}
	if img.OS == "" {
		img.OS, img.Architecture = runtime.GOOS, runtime.GOARCH
	}
	cb, err := json.Marshal(&img)
	if err != nil {
		return "", err
	}
	mb, err := MakeManifest(mt, cb, append(parent.Layers(), layer.Descriptor()), nil)
	if err != nil {
		return "", err
	}
	stored, err := WriteImage(store, Record{TopLayer: layer.ID, Config: cb, Manifest: mb, Names: names})
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	return stored.ID, nil
}

// parentOf reads the parent image ("" for none: an empty image).
func parentOf(store storage.Store, id string) (*Stored, error) {
	if id == "" {
		return &Stored{Image: &cstorage.Image{}, Config: &v1.Image{}}, nil
	}
	s, err := ReadStored(store, id)
	if err != nil {
		return nil, fmt.Errorf("committing: the container's image: %w", err)
	}
	return s, nil
}

// commitDiff stores the diff of the container layer as a layer on parent.
// The diff is spooled first: the store holds its layer lock while a diff
// is read, and storing the new layer needs it.
func commitDiff(store storage.Store, parent, layer string) (Layer, error) {
	dir, err := storage.MkdirTemp(store.GraphRoot(), "commit")
	if err != nil {
		return Layer{}, fmt.Errorf("committing: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "layer.tar")
	c := archive.Uncompressed
	rc, err := store.Diff("", layer, &cstorage.DiffOptions{Compression: &c})
	if err != nil {
		return Layer{}, fmt.Errorf("reading the container's changes: %w", err)
	}
	d, n, err := spoolDigest(rc, path)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Layer{}, fmt.Errorf("reading the container's changes: %w", err)
	}
	return putSpooled(store, parent, path, d, n)
}
