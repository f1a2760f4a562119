package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/storage"
)

// Squash makes a new image of the image id: its first keepLayers layers,
// and one new layer on top holding the merged content of all later layers
// (keepLayers 0, --squash-all: everything in one layer). The new image has
// the same config (the manifest schema, OCI or Docker, is kept too), its
// history keeps the entries of the kept layers and has one entry for the
// merged layer, and it has no names (the caller tags it). The original
// image is left as it is. When there is nothing to merge (keepLayers at
// least the number of layers) it returns id itself.
func Squash(ctx context.Context, store storage.Store, id string, keepLayers int) (newID string, err error) {
	if keepLayers < 0 {
		return "", fmt.Errorf("squashing image %s: keeping %d layers", shortID(id), keepLayers)
	}
	img, err := store.Image(id)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	chain, err := layerIDs(store, img.TopLayer)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	if keepLayers >= len(chain) {
		return img.ID, nil
	}
	man, mime, rawCfg, cfg, err := readManifestAndConfig(store, img)
	if err != nil {
		return "", err
	}
	if len(cfg.RootFS.DiffIDs) != len(chain) || len(man.LayerInfos()) != len(chain) {
		return "", fmt.Errorf("squashing image %s: its config names %d layers, its manifest %d, storage holds %d",
			shortID(id), len(cfg.RootFS.DiffIDs), len(man.LayerInfos()), len(chain))
	}
	dir, err := os.MkdirTemp(TempDir(), "pod-squash-")
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	defer os.RemoveAll(dir)
	layerFile := filepath.Join(dir, "layer.tar")
	from := ""
	if keepLayers > 0 {
		from = chain[keepLayers-1]
	}
	diffID, size, err := writeMerged(store, from, img.TopLayer, layerFile)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}

	created := time.Now().UTC()
	if cfg.Created != nil {
		created = *cfg.Created
	}
	diffIDs := append(append([]digest.Digest{}, cfg.RootFS.DiffIDs[:keepLayers]...), diffID)
	history := append(keptHistory(cfg.History, keepLayers), v1.History{
		Created:   &created,
		CreatedBy: squashCreatedBy(len(chain) - keepLayers),
	})
	cb, err := editConfig(rawCfg, v1.RootFS{Type: "layers", DiffIDs: diffIDs}, history)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	mb, mime, err := squashedManifest(man, mime, cb, diffID, size, keepLayers)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	src := &squashSource{mime: mime, commitSource: &commitSource{
		manifest: mb, config: cb, configDigest: digest.FromBytes(cb), layerDigest: diffID, layerFile: layerFile,
	}}
	return copySquashed(ctx, store, img.ID, src)
}

// squashCreatedBy is the history's CREATED BY of a layer merging n.
func squashCreatedBy(n int) string {
	if n == 1 {
		return "squash: 1 layer merged into one"
	}
	return fmt.Sprintf("squash: %d layers merged into one", n)
}

// layerIDs returns the IDs of the layers from the base up to top.
func layerIDs(store storage.Store, top string) ([]string, error) {
	var chain []string
	for id := top; id != ""; {
		l, err := store.Layer(id)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", shortID(id), err)
		}
		chain = append([]string{l.ID}, chain...)
		if len(chain) > 1000 {
			return nil, fmt.Errorf("layer %s: the chain of parents has no end", shortID(top))
		}
		id = l.Parent
	}
	return chain, nil
}

// readManifestAndConfig reads the image's manifest (and its MIME type)
// and its config, raw and parsed.
func readManifestAndConfig(store storage.Store, img *cstorage.Image) (manifest.Manifest, string, []byte, *v1.Image, error) {
	mb, err := store.ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return nil, "", nil, nil, fmt.Errorf("reading manifest of image %s: %w", shortID(img.ID), err)
	}
	mime := manifest.GuessMIMEType(mb)
	man, err := manifest.FromBlob(mb, mime)
	if err != nil {
		return nil, "", nil, nil, fmt.Errorf("parsing manifest of image %s: %w", shortID(img.ID), err)
	}
	cfg, cb, err := readConfigRaw(store, img)
	if err != nil {
		return nil, "", nil, nil, err
	}
	if cb == nil {
		return nil, "", nil, nil, fmt.Errorf("squashing image %s: it has no config", shortID(img.ID))
	}
	return man, mime, cb, cfg, nil
}

// writeMerged writes the uncompressed content of layer top relative to
// layer from ("" for all of it) to path, and returns its digest (the diff
// ID) and size.
func writeMerged(store storage.Store, from, top, path string) (digest.Digest, int64, error) {
	var rc io.ReadCloser
	if from == "" {
		// store.Diff reads "" as the layer's parent: tar the mounted layer.
		mnt, err := store.Mount(top, "")
		if err != nil {
			return "", 0, fmt.Errorf("mounting layer %s: %w", shortID(top), err)
		}
		defer func() { _, _ = store.Unmount(top, false) }()
		if rc, err = archive.TarWithOptions(mnt, &archive.TarOptions{Compression: archive.Uncompressed}); err != nil {
			return "", 0, fmt.Errorf("reading layer %s: %w", shortID(top), err)
		}
	} else {
		c := archive.Uncompressed
		var err error
		if rc, err = store.Diff(from, top, &cstorage.DiffOptions{Compression: &c}); err != nil {
			return "", 0, fmt.Errorf("reading the layers above %s: %w", shortID(from), err)
		}
	}
	defer rc.Close()
	d, n, err := spoolDigest(rc, path)
	if err != nil {
		return "", 0, fmt.Errorf("writing the merged layer: %w", err)
	}
	return d, n, nil
}

