package image

import (
	"context"
	"errors"
	"fmt"
	"io"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	iimage "go.podman.io/image/v5/image"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// A pull whose layers are all local fetches none of them. copy.Image finds
// a local layer only by the blob digest it was stored with or through the
// blob-info cache, which is SQLite (and so a no-op memory cache in pod's
// cgo-free build): an image pod built and pushed would download again
// every layer it already has. So before copying, pod reads the manifest
// and the config (both small) and, when the image (its ID is the config
// digest) or every layer of its chain (LayerID over the config's diff IDs)
// is in the store, writes the image record itself through WriteImage.

// localChain returns the top of the chain of layers an image whose config
// lists diffIDs has when copy.Image stores it, when every layer of it is in
// the store (has tells); ok is false when one is missing.
func localChain(diffIDs []digest.Digest, has func(id string) bool) (top string, ok bool) {
	for _, id := range ChainIDs(diffIDs) {
		if !has(id) {
			return "", false
		}
		top = id
	}
	return top, true
}

// pullLocal opens srcRef, chooses the instance copy.Image would (by
// platform), checks it against the signature policy, and reads its
// config. When the image or all of its layers are local it stores the
// image as named, reports every layer as already there on w, and returns
// what it stored. Otherwise it returns the open source, for copy.Image to
// continue with (the caller closes it, or hands it on).
func pullLocal(ctx context.Context, sys *types.SystemContext, pc *signature.PolicyContext, store storage.Store,
	srcRef types.ImageReference, named reference.Named, w io.Writer) (*Pulled, types.ImageSource, error) {
	src, err := srcRef.NewImageSource(ctx, sys)
	if err != nil {
		return nil, nil, err
	}
	pulled, err := pullLocalFrom(ctx, sys, pc, store, src, named, w)
	if err != nil || pulled != nil {
		src.Close()
		return pulled, nil, err
	}
	return nil, src, nil
}

func pullLocalFrom(ctx context.Context, sys *types.SystemContext, pc *signature.PolicyContext, store storage.Store,
	src types.ImageSource, named reference.Named, w io.Writer) (*Pulled, error) {
	top := iimage.UnparsedInstance(src, nil)
	topBlob, topType, err := top.Manifest(ctx)
	if err != nil {
		return nil, err
	}
	instance, list := top, []byte(nil)
	if manifest.MIMETypeIsMultiImage(topType) {
		l, err := manifest.ListFromBlob(topBlob, topType)
		if err != nil {
			return nil, fmt.Errorf("parsing the manifest list: %w", err)
		}
		d, err := l.ChooseInstance(sys)
		if err != nil {
			return nil, err
		}
		instance, list = iimage.UnparsedInstance(src, &d), topBlob
	}
	// The policy first, before anything else of the image is read, as
	// copy.Image does.
	if allowed, err := pc.IsRunningImageAllowed(ctx, instance); !allowed || err != nil {
		if err == nil {
			err = errors.New("the signature policy rejects it")
		}
		return nil, fmt.Errorf("source image rejected: %w", err)
	}
	mb, mt, err := instance.Manifest(ctx)
	if err != nil {
		return nil, err
	}
	if mt != manifest.DockerV2Schema2MediaType && mt != v1.MediaTypeImageManifest {
		return nil, nil // schema 1 and unknown types: copy.Image's business
	}
	if sigs, err := instance.Signatures(ctx); err != nil || len(sigs) > 0 {
		return nil, nil // signatures are stored by copy.Image
	}
	img, err := iimage.FromUnparsedImage(ctx, sys, instance)
	if err != nil {
		return nil, err
	}
	config, err := img.ConfigBlob(ctx) // verified against the manifest's digest
	if err != nil {
		return nil, err
	}
	oci, err := img.OCIConfig(ctx)
	if err != nil {
		return nil, err
	}
	layers := img.LayerInfos()
	if len(layers) != len(oci.RootFS.DiffIDs) {
		return nil, nil // let copy.Image say what is wrong
	}
	id := img.ConfigInfo().Digest.Encoded()
	topLayer := ""
	if existing, err := store.Image(id); err == nil {
		topLayer = existing.TopLayer
	} else if !errors.Is(err, cstorage.ErrImageUnknown) {
		return nil, err
	} else {
		var ok bool
		topLayer, ok = localChain(oci.RootFS.DiffIDs, func(id string) bool {
			_, err := store.Layer(id)
			return err == nil
		})
		if !ok {
			return nil, nil
		}
	}

	p := newProgress(w)
	for _, l := range layers {
		p.skipped(l)
	}
	p.copied(img.ConfigInfo(), int64(len(config)))
	stored, err := WriteImage(store, Record{TopLayer: topLayer, Config: config, Manifest: mb, List: list, Names: []string{named.String()}})
	p.finish(err == nil)
	if err != nil {
		return nil, err
	}
	d, err := manifest.Digest(topBlob)
	if err != nil {
		return nil, err
	}
	return &Pulled{Name: named.String(), ID: stored.ID, Digest: d}, nil
}

// openedRef hands copy.Image a source that is open already (its manifest
// read once), the first time it asks; later tries open their own.
type openedRef struct {
	types.ImageReference
	src types.ImageSource
}

func (r *openedRef) NewImageSource(ctx context.Context, sys *types.SystemContext) (types.ImageSource, error) {
	if src := r.src; src != nil {
		r.src = nil
		return src, nil
	}
	return r.ImageReference.NewImageSource(ctx, sys)
}

// close closes the open source if copy.Image never took it.
func (r *openedRef) close() {
	if r.src != nil {
		r.src.Close()
		r.src = nil
	}
}
