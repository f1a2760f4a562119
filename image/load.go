package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	ociarchive "go.podman.io/image/v5/oci/archive"
	"go.podman.io/image/v5/pkg/compression"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"

	"github.com/pod-project/pod/storage"
)

// ErrBadArchive: the input of load is not a docker-archive or oci-archive.
var ErrBadArchive = errors.New("not an image archive")

// LoadOptions say what `pod load` reads.
type LoadOptions struct {
	// Input is the archive file; "" reads Reader.
	Input  string
	Reader io.Reader
}

// Loaded is one image a load stored.
type Loaded struct {
	ID    string
	Names []string // familiar names ("demo:1"); empty for an untagged image
}

// Load stores the images of a docker-archive or oci-archive (detected,
// possibly compressed) and returns them.
func Load(ctx context.Context, store storage.Store, opts LoadOptions) ([]Loaded, error) {
	// Standard input spooled, archives the library decompresses or
	// unpacks, blobs on their way into storage: all in the store.
	tmp, err := storage.MkdirTemp(store.GraphRoot(), "load")
	if err != nil {
		return nil, fmt.Errorf("loading: %w", err)
	}
	defer os.RemoveAll(tmp)
	path, label := opts.Input, opts.Input
	if path == "" {
		label = "standard input"
		path = filepath.Join(tmp, "stdin.tar")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("loading: %w", err)
		}
		_, err = io.Copy(f, opts.Reader)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("loading: reading standard input: %w", err)
		}
	}
	kind, index, err := archiveKind(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", label, err)
	}
	sys := SystemContext(store, tmp)
	if kind == FormatOCIArchive {
		return loadOCI(ctx, store, sys, path, label, index)
	}
	return loadDocker(ctx, store, sys, path, label)
}

// archiveKind tells a docker-archive (manifest.json) from an oci-archive
// (oci-layout, index.json), and returns the OCI index.
func archiveKind(path string) (string, *v1.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	_, decompress, r, err := compression.DetectCompressionFormat(f)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrBadArchive, err)
	}
	if decompress != nil {
		rc, err := decompress(r)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %v", ErrBadArchive, err)
		}
		defer rc.Close()
		r = rc
	}
	tr := tar.NewReader(r)
	var docker, layout bool
	var index *v1.Index
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("%w: not a tar archive: %v", ErrBadArchive, err)
		}
		switch h.Name {
		case "manifest.json", "./manifest.json":
			docker = true
		case "oci-layout", "./oci-layout":
			layout = true
		case "index.json", "./index.json":
			index = &v1.Index{}
			if err := json.NewDecoder(io.LimitReader(tr, 4<<20)).Decode(index); err != nil {
				return "", nil, fmt.Errorf("%w: bad index.json: %v", ErrBadArchive, err)
			}
		}
	}
	switch {
	case docker:
		return FormatDockerArchive, nil, nil
	case layout && index != nil:
		return FormatOCIArchive, index, nil
	}
	return "", nil, fmt.Errorf("%w: a tar without manifest.json (docker-archive) or oci-layout and index.json (oci-archive)", ErrBadArchive)
}

func loadDocker(ctx context.Context, store storage.Store, sys *types.SystemContext, path, label string) ([]Loaded, error) {
	r, err := archive.NewReader(sys, path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w: %v", label, ErrBadArchive, err)
	}
	defer r.Close()
	list, err := r.List()
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w: %v", label, ErrBadArchive, err)
	}
	var out []Loaded
	for _, refs := range list {
		var names []reference.Named
		for _, ref := range refs {
			if n := ref.DockerReference(); n != nil {
				names = append(names, n)
			}
		}
		l, err := loadImage(ctx, store, sys, refs[0], names)
		if err != nil {
			return out, fmt.Errorf("loading %s: %w", label, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func loadOCI(ctx context.Context, store storage.Store, sys *types.SystemContext, path, label string, index *v1.Index) ([]Loaded, error) {
	var out []Loaded
	if len(index.Manifests) == 0 {
		return nil, fmt.Errorf("loading %s: %w: the OCI index lists no image", label, ErrBadArchive)
	}
	for _, d := range index.Manifests {
		refName := d.Annotations[v1.AnnotationRefName]
		if refName == "" && len(index.Manifests) > 1 {
			return out, fmt.Errorf("loading %s: an OCI archive with several images needs a %s annotation on each", label, v1.AnnotationRefName)
		}
		src, err := ociarchive.NewReference(path, refName)
		if err != nil {
			return out, fmt.Errorf("loading %s: %w: %v", label, ErrBadArchive, err)
		}
		var names []reference.Named
		if n, err := reference.ParseNormalizedNamed(refName); refName != "" && err == nil {
			names = append(names, reference.TagNameOnly(n))
		}
		l, err := loadImage(ctx, store, sys, src, names)
		if err != nil {
			return out, fmt.Errorf("loading %s: %w", label, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// loadImage copies src into storage under names (the first at copy time,
// the rest added after).
func loadImage(ctx context.Context, store storage.Store, sys *types.SystemContext, src types.ImageReference, names []reference.Named) (Loaded, error) {
	var first reference.Named
	id := ""
	if len(names) > 0 {
		first = names[0]
	} else {
		img, err := src.NewImage(ctx, sys)
		if err != nil {
			return Loaded{}, fmt.Errorf("%w: %v", ErrBadArchive, err)
		}
		id = img.ConfigInfo().Digest.Encoded()
		img.Close()
	}
	dest, err := istorage.Transport.NewStoreReference(store, first, id)
	if err != nil {
		return Loaded{}, err
	}
	if _, err := copyImage(ctx, sys, src, dest, nil, 0, 0, nil); err != nil {
		return Loaded{}, err
	}
	img, err := istorage.Transport.GetStoreImage(store, dest)
	if err != nil {
		return Loaded{}, fmt.Errorf("finding the loaded image: %w", err)
	}
	l := Loaded{ID: img.ID}
	var extra []string
	for i, n := range names {
		if i > 0 {
			extra = append(extra, n.String())
		}
		l.Names = append(l.Names, FamiliarName(n.String()))
	}
	if len(extra) > 0 {
		if err := store.AddNames(img.ID, extra); err != nil {
			return l, fmt.Errorf("tagging the loaded image: %w", err)
		}
	}
	return l, nil
}
