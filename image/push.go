package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/directory"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	ociarchive "go.podman.io/image/v5/oci/archive"
	ocilayout "go.podman.io/image/v5/oci/layout"
	"go.podman.io/image/v5/pkg/compression"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"

	"github.com/pod-project/pod/storage"
)

// PushOptions say how an image is pushed.
type PushOptions struct {
	RegistryOptions
	// Format is the manifest format: "oci", "v2s2" (Docker schema 2), or
	// "" to keep the image's own.
	Format string
	// Compression is "gzip" or "zstd" for layers compressed anew; "" is
	// the destination's default (gzip).
	Compression string
	// DigestFile, when set, receives the pushed manifest's digest.
	DigestFile string
	// Progress receives per-layer progress and, at the end, the digest
	// and size of the manifest written, as Docker prints them; nil is
	// silent.
	Progress io.Writer
	// Retries and RetryDelay are as in PullOptions.
	Retries    int
	RetryDelay time.Duration
	// Compress compresses the layers of a dir: destination (kept as they
	// are otherwise); RemoveSignatures drops the image's signatures.
	Compress, RemoveSignatures bool
}

// Push copies the local image source to dest (a registry name, or
// TRANSPORT:DETAILS for docker://, docker-archive:, oci-archive:, oci:,
// dir:); an empty dest pushes to the image's own name. It returns the
// digest of the manifest written.
func Push(ctx context.Context, store storage.Store, source, dest string, opts PushOptions) (digest.Digest, error) {
	img, name, err := resolve(store, source)
	if err != nil {
		return "", err
	}
	if dest == "" {
		if name == "" {
			return "", fmt.Errorf("%w %q: an image ID has no registry to push to; give a destination", ErrBadReference, source)
		}
		dest = name
	}
	destRef, host, err := ParseDestination(dest)
	if err != nil {
		return "", err
	}
	var srcName reference.Named
	if name != "" {
		if n, err := reference.ParseNormalizedNamed(name); err == nil {
			srcName = n
		}
	}
	srcRef, err := istorage.Transport.NewStoreReference(store, srcName, img.ID)
	if err != nil {
		return "", fmt.Errorf("pushing %s: %w", source, err)
	}
	sys, err := opts.systemContext(ctx, store, host)
	if err != nil {
		return "", err
	}
	mime, err := manifestType(opts.Format)
	if err != nil {
		return "", err
	}
	if opts.Compression != "" {
		algo, err := compression.AlgorithmByName(opts.Compression)
		if err != nil || (opts.Compression != "gzip" && opts.Compression != "zstd") {
			return "", fmt.Errorf("invalid compression format %q: use gzip or zstd", opts.Compression)
		}
		sys.CompressionFormat = &algo
	}
	// The library spools each layer it reads from the store here.
	tmp, err := storage.MkdirTemp(store.GraphRoot(), "push")
	if err != nil {
		return "", fmt.Errorf("pushing %s: %w", source, err)
	}
	defer os.RemoveAll(tmp)
	sys.BigFilesTemporaryDir = tmp
	sys.DirForceCompress = opts.Compress
	m, err := copyImage(ctx, sys, srcRef, destRef, opts.Progress, opts.Retries, opts.RetryDelay, func(o *copy.Options) {
		o.ForceManifestMIMEType = mime
		o.RemoveSignatures = opts.RemoveSignatures
	})
	if err != nil {
		return "", registryError(fmt.Sprintf("pushing %s to %s", source, dest), host, err)
	}
	d, err := manifest.Digest(m)
	if err != nil {
		return "", fmt.Errorf("pushing %s: digest of the manifest: %w", source, err)
	}
	if opts.Progress != nil {
		// As Docker ends a push: "TAG: digest: sha256:... size: N".
		prefix := ""
		if t, ok := destRef.DockerReference().(reference.Tagged); ok {
			prefix = t.Tag() + ": "
		}
		fmt.Fprintf(opts.Progress, "%sdigest: %s size: %d\n", prefix, d, len(m))
	}
	if opts.DigestFile != "" {
		if err := os.WriteFile(opts.DigestFile, []byte(d.String()), 0o644); err != nil {
			return d, fmt.Errorf("writing the digest file: %w", err)
		}
	}
	return d, nil
}

func manifestType(format string) (string, error) {
	switch format {
	case "":
		return "", nil
	case "oci":
		return v1.MediaTypeImageManifest, nil
	case "v2s2", "docker":
		return manifest.DockerV2Schema2MediaType, nil
	}
	return "", fmt.Errorf("invalid manifest format %q: use oci or v2s2", format)
}

// ParseDestination parses where push or save write: docker://NAME,
// docker-archive:PATH[:NAME], oci-archive:PATH[:NAME], oci:DIR[:NAME],
// dir:DIR, or a plain registry name (normalized as Docker does). host is
// the registry for a docker reference, "" otherwise. Unknown transports
// and malformed names wrap ErrBadReference.
func ParseDestination(s string) (ref types.ImageReference, host string, err error) {
	transport, rest, ok := strings.Cut(s, ":")
	var parse func(string) (types.ImageReference, error)
	switch {
	case ok && transport == "docker" && strings.HasPrefix(rest, "//"):
		s = strings.TrimPrefix(rest, "//")
	case ok && transport == "docker-archive":
		parse = archive.ParseReference
	case ok && transport == "oci-archive":
		parse = ociarchive.ParseReference
	case ok && transport == "oci":
		parse = ocilayout.ParseReference
	case ok && transport == "dir":
		parse = directory.NewReference
	case strings.Contains(s, "://") || (ok && strings.HasPrefix(rest, "/") && !strings.Contains(transport, "/")):
		return nil, "", fmt.Errorf("%w %q: unknown transport %q: use docker://, docker-archive:, oci-archive:, oci: or dir:", ErrBadReference, s, transport)
	}
	if parse != nil {
		ref, err := parse(rest)
		if err != nil {
			return nil, "", fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
		}
		return ref, "", nil
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
	}
	named = reference.TagNameOnly(named)
	ref, err = docker.NewReference(named)
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
	}
	return ref, reference.Domain(named), nil
}
