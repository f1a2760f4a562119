package image

import (
	"errors"
	"fmt"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// PrunedLayer is one removed layer that no image or container referenced.
type PrunedLayer struct {
	ID   string
	Size int64
}

// UnreferencedLayers lists the layers that no image (its top layer and the
// parents below) and no container (its layer and the parents below)
// references, children before their parents. Storage commits a layer
// before the image or container that references it: call it only while
// no layer writer runs (storage.HoldReclaiming).
func UnreferencedLayers(store storage.Store) ([]cstorage.Layer, error) {
	layers, err := store.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	byID := make(map[string]*cstorage.Layer, len(layers))
	for i := range layers {
		byID[layers[i].ID] = &layers[i]
	}
	used := map[string]bool{}
	mark := func(id string) {
		for id != "" && !used[id] {
			used[id] = true
			l := byID[id]
			if l == nil {
				return
			}
			id = l.Parent
		}
	}
	images, err := store.Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	for _, img := range images {
		mark(img.TopLayer)
		for _, m := range img.MappedTopLayers {
			mark(m)
		}
	}
	containers, err := store.Containers()
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	for _, c := range containers {
		mark(c.LayerID)
	}
	// Children first: a layer whose child is unreferenced goes after it.
	depth := func(l *cstorage.Layer) int {
		n := 0
		for p := l.Parent; p != "" && n < len(layers); n++ {
			if byID[p] == nil {
				break
			}
			p = byID[p].Parent
		}
		return n
	}
	var out []cstorage.Layer
	for i := range layers {
		if !used[layers[i].ID] {
			out = append(out, layers[i])
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && depth(&out[j]) > depth(&out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// PruneLayers removes the layers no image and no container references
// and returns them. While another pod command writes layers (a pull, a
// build), whose new layers are not referenced yet, it removes none.
func PruneLayers(store storage.Store) ([]PrunedLayer, error) {
	release, err := storage.HoldReclaiming(store.GraphRoot())
	if errors.Is(err, storage.ErrWritersBusy) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer release()
	layers, err := UnreferencedLayers(store)
	if err != nil {
		return nil, err
	}
	var out []PrunedLayer
	for _, l := range layers {
		err := storage.WithReserve(store.GraphRoot(), func() error { return store.DeleteLayer(l.ID) })
		if err != nil && !errors.Is(err, cstorage.ErrLayerUnknown) {
			return out, fmt.Errorf("deleting unreferenced layer %s: %w", shortID(l.ID), err)
		}
		out = append(out, PrunedLayer{ID: l.ID, Size: l.UncompressedSize})
	}
	return out, nil
}
