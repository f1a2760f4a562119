package image

import (
	"context"
	"fmt"
	"slices"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"

	"github.com/pod-project/pod/storage"
)

// ErrNotQualified: an image reference without its registry, which an
// update from the registry cannot follow (short names may resolve
// elsewhere tomorrow).
var ErrNotQualified = fmt.Errorf("%w: not a fully qualified reference", ErrBadReference)

// RemoteDigest is the digest of the manifest the registry serves for name
// now, which must be fully qualified (REGISTRY/NAME[:TAG]).
func RemoteDigest(ctx context.Context, store storage.Store, name string, opts RegistryOptions) (digest.Digest, error) {
	named, err := reference.ParseNamed(name)
	if err != nil {
		return "", fmt.Errorf("%w %q (give REGISTRY/NAME:TAG): %v", ErrNotQualified, name, err)
	}
	named = reference.TagNameOnly(named)
	host := reference.Domain(named)
	sys, err := opts.systemContext(ctx, store, host)
	if err != nil {
		return "", err
	}
	ref, err := docker.NewReference(named)
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrBadReference, name, err)
	}
	d, err := docker.GetDigest(ctx, sys, ref)
	if err != nil {
		return "", registryError("checking "+named.String(), host, err)
	}
	return d, nil
}

// HasDigest reports whether the local image was pulled from a manifest
// (or a manifest list) with digest d.
func (l *Local) HasDigest(d digest.Digest) bool {
	return l.Digest == d || slices.Contains(l.Digests, d)
}