// keptHistory returns the history entries up to the keep-th entry that
// made a layer, with the config-only entries that follow it (they belong
// to the kept image, e.g. a base image's CMD).
func keptHistory(hist []v1.History, keep int) []v1.History {
	if keep == 0 {
		return nil
	}
	layers := 0
	for i, h := range hist {
		if !h.EmptyLayer {
			if layers == keep {
				return append([]v1.History{}, hist[:i]...)
			}
			layers++
		}
	}
	return append([]v1.History{}, hist...)
}

// editConfig replaces rootfs and history in a raw image config, keeping
// every other field as it is (Docker-only fields too).
func editConfig(raw []byte, rootfs v1.RootFS, history []v1.History) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parsing the image config: %w", err)
	}
	var err error
	if m["rootfs"], err = json.Marshal(rootfs); err != nil {
		return nil, err
	}
	if m["history"], err = json.Marshal(history); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// squashedManifest makes the new image's manifest, in the original's
// schema (OCI unless it was Docker schema 2): the kept layers as they were
// and the merged layer, uncompressed.
func squashedManifest(orig manifest.Manifest, mime string, config []byte, diffID digest.Digest, size int64, keep int) ([]byte, string, error) {
	kept := orig.LayerInfos()[:keep]
	cd := digest.FromBytes(config)
	if mime == manifest.DockerV2Schema2MediaType {
		layers := make([]manifest.Schema2Descriptor, 0, keep+1)
		for _, l := range kept {
			mt := l.MediaType
			if mt == "" {
				mt = manifest.DockerV2Schema2LayerMediaType
			}
			layers = append(layers, manifest.Schema2Descriptor{MediaType: mt, Digest: l.Digest, Size: l.Size, URLs: l.URLs})
		}
		layers = append(layers, manifest.Schema2Descriptor{MediaType: manifest.DockerV2SchemaLayerMediaTypeUncompressed, Digest: diffID, Size: size})
		m := manifest.Schema2FromComponents(manifest.Schema2Descriptor{
			MediaType: manifest.DockerV2Schema2ConfigMediaType, Digest: cd, Size: int64(len(config)),
		}, layers)
		b, err := m.Serialize()
		return b, mime, err
	}
	layers := make([]v1.Descriptor, 0, keep+1)
	for _, l := range kept {
		mt := l.MediaType
		switch mt {
		case manifest.DockerV2Schema2LayerMediaType, "":
			mt = v1.MediaTypeImageLayerGzip
		case manifest.DockerV2SchemaLayerMediaTypeUncompressed:
			mt = v1.MediaTypeImageLayer
		}
		layers = append(layers, v1.Descriptor{MediaType: mt, Digest: l.Digest, Size: l.Size, URLs: l.URLs, Annotations: l.Annotations})
	}
	layers = append(layers, v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size})
	m := manifest.OCI1FromComponents(v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: cd, Size: int64(len(config))}, layers)
	b, err := m.Serialize()
	return b, v1.MediaTypeImageManifest, err
}

// squashSource is a commitSource whose manifest may be Docker schema 2.
type squashSource struct {
	*commitSource
	mime string
}

func (s *squashSource) GetManifest(_ context.Context, instance *digest.Digest) ([]byte, string, error) {
	if instance != nil {
		return nil, "", errors.New("a squashed image has no manifest list")
	}
	return s.manifest, s.mime, nil
}

type squashRef struct {
	types.ImageReference
	src *squashSource
}

func (r *squashRef) NewImageSource(context.Context, *types.SystemContext) (types.ImageSource, error) {
	return r.src, nil
}

// copySquashed copies src into storage as a new image with no names; the
// kept layers are reused from storage, read through the original image's
// storage source if they must be.
func copySquashed(ctx context.Context, store storage.Store, orig string, src *squashSource) (string, error) {
	id := src.configDigest.Encoded()
	if _, err := store.Image(id); err == nil {
		return id, nil // squashed before: the same layers give the same image
	}
	sys := SystemContext(store)
	baseRef, err := istorage.Transport.NewStoreReference(store, nil, orig)
	if err != nil {
		return "", fmt.Errorf("squashing: %w", err)
	}
	if src.parent, err = baseRef.NewImageSource(ctx, sys); err != nil {
		return "", fmt.Errorf("squashing: reading image %s: %w", shortID(orig), err)
	}
	src.ref = &squashRef{ImageReference: baseRef, src: src}
	if err := copyIntoStore(ctx, store, sys, src.ref, src, nil, id); err != nil {
		return "", fmt.Errorf("squashing into storage: %w", err)
	}
	return id, nil
}
