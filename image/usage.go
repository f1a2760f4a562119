package image

import (
	"fmt"

	"github.com/pod-project/pod/storage"
)

// Usage is the images' share of the disk, as `pod system df` shows it:
// Size counts every layer of every image once, and the layers no image or
// container references; Reclaimable is what removing the images no
// container uses, and those layers, would free.
type Usage struct {
	Total, Active     int
	Size, Reclaimable int64
}

// DiskUsage measures the images of the store.
func DiskUsage(store storage.Store) (Usage, error) {
	var u Usage
	layers, err := layerMap(store)
	if err != nil {
		return u, err
	}
	images, err := store.Images()
	if err != nil {
		return u, fmt.Errorf("listing images: %w", err)
	}
	containers, err := store.Containers()
	if err != nil {
		return u, fmt.Errorf("listing containers: %w", err)
	}
	used := map[string]bool{}
	for _, c := range containers {
		used[c.ImageID] = true
		// A container's own layer is the containers' share.
		delete(layers, c.LayerID)
	}
	counted, kept := map[string]bool{}, map[string]bool{}
	for _, img := range images {
		u.Total++
		if used[img.ID] {
			u.Active++
		}
		for _, l := range layerChain(img.TopLayer, layers) {
			counted[l.ID] = true
			if used[img.ID] {
				kept[l.ID] = true
			}
		}
	}
	unreferenced, err := UnreferencedLayers(store)
	if err != nil {
		return u, err
	}
	for _, l := range unreferenced {
		if layers[l.ID] != nil {
			counted[l.ID] = true
		}
	}
	for id := range counted {
		n := layerSize(layers[id])
		u.Size += n
		if !kept[id] {
			u.Reclaimable += n
		}
	}
	return u, nil
}
