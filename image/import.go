package image

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/compression"
	ctypes "go.podman.io/image/v5/pkg/compression/types"
	"go.podman.io/image/v5/tarball"

	"github.com/pod-project/pod/storage"
)

// ImportOptions say what `pod import` makes an image from.
type ImportOptions struct {
	// Source is a file path, an http(s) URL, or "-" for Stdin. The content
	// is a tar archive, plain or compressed with gzip, bzip2, xz or zstd.
	Source string
	// Stdin is read when Source is "-".
	Stdin io.Reader
	// Reference names the new image; empty leaves it untagged (dangling).
	Reference string
	// Changes are Dockerfile instructions applied to the config (see
	// ApplyChanges).
	Changes []string
	// Message is the history comment; empty means "Imported from SOURCE".
	Message string
}

// Import makes a one-layer image from a tar archive, as `docker import`
// does, through the tarball transport into containers-storage, and returns
// the new image's ID (64 hex). The platform is the host's.
func Import(ctx context.Context, store storage.Store, opts ImportOptions) (string, error) {
	var named reference.Named
	if opts.Reference != "" {
		tagged, err := ParseTagName(opts.Reference)
		if err != nil {
			return "", err
		}
		named = tagged
	}
	var imgCfg v1.ImageConfig
	if err := ApplyChanges(&imgCfg, opts.Changes); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(TempDir(), "pod-import-")
	if err != nil {
		return "", fmt.Errorf("importing %s: %w", opts.Source, err)
	}
	defer os.RemoveAll(dir)
	layer, err := layerFile(ctx, opts, dir)
	if err != nil {
		return "", err
	}
	comment := opts.Message
	if comment == "" {
		comment = "Imported from " + opts.Source
	}
	now := time.Now().UTC()
	edit := func(img *v1.Image) {
		img.Created = &now
		img.Config = imgCfg
		createdBy := ""
		if len(img.History) > 0 {
			createdBy = img.History[0].CreatedBy
		}
		img.History = []v1.History{{Created: &now, CreatedBy: createdBy, Comment: comment}}
	}
	return importLayer(ctx, store, layer, named, edit)
}

func importLayer(ctx context.Context, store storage.Store, layer string, named reference.Named, edit func(*v1.Image)) (string, error) {
	sys := SystemContext(store)
	tref, err := tarball.NewReference([]string{layer}, nil)
	if err != nil {
		return "", fmt.Errorf("importing: %w", err)
	}
	inner, err := tref.NewImageSource(ctx, sys)
	if err != nil {
		return "", fmt.Errorf("importing: %w", err)
	}
	src, err := newImportSource(ctx, inner, edit)
	if err != nil {
		inner.Close()
		return "", fmt.Errorf("importing: %w", err)
	}
	id := src.configDigest.Encoded()
	if err := copyIntoStore(ctx, store, sys, src.Reference(), src, named, id); err != nil {
		return "", fmt.Errorf("importing into storage: %w", err)
	}
	return id, nil
}

// layerFile returns a path the tarball transport can read: the user's own
// file when it is a plain, gzip or zstd tar with a usable path, else a copy
// in dir (stdin, a download, xz or bzip2 decompressed).
func layerFile(ctx context.Context, opts ImportOptions, dir string) (string, error) {
	src := opts.Source
	label := src
	if src == "-" {
		label = "standard input"
	}
	var r io.Reader
	switch {
	case src == "":
		return "", fmt.Errorf("%w: no source given: name a file, a URL, or - for stdin", ErrBadSource)
	case src == "-":
		if opts.Stdin == nil {
			return "", fmt.Errorf("%w: no standard input to read", ErrBadSource)
		}
		r = opts.Stdin
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		body, err := download(ctx, src)
		if err != nil {
			return "", err
		}
		defer body.Close()
		r = body
	default:
		f, err := os.Open(src)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadSource, err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadSource, err)
		}
		algo, _, _, err := compression.DetectCompressionFormat(f)
		if err != nil {
			return "", fmt.Errorf("%w: reading %s: %v", ErrBadSource, src, err)
		}
		if fi.Mode().IsRegular() && !strings.Contains(src, ":") && keepsFormat(algo) {
			return src, checkTar(src, src)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", fmt.Errorf("%w: reading %s: %v", ErrBadSource, src, err)
		}
		r = f
	}
	out := filepath.Join(dir, "layer.tar")
	if err := spool(r, out); err != nil {
		return "", fmt.Errorf("%w: reading %s: %v", ErrBadSource, label, err)
	}
	return out, checkTar(out, label)
}

// keepsFormat reports whether the tarball transport records the layer's
// compression correctly (it calls every other format gzip).
func keepsFormat(algo compression.Algorithm) bool {
	switch algo.Name() {
	case "", ctypes.GzipAlgorithmName, ctypes.ZstdAlgorithmName:
		return true
	}
	return false
}

// spool copies r to path, decompressing formats the tarball transport
// would mislabel.
func spool(r io.Reader, path string) error {
	algo, decompress, r, err := compression.DetectCompressionFormat(bufio.NewReaderSize(r, 1<<20))
	if err != nil {
		return err
	}
	if decompress != nil && !keepsFormat(algo) {
		rc, err := decompress(r)
		if err != nil {
			return err
		}
		defer rc.Close()
		r = rc
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkTar fails unless path holds a (compressed) tar archive; name is what
// the user called it.
func checkTar(path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	defer f.Close()
	_, decompress, r, err := compression.DetectCompressionFormat(f)
	if err != nil {
		return fmt.Errorf("%w: reading %s: %v", ErrBadSource, name, err)
	}
	if decompress != nil {
		rc, err := decompress(r)
		if err != nil {
			return fmt.Errorf("%w: decompressing %s: %v", ErrBadSource, name, err)
		}
		defer rc.Close()
		r = rc
	}
	if _, err := tar.NewReader(r).Next(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s is not a tar archive (plain, or gzip, bzip2, xz, zstd compressed): %v", ErrBadSource, name, err)
	}
	return nil
}

func download(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: downloading %s: %v", ErrBadSource, url, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: downloading %s: %s", ErrBadSource, url, resp.Status)
	}
	return resp.Body, nil
}
