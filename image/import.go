package image

import (
	"archive/tar"
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/pkg/compression"

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
	// OS, Arch and Variant set the image's platform (the host's when
	// empty): the archive's binaries are whatever they are.
	OS, Arch, Variant string
}

// Import makes a one-layer image from a tar archive, as `docker import`
// does, through the image writer, and returns the new image's ID (64 hex).
// The layer is stored uncompressed; the platform is the host's.
func Import(ctx context.Context, store storage.Store, opts ImportOptions) (string, error) {
	var names []string
	if opts.Reference != "" {
		tagged, err := ParseTagName(opts.Reference)
		if err != nil {
			return "", err
		}
		names = []string{tagged.String()}
	}
	var imgCfg v1.ImageConfig
	if err := ApplyChanges(&imgCfg, opts.Changes); err != nil {
		return "", err
	}
	layer, err := importLayer(ctx, store, opts)
	if err != nil {
		return "", err
	}
	comment := opts.Message
	if comment == "" {
		comment = "Imported from " + opts.Source
	}
	now := time.Now().UTC()
	img := v1.Image{
		Created:  &now,
		Platform: v1.Platform{OS: cmp.Or(opts.OS, runtime.GOOS), Architecture: cmp.Or(opts.Arch, runtime.GOARCH), Variant: opts.Variant},
		Config:   imgCfg,
		RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{layer.DiffID}},
		// CREATED BY as the tarball transport (and so Podman) writes it.
		History: []v1.History{{Created: &now, CreatedBy: fmt.Sprintf("/bin/sh -c #(nop) ADD file:%s in /", layer.DiffID.Encoded()), Comment: comment}},
	}
	cb, err := json.Marshal(&img)
	if err != nil {
		return "", err
	}
	mb, err := MakeManifest(v1.MediaTypeImageManifest, cb, []v1.Descriptor{layer.Descriptor()}, nil)
	if err != nil {
		return "", err
	}
	stored, err := WriteImage(store, Record{TopLayer: layer.ID, Config: cb, Manifest: mb, Names: names})
	if err != nil {
		return "", fmt.Errorf("importing: %w", err)
	}
	return stored.ID, nil
}

// importLayer stores the source's content, decompressed, as a base layer:
// spooled into the store's temporary directory first, so that it is
// checked to be a tar archive before anything is stored.
func importLayer(ctx context.Context, store storage.Store, opts ImportOptions) (Layer, error) {
	src := opts.Source
	label := src
	var r io.Reader
	switch {
	case src == "":
		return Layer{}, fmt.Errorf("%w: no source given: name a file, a URL, or - for stdin", ErrBadSource)
	case src == "-":
		if opts.Stdin == nil {
			return Layer{}, fmt.Errorf("%w: no standard input to read", ErrBadSource)
		}
		r, label = opts.Stdin, "standard input"
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		body, err := download(ctx, src)
		if err != nil {
			return Layer{}, err
		}
		defer body.Close()
		r = body
	default:
		f, err := os.Open(src)
		if err != nil {
			return Layer{}, fmt.Errorf("%w: %v", ErrBadSource, err)
		}
		defer f.Close()
		r = f
	}
	dir, err := storage.MkdirTemp(store.GraphRoot(), "import")
	if err != nil {
		return Layer{}, fmt.Errorf("importing %s: %w", label, err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "layer.tar")
	d, n, err := spoolTar(r, path, label)
	if err != nil {
		return Layer{}, err
	}
	return putSpooled(store, "", path, d, n)
}

// spoolTar writes r, decompressed (gzip, bzip2, xz or zstd), to path and
// returns the digest and size of the tar; it fails with ErrBadSource
// unless r holds a tar archive. label is what the user called r.
func spoolTar(r io.Reader, path, label string) (digest.Digest, int64, error) {
	_, decompress, r, err := compression.DetectCompressionFormat(bufio.NewReaderSize(r, 1<<20))
	if err != nil {
		return "", 0, fmt.Errorf("%w: reading %s: %v", ErrBadSource, label, err)
	}
	if decompress != nil {
		rc, err := decompress(r)
		if err != nil {
			return "", 0, fmt.Errorf("%w: decompressing %s: %v", ErrBadSource, label, err)
		}
		defer rc.Close()
		r = rc
	}
	d, n, err := spoolDigest(r, path)
	if err != nil {
		return "", 0, fmt.Errorf("%w: reading %s: %v", ErrBadSource, label, err)
	}
	if n == 0 {
		return "", 0, fmt.Errorf("%w: %s is empty, not a tar archive (plain, or gzip, bzip2, xz, zstd compressed)", ErrBadSource, label)
	}
	if err := checkTar(path, label); err != nil {
		return "", 0, err
	}
	return d, n, nil
}

// checkTar reads the whole archive at path, so that one that is not a tar
// archive, or is cut short, is refused before anything is stored.
func checkTar(path, label string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(bufio.NewReaderSize(f, 1<<20))
	for i := 0; ; i++ {
		_, err := tr.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil && i == 0:
			return fmt.Errorf("%w: %s is not a tar archive (plain, or gzip, bzip2, xz, zstd compressed): %v", ErrBadSource, label, err)
		case err == nil:
			_, err = io.Copy(io.Discard, tr)
		}
		if err != nil {
			return fmt.Errorf("%w: %s is not a whole tar archive (truncated or corrupt after %d entries): %v", ErrBadSource, label, i, err)
		}
	}
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
