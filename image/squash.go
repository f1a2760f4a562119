package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/copier"
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
	orig, err := readStored(store, img)
	if err != nil {
		return "", err
	}
	if orig.ConfigBlob == nil {
		return "", fmt.Errorf("squashing image %s: it has no config", shortID(id))
	}
	cfg, layers := orig.Config, orig.Layers()
	if len(cfg.RootFS.DiffIDs) != len(chain) || len(layers) != len(chain) {
		return "", fmt.Errorf("squashing image %s: its config names %d layers, its manifest %d, storage holds %d",
			shortID(id), len(cfg.RootFS.DiffIDs), len(layers), len(chain))
	}
	from := ""
	if keepLayers > 0 {
		from = chain[keepLayers-1]
	}
	merged, err := writeMerged(store, from, img.TopLayer)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}

	created := time.Now().UTC()
	if cfg.Created != nil {
		created = *cfg.Created
	}
	diffIDs := append(append([]digest.Digest{}, cfg.RootFS.DiffIDs[:keepLayers]...), merged.DiffID)
	history := append(keptHistory(cfg.History, keepLayers), v1.History{
		Created:   &created,
		CreatedBy: squashCreatedBy(len(chain) - keepLayers),
	})
	cb, err := editConfig(orig.ConfigBlob, v1.RootFS{Type: "layers", DiffIDs: diffIDs}, history)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	// The new manifest keeps the original's schema (OCI unless it was
	// Docker schema 2): the kept layers as they were, the merged one
	// uncompressed.
	mt := v1.MediaTypeImageManifest
	if orig.ManifestType == manifest.DockerV2Schema2MediaType {
		mt = manifest.DockerV2Schema2MediaType
	}
	mb, err := MakeManifest(mt, cb, append(layers[:keepLayers], merged.Descriptor()), nil)
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	stored, err := WriteImage(store, Record{TopLayer: merged.ID, Config: cb, Manifest: mb})
	if err != nil {
		return "", fmt.Errorf("squashing image %s: %w", shortID(id), err)
	}
	return stored.ID, nil
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

// writeMerged stores the content of layer top relative to layer from (""
// for all of it) as one layer on from. It is spooled first: the store
// holds its layer lock while a diff is read, and storing the layer needs it.
func writeMerged(store storage.Store, from, top string) (Layer, error) {
	dir, err := storage.MkdirTemp(store.GraphRoot(), "squash")
	if err != nil {
		return Layer{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "layer.tar")
	d, n, err := spoolMerged(store, from, top, path)
	if err != nil {
		return Layer{}, err
	}
	return putSpooled(store, from, path, d, n)
}

// spoolMerged writes the uncompressed content of layer top relative to
// layer from ("" for all of it) to path, and returns its digest (the diff
// ID) and size.
func spoolMerged(store storage.Store, from, top, path string) (digest.Digest, int64, error) {
	var rc io.ReadCloser
	if from == "" {
		// store.Diff reads "" as the layer's parent: tar the mounted layer.
		mnt, err := store.Mount(top, "")
		if err != nil {
			return "", 0, fmt.Errorf("mounting layer %s: %w", shortID(top), err)
		}
		defer func() { _, _ = store.Unmount(top, false) }()
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(copier.WriteTar(pw, mnt, "/", copier.TarOptions{Devices: true})) }()
		rc = pr
	} else {
		c := archive.Uncompressed
		var err error
		if rc, err = store.Diff(from, top, &cstorage.DiffOptions{Compression: &c}); err != nil {
			return "", 0, fmt.Errorf("reading the layers above %s: %w", shortID(from), err)
		}
	}
	d, n, err := spoolDigest(rc, path)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
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
