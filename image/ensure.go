package image

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"

	"github.com/pod-project/pod/storage"
)

// PullPolicy says when `run` and `create` pull their image.
type PullPolicy string

// The pull policies of --pull, as Podman names them.
const (
	PullMissing PullPolicy = "missing" // pull only when no local image matches (the default)
	PullAlways  PullPolicy = "always"  // always pull, then use what was pulled
	PullNever   PullPolicy = "never"   // only use local images
	PullNewer   PullPolicy = "newer"   // pull when the registry's digest differs from the local image's
)

// ParsePullPolicy parses a --pull value; "" is PullMissing, and "true"/
// "false" are accepted as always/never as Podman does.
func ParsePullPolicy(s string) (PullPolicy, error) {
	switch s {
	case "", "missing", "ifmissing", "ifnotpresent":
		return PullMissing, nil
	case "always", "true":
		return PullAlways, nil
	case "never", "false":
		return PullNever, nil
	case "newer", "ifnewer":
		return PullNewer, nil
	}
	return "", fmt.Errorf("invalid pull policy %q: use always, missing, never or newer", s)
}

// Ensure returns the local image name means, pulling it first as the
// policy says. An image ID is never pulled.
func Ensure(ctx context.Context, store storage.Store, name string, policy PullPolicy, opts PullOptions) (*Local, error) {
	local, err := Lookup(store, name)
	switch {
	case policy == PullNever || looksLikeID(name):
		return local, err
	case err != nil && !errors.Is(err, ErrNoSuchImage):
		return nil, err
	case err == nil && policy == PullMissing:
		return local, nil
	case err == nil && policy == PullNewer && !remoteDiffers(ctx, store, name, local, opts):
		return local, nil
	}
	pulled, err := Pull(ctx, store, name, opts)
	if err != nil && local == nil {
		return nil, fmt.Errorf("%w: %s is not a local image, and %w", ErrNoSuchImage, name, err)
	}
	if err != nil {
		return nil, err
	}
	return Lookup(store, pulled[0].ID)
}

// looksLikeID reports whether s can only be an image ID.
func looksLikeID(s string) bool {
	if len(s) == 64 && isHex(s) {
		return true
	}
	h, ok := strings.CutPrefix(s, "sha256:")
	return ok && isHex(h)
}

// remoteDiffers reports whether the registry holds a different manifest
// for name than local; when the registry cannot be asked, the local image
// is used (as Podman does).
func remoteDiffers(ctx context.Context, store storage.Store, name string, local *Local, opts PullOptions) bool {
	sys, err := opts.systemContext(ctx, store, "")
	if err != nil {
		return false
	}
	cands, err := pullCandidates(sys, name)
	if err != nil || len(cands) == 0 {
		return false
	}
	named := cands[0]
	if _, ok := named.(reference.Digested); ok {
		return false
	}
	if sys, err = opts.systemContext(ctx, store, reference.Domain(named)); err != nil {
		return false
	}
	ref, err := docker.NewReference(named)
	if err != nil {
		return false
	}
	d, err := docker.GetDigest(ctx, sys, ref)
	if err != nil {
		logrus.Warnf("checking %s for a newer image: %v; using the local image", named, err)
		return false
	}
	if d == local.Digest {
		return false
	}
	img, err := store.Image(local.ID)
	return err != nil || !slices.Contains(img.Digests, d)
}
