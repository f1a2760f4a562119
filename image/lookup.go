package image

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// Local is a local image as the rest of pod sees it.
type Local struct {
	ID       string   // 64 hex
	Names    []string // full names as stored ("docker.io/library/demo:1")
	TopLayer string
	Digest   digest.Digest // manifest digest
	// Digests are those of every manifest (and list) it was pulled as.
	Digests []digest.Digest
	Created time.Time
	Config  *v1.Image // the OCI image config (Config.Config is the ImageConfig), never nil
	// RawConfig is the config blob as stored: a Docker-format config keeps
	// what OCI's has no field for (HEALTHCHECK); nil when there is none.
	RawConfig []byte
}

// Lookup finds a local image by full or short ID (>= 3 hex chars, unique
// prefix), by name (normalized like Docker: "demo:1" ->
// docker.io/library/demo:1, "demo" -> :latest), or name@digest.
// The error wraps ErrNoSuchImage and names the reference and the fix; a
// malformed reference wraps ErrBadReference, an ambiguous short ID
// ErrAmbiguousID.
func Lookup(store storage.Store, nameOrID string) (*Local, error) {
	img, _, err := resolve(store, nameOrID)
	if err != nil {
		return nil, err
	}
	return localFrom(store, img)
}

func localFrom(store storage.Store, img *cstorage.Image) (*Local, error) {
	st, err := readStored(store, img)
	if err != nil {
		return nil, err
	}
	cfg := st.Config
	created := img.Created
	if cfg.Created != nil && !cfg.Created.IsZero() {
		created = *cfg.Created
	}
	return &Local{
		ID:        img.ID,
		Names:     slices.Clone(img.Names),
		TopLayer:  img.TopLayer,
		Digest:    img.Digest,
		Digests:   slices.Clone(img.Digests),
		Created:   created,
		Config:    cfg,
		RawConfig: st.ConfigBlob,
	}, nil
}

// resolve finds the storage image a user's string means. name is the stored
// name it matched, "" when it matched by ID or digest.
func resolve(store storage.Store, s string) (img *cstorage.Image, name string, err error) {
	if s == "" {
		return nil, "", fmt.Errorf("%w: empty image name", ErrBadReference)
	}
	if hexID, ok := strings.CutPrefix(s, "sha256:"); ok {
		if len(hexID) < 3 || len(hexID) > 64 || !isHex(hexID) {
			return nil, "", fmt.Errorf("%w %q: an image ID is 3 to 64 hex digits", ErrBadReference, s)
		}
		img, err := byID(store, s, hexID)
		return img, "", err
	}
	if len(s) == 64 && isHex(s) {
		img, err := byID(store, s, s)
		return img, "", err
	}
	named, perr := reference.ParseNormalizedNamed(s)
	if perr == nil {
		img, name, err := byName(store, s, named)
		if err == nil || !errors.Is(err, ErrNoSuchImage) {
			return img, name, err
		}
	}
	if len(s) >= 3 && isHex(s) {
		img, err := byID(store, s, s)
		return img, "", err
	}
	if perr != nil {
		return nil, "", fmt.Errorf("%w %q: %v", ErrBadReference, s, perr)
	}
	return nil, "", noSuchImage(s)
}

func noSuchImage(s string) error {
	return fmt.Errorf("%w: %s (pull it or import it; pod images lists local images)", ErrNoSuchImage, s)
}

// byID finds the image whose ID is, or starts with, prefix.
func byID(store storage.Store, s, prefix string) (*cstorage.Image, error) {
	if len(prefix) == 64 {
		img, err := store.Image(prefix)
		if err == nil && img.ID == prefix {
			return img, nil
		}
		if err != nil && !errors.Is(err, cstorage.ErrImageUnknown) {
			return nil, fmt.Errorf("looking up image %s: %w", s, err)
		}
		return nil, noSuchImage(s)
	}
	images, err := store.Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	var found []int
	for i := range images {
		if strings.HasPrefix(images[i].ID, prefix) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 0:
		return nil, noSuchImage(s)
	case 1:
		return &images[found[0]], nil
	}
	return nil, fmt.Errorf("%w: %s matches %d images; give more digits of the ID", ErrAmbiguousID, s, len(found))
}

// byName finds the image of a normalized name, name@digest, or (for an
// unqualified name) localhost/NAME.
func byName(store storage.Store, s string, named reference.Named) (*cstorage.Image, string, error) {
	if d, ok := named.(reference.Digested); ok {
		images, err := store.ImagesByDigest(d.Digest())
		if err != nil && !errors.Is(err, cstorage.ErrImageUnknown) {
			return nil, "", fmt.Errorf("looking up image %s: %w", s, err)
		}
		exact := named.Name() + "@" + d.Digest().String()
		for _, img := range images {
			if slices.Contains(img.Names, exact) {
				return img, exact, nil
			}
		}
		for _, img := range images {
			for _, n := range img.Names {
				if repoName(n) == named.Name() {
					return img, "", nil
				}
			}
		}
		return nil, "", noSuchImage(s)
	}
	tagged := reference.TagNameOnly(named)
	candidates := []string{tagged.String()}
	if !userGaveDomain(s) {
		if t, ok := tagged.(reference.Tagged); ok {
			candidates = append(candidates, "localhost/"+reference.FamiliarName(named)+":"+t.Tag())
		}
	}
	for _, c := range candidates {
		img, err := store.Image(c)
		if err == nil && slices.Contains(img.Names, c) {
			return img, c, nil
		}
		if err != nil && !errors.Is(err, cstorage.ErrImageUnknown) {
			return nil, "", fmt.Errorf("looking up image %s: %w", s, err)
		}
	}
	return nil, "", noSuchImage(s)
}

// shortID is the 12-hex form Docker prints.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// layerMap indexes the store's layers by ID.
func layerMap(store storage.Store) (map[string]*cstorage.Layer, error) {
	layers, err := store.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	m := make(map[string]*cstorage.Layer, len(layers))
	for i := range layers {
		m[layers[i].ID] = &layers[i]
	}
	return m, nil
}

// layerChain returns the layers from top down to the base.
func layerChain(top string, layers map[string]*cstorage.Layer) []*cstorage.Layer {
	var chain []*cstorage.Layer
	seen := map[string]bool{}
	for id := top; id != "" && !seen[id]; {
		seen[id] = true
		l, ok := layers[id]
		if !ok {
			break
		}
		chain = append(chain, l)
		id = l.Parent
	}
	return chain
}

// layerSize is the unpacked size of one layer, 0 when storage never
// recorded it.
func layerSize(l *cstorage.Layer) int64 {
	if l.UncompressedDigest != "" && l.UncompressedSize > 0 {
		return l.UncompressedSize
	}
	return 0
}

// imageSize is the unpacked size of all of an image's layers, as Docker's
// SIZE column counts it.
func imageSize(top string, layers map[string]*cstorage.Layer) int64 {
	var n int64
	for _, l := range layerChain(top, layers) {
		n += layerSize(l)
	}
	return n
}

// containersUsing lists the containers created from the image.
func containersUsing(store storage.Store, id string) ([]cstorage.Container, error) {
	all, err := store.Containers()
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	var users []cstorage.Container
	for _, c := range all {
		if c.ImageID == id {
			users = append(users, c)
		}
	}
	return users, nil
}
