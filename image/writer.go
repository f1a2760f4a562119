package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	digest "github.com/opencontainers/go-digest"
	specsv1 "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// The one image writer. Everything pod makes itself (build steps, commit,
// squash, import, and pulls whose layers are all local) is stored here, the
// way go.podman.io/image's storage destination stores what copy.Image
// brings: layer IDs are chain IDs over the diff IDs, the image ID is the
// config's digest, and the manifest and config are kept under the same
// keys. So an image pod built and pushed, when pulled back, is recognised
// as the same image on the same layers.

// LayerID is the storage ID copy.Image gives the layer whose diff ID is
// diffID on the layer parent: the diff ID's hex for a base layer, else the
// hex sha256 of "PARENT+DIFFIDHEX".
func LayerID(parent string, diffID digest.Digest) string {
	if parent == "" {
		return diffID.Encoded()
	}
	return digest.Canonical.FromString(parent + "+" + diffID.Encoded()).Encoded()
}

// ChainIDs returns the storage IDs of the layers of an image whose config
// lists diffIDs (base first), as copy.Image stores them.
func ChainIDs(diffIDs []digest.Digest) []string {
	ids := make([]string, 0, len(diffIDs))
	parent := ""
	for _, d := range diffIDs {
		parent = LayerID(parent, d)
		ids = append(ids, parent)
	}
	return ids
}

// Layer is a layer WriteLayer stored or found.
type Layer struct {
	ID     string        // storage ID
	DiffID digest.Digest // digest of the uncompressed tar
	Size   int64         // size of the uncompressed tar
}

// Descriptor is the layer as an uncompressed OCI manifest entry.
func (l Layer) Descriptor() v1.Descriptor {
	return v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: l.DiffID, Size: l.Size}
}

// WriteLayer stores diff, an uncompressed tar, as a layer on parent (""
// for a base layer) under the ID LayerID gives it, or finds the layer that
// has that ID already. A diff that seeks (a file) is read twice, for its
// digest and into the store; any other is spooled into the store's
// temporary directory first. diff must not hold a store lock: a stream
// from store.Diff is spooled and closed by the caller first.
func WriteLayer(store storage.Store, parent string, diff io.Reader) (Layer, error) {
	if rs, ok := diff.(io.ReadSeeker); ok {
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			h := digest.Canonical.Digester()
			n, err := io.Copy(h.Hash(), rs)
			if err != nil {
				return Layer{}, fmt.Errorf("reading the layer: %w", err)
			}
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return Layer{}, fmt.Errorf("reading the layer: %w", err)
			}
			return putLayer(store, parent, Layer{DiffID: h.Digest(), Size: n}, rs)
		}
	}
	dir, err := storage.MkdirTemp(store.GraphRoot(), "layer")
	if err != nil {
		return Layer{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "diff.tar")
	d, n, err := spoolDigest(diff, path)
	if err != nil {
		return Layer{}, fmt.Errorf("reading the layer: %w", err)
	}
	return putSpooled(store, parent, path, d, n)
}

// putSpooled stores the file path, an uncompressed tar of digest d and
// size n, as a layer on parent.
func putSpooled(store storage.Store, parent, path string, d digest.Digest, n int64) (Layer, error) {
	f, err := os.Open(path)
	if err != nil {
		return Layer{}, err
	}
	defer f.Close()
	return putLayer(store, parent, Layer{DiffID: d, Size: n}, f)
}

// putLayer stores r, the uncompressed tar l describes, on parent, unless
// the layer is there already.
func putLayer(store storage.Store, parent string, l Layer, r io.Reader) (Layer, error) {
	l.ID = LayerID(parent, l.DiffID)
	if _, err := store.Layer(l.ID); err == nil {
		return l, nil
	}
	// As the storage destination does for an uncompressed blob: the
	// "compressed" digest is the diff ID itself.
	_, _, err := store.PutLayer(l.ID, parent, nil, "", false, &cstorage.LayerOptions{
		OriginalDigest: l.DiffID, UncompressedDigest: l.DiffID,
	}, r)
	if err != nil && !errors.Is(err, cstorage.ErrDuplicateID) { // a duplicate: another pod stored it meanwhile
		return Layer{}, fmt.Errorf("storing layer %s: %w", shortID(l.ID), err)
	}
	return l, nil
}

// Record is an image for WriteImage.
type Record struct {
	// TopLayer is the image's top layer ("" for an image of no layers).
	TopLayer string
	// Config is the config blob; the image ID is its digest's hex.
	Config []byte
	// Manifest is the image's manifest (Docker schema 2 or OCI), naming
	// Config and the layers.
	Manifest []byte
	// List is the manifest list or index Manifest was chosen from, for a
	// pulled image; stored under its digest too, as a pull does.
	List []byte
	// Names are full names ("docker.io/library/x:1") to give the image;
	// another image that has one of them loses it.
	Names []string
}

