package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.podman.io/image/v5/directory"
	"go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	ociarchive "go.podman.io/image/v5/oci/archive"
	ocilayout "go.podman.io/image/v5/oci/layout"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"

	"github.com/pod-project/pod/storage"
)

// The formats of `pod save --format`.
const (
	FormatDockerArchive = "docker-archive"
	FormatOCIArchive    = "oci-archive"
	FormatOCIDir        = "oci-dir"
	FormatDockerDir     = "docker-dir"
)

// SaveOptions say where and how `pod save` writes.
type SaveOptions struct {
	// Format is one of the Format* constants; "" is docker-archive.
	Format string
	// Output is the file (archives) or directory (oci-dir, docker-dir)
	// to write; "" writes an archive to Writer.
	Output string
	// Writer receives the archive when Output is "".
	Writer io.Writer
	// Compress compresses the layers of a docker-dir (stored as they are
	// otherwise); Uncompressed keeps an oci-dir's layers uncompressed.
	Compress, Uncompressed bool
}

// savedImage is one image to save and the name it is saved under.
type savedImage struct {
	id    string
	named reference.Named // nil when saved by ID
}

// Save writes images (names or IDs) in one archive or directory. A
// docker-archive holds any number of images with all the given names;
// oci-dir holds several; oci-archive and docker-dir hold one. An archive
// is written in the store and put at its place when complete, so a
// failed save leaves nothing behind.
func Save(ctx context.Context, store storage.Store, images []string, opts SaveOptions) error {
	if len(images) == 0 {
		return fmt.Errorf("%w: no image to save", ErrBadReference)
	}
	format := opts.Format
	if format == "" {
		format = FormatDockerArchive
	}
	switch format {
	case FormatDockerArchive, FormatOCIDir:
	case FormatOCIArchive, FormatDockerDir:
		if len(images) > 1 {
			return fmt.Errorf("%s holds one image; use docker-archive or oci-dir for several", format)
		}
	default:
		return fmt.Errorf("invalid format %q: use docker-archive, oci-archive, oci-dir or docker-dir", format)
	}
	var list []savedImage
	for _, s := range images {
		img, name, err := resolve(store, s)
		if err != nil {
			return err
		}
		si := savedImage{id: img.ID}
		if name != "" {
			if n, err := reference.ParseNormalizedNamed(name); err == nil {
				if _, tagged := n.(reference.NamedTagged); tagged {
					si.named = n
				}
			}
		}
		list = append(list, si)
	}
	if format == FormatOCIDir || format == FormatDockerDir {
		if opts.Output == "" {
			return fmt.Errorf("saving as %s needs an output directory (-o)", format)
		}
		return saveDir(ctx, store, list, format, opts)
	}
	return saveArchive(ctx, store, list, format, opts)
}

// saveArchive writes the archive in the operation's temporary directory
// in the store, then moves it to the output file (storage.PublishFile) or
// streams it to the writer: a failed or killed save leaves no partial
// archive anywhere but there, which the next call reclaims.
func saveArchive(ctx context.Context, store storage.Store, list []savedImage, format string, opts SaveOptions) error {
	tmp, err := storage.MkdirTemp(store.GraphRoot(), "save")
	if err != nil {
		return fmt.Errorf("saving: %w", err)
	}
	defer os.RemoveAll(tmp)
	sys := SystemContext(store, tmp)
	path := filepath.Join(tmp, "archive.tar")
	if format == FormatOCIArchive {
		name := ""
		if list[0].named != nil {
			name = list[0].named.String()
		}
		dest, err := ociarchive.NewReference(path, name)
		if err != nil {
			return fmt.Errorf("saving: %w", err)
		}
		if err := saveOne(ctx, store, sys, list[0], dest); err != nil {
			return err
		}
	} else {
		w, err := archive.NewWriter(sys, path)
		if err != nil {
			return fmt.Errorf("saving: %w", err)
		}
		// One entry per image, carrying all its requested tags: the
		// archive writer holds each image once.
		for _, g := range groupByID(list) {
			dest, err := w.NewReference(nil)
			if err == nil {
				isys := *sys
				isys.DockerArchiveAdditionalTags = g.tags
				err = saveOne(ctx, store, &isys, g.first, dest)
			}
			if err != nil {
				w.Close()
				return err
			}
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("saving: finishing the archive: %w", err)
		}
	}
	if opts.Output != "" {
		if err := storage.PublishFile(path, opts.Output); err != nil {
			return fmt.Errorf("saving to %s: %w", opts.Output, err)
		}
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("saving: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(opts.Writer, f); err != nil {
		return fmt.Errorf("writing the archive: %w", err)
	}
	return nil
}

// saveDir writes into the output directory itself (an OCI layout may
// gain images); the library's blobs on their way are in the store.
func saveDir(ctx context.Context, store storage.Store, list []savedImage, format string, opts SaveOptions) error {
	dir := opts.Output
	tmp, err := storage.MkdirTemp(store.GraphRoot(), "save")
	if err != nil {
		return fmt.Errorf("saving: %w", err)
	}
	defer os.RemoveAll(tmp)
	sys := SystemContext(store, tmp)
	sys.DirForceCompress = opts.Compress
	sys.OCIAcceptUncompressedLayers = opts.Uncompressed
	for _, si := range list {
		var dest types.ImageReference
		var err error
		if format == FormatDockerDir {
			dest, err = directory.NewReference(dir)
		} else {
			name := ""
			if si.named != nil {
				name = si.named.String()
			}
			dest, err = ocilayout.NewReference(dir, name)
		}
		if err != nil {
			return fmt.Errorf("saving to %s: %w", dir, err)
		}
		if err := saveOne(ctx, store, sys, si, dest); err != nil {
			return err
		}
	}
	return nil
}

func saveOne(ctx context.Context, store storage.Store, sys *types.SystemContext, si savedImage, dest types.ImageReference) error {
	src, err := istorage.Transport.NewStoreReference(store, si.named, si.id)
	if err != nil {
		return fmt.Errorf("saving image %s: %w", shortID(si.id), err)
	}
	if _, err := copyImage(ctx, sys, src, dest, nil, 0, 0, nil); err != nil {
		return fmt.Errorf("saving image %s: %w", shortID(si.id), err)
	}
	return nil
}

// imageTags is one image of a docker-archive and its names.
type imageTags struct {
	first savedImage
	tags  []reference.NamedTagged
}

// groupByID merges the requests of one image, in request order.
func groupByID(list []savedImage) []*imageTags {
	var out []*imageTags
	byID := map[string]*imageTags{}
	for _, si := range list {
		g := byID[si.id]
		if g == nil {
			g = &imageTags{first: si}
			byID[si.id] = g
			out = append(out, g)
		}
		if nt, ok := si.named.(reference.NamedTagged); ok && si.named != nil {
			g.tags = append(g.tags, nt)
		}
	}
	return out
}
