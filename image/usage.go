package image

import (
	"fmt"
	"slices"
	"time"

	"github.com/pod-project/pod/storage"
	cstorage "go.podman.io/storage"
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
	images, containers, users, err := imagesAndUsers(store)
	if err != nil {
		return u, err
	}
	used := func(id string) bool { return users[id] > 0 }
	for _, c := range containers {
		// A container's own layer is the containers' share.
		delete(layers, c.LayerID)
	}
	counted, kept := map[string]bool{}, map[string]bool{}
	for _, img := range images {
		u.Total++
		if used(img.ID) {
			u.Active++
		}
		for _, l := range layerChain(img.TopLayer, layers) {
			counted[l.ID] = true
			if used(img.ID) {
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

// ImageUsage is one image's line of `system df -v`.
type ImageUsage struct {
	ID string
	// Repository and Tag are of its first name ("<none>" without one).
	Repository, Tag string
	Created         time.Time
	// Size is the image's whole size; UniqueSize that of its layers no
	// other image has, SharedSize the rest.
	Size, SharedSize, UniqueSize int64
	// Containers counts the containers made from it.
	Containers int
}

// ImagesUsage measures each image of the store, newest first.
func ImagesUsage(store storage.Store) ([]ImageUsage, error) {
	layers, err := layerMap(store)
	if err != nil {
		return nil, err
	}
	images, _, users, err := imagesAndUsers(store)
	if err != nil {
		return nil, err
	}
	chains := make([][]*cstorage.Layer, len(images))
	refs := map[string]int{}
	for i, img := range images {
		chains[i] = layerChain(img.TopLayer, layers)
		for _, l := range chains[i] {
			refs[l.ID]++
		}
	}
	out := make([]ImageUsage, 0, len(images))
	for i, img := range images {
		u := ImageUsage{ID: img.ID, Repository: none, Tag: none, Created: img.Created, Containers: users[img.ID]}
		if len(img.Names) > 0 {
			u.Repository, u.Tag = splitName(sortedNames(img.Names)[0])
		}
		for _, l := range chains[i] {
			n := layerSize(l)
			u.Size += n
			if refs[l.ID] == 1 {
				u.UniqueSize += n
			}
		}
		u.SharedSize = u.Size - u.UniqueSize
		out = append(out, u)
	}
	slices.SortStableFunc(out, func(a, b ImageUsage) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// imagesAndUsers lists the store's images and containers, and counts the
// containers of each image.
func imagesAndUsers(store storage.Store) ([]cstorage.Image, []cstorage.Container, map[string]int, error) {
	images, err := store.Images()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("listing images: %w", err)
	}
	containers, err := store.Containers()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("listing containers: %w", err)
	}
	users := map[string]int{}
	for _, c := range containers {
		users[c.ImageID]++
	}
	return images, containers, users, nil
}