// WriteImage stores rec as an image, as copy.Image into containers-storage
// leaves one: ID the config digest's hex; the config under its digest's
// string, the manifest under "manifest-DIGEST" and "manifest" (and a list
// under its own "manifest-DIGEST"); the creation date from the config; the
// names added. An image with that ID that exists already is kept on its
// own layers (the same config names the same content; images of older pod
// versions have random layer IDs) and gets the manifest and names. It
// returns the stored image.
func WriteImage(store storage.Store, rec Record) (*cstorage.Image, error) {
	cd := digest.Canonical.FromBytes(rec.Config)
	m, err := manifest.FromBlob(rec.Manifest, manifest.GuessMIMEType(rec.Manifest))
	if err != nil {
		return nil, fmt.Errorf("parsing the manifest of image %s: %w", shortID(cd.Encoded()), err)
	}
	if got := m.ConfigInfo().Digest; got != cd {
		return nil, fmt.Errorf("storing image %s: its manifest names config %s", shortID(cd.Encoded()), got)
	}
	md, err := manifest.Digest(rec.Manifest)
	if err != nil {
		return nil, err
	}
	bigData := []cstorage.ImageBigDataOption{{Key: cd.String(), Data: rec.Config, Digest: cd}}
	if rec.List != nil {
		ld, err := manifest.Digest(rec.List)
		if err != nil {
			return nil, err
		}
		bigData = append(bigData, cstorage.ImageBigDataOption{Key: manifestKey(ld), Data: rec.List, Digest: ld})
	}
	bigData = append(bigData,
		cstorage.ImageBigDataOption{Key: manifestKey(md), Data: rec.Manifest, Digest: md},
		cstorage.ImageBigDataOption{Key: cstorage.ImageDigestBigDataKey, Data: rec.Manifest, Digest: md})
	// The storage destination's metadata when there are no signatures.
	const metadata = "{}"

	id := cd.Encoded()
	img, err := store.CreateImage(id, nil, rec.TopLayer, "", &cstorage.ImageOptions{
		CreationDate: configCreated(rec.Config), BigData: bigData, Metadata: metadata,
	})
	if errors.Is(err, cstorage.ErrDuplicateID) {
		if img, err = store.Image(id); err != nil {
			return nil, fmt.Errorf("reading image %s: %w", shortID(id), err)
		}
		for _, b := range bigData {
			if err := store.SetImageBigData(id, b.Key, b.Data, manifest.Digest); err != nil {
				return nil, fmt.Errorf("storing image %s: %w", shortID(id), err)
			}
		}
		if err := store.SetMetadata(id, metadata); err != nil {
			return nil, fmt.Errorf("storing image %s: %w", shortID(id), err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("storing image %s: %w", shortID(id), err)
	}
	if len(rec.Names) > 0 {
		if err := store.AddNames(id, rec.Names); err != nil {
			return nil, fmt.Errorf("naming image %s: %w", shortID(id), err)
		}
	}
	if img, err = store.Image(id); err != nil {
		return nil, fmt.Errorf("reading image %s: %w", shortID(id), err)
	}
	return img, nil
}

// manifestKey is the big-data key of the manifest with digest d.
func manifestKey(d digest.Digest) string {
	return cstorage.ImageDigestManifestBigDataNamePrefix + "-" + d.String()
}

// configCreated is the creation time a config records; zero (storage's
// "now") when it has none.
func configCreated(config []byte) time.Time {
	var c struct {
		Created *time.Time `json:"created"`
	}
	if json.Unmarshal(config, &c) == nil && c.Created != nil {
		return *c.Created
	}
	return time.Time{}
}

// MakeManifest returns a manifest of type mt (Docker schema 2 or OCI) for
// config and layers (OCI media types, translated for Docker), with
// annotations (OCI only; Docker's format has no place for them).
func MakeManifest(mt string, config []byte, layers []v1.Descriptor, annotations map[string]string) ([]byte, error) {
	cd := digest.Canonical.FromBytes(config)
	if mt == manifest.DockerV2Schema2MediaType {
		var ls []manifest.Schema2Descriptor
		for _, l := range layers {
			ls = append(ls, manifest.Schema2Descriptor{MediaType: dockerLayerType(l.MediaType), Digest: l.Digest, Size: l.Size, URLs: l.URLs})
		}
		return manifest.Schema2FromComponents(manifest.Schema2Descriptor{
			MediaType: manifest.DockerV2Schema2ConfigMediaType, Digest: cd, Size: int64(len(config)),
		}, ls).Serialize()
	}
	if mt != v1.MediaTypeImageManifest {
		return nil, fmt.Errorf("cannot write a manifest of type %q", mt)
	}
	m := v1.Manifest{
		Versioned: specsv1.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
		Config:      v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: cd, Size: int64(len(config))},
		Layers:      append([]v1.Descriptor{}, layers...),
		Annotations: annotations,
	}
	return json.Marshal(&m)
}
