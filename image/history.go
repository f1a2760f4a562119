package image

import (
	"context"
	"slices"
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// HistoryEntry is one row of `pod history`, newest first.
type HistoryEntry struct {
	// ID is the local image this step produced (the image itself for the
	// newest row, a local parent image for older ones), "" for Docker's
	// "<missing>".
	ID         string
	Created    time.Time
	CreatedBy  string
	Comment    string
	Size       int64 // bytes the step's layer adds; 0 for config-only steps
	EmptyLayer bool
}

// History returns the steps that built the image nameOrID names, newest
// first, as `docker history` lists them.
func History(ctx context.Context, store storage.Store, nameOrID string) ([]HistoryEntry, error) {
	img, _, err := resolve(store, nameOrID)
	if err != nil {
		return nil, err
	}
	loc, err := localFrom(store, img)
	if err != nil {
		return nil, err
	}
	layers, err := layerMap(store)
	if err != nil {
		return nil, err
	}
	chain := layerChain(img.TopLayer, layers)
	sizes := make([]int64, len(chain))
	for i, l := range chain { // chain is top-down; sizes bottom-up
		sizes[len(chain)-1-i] = layerSize(l)
	}
	parents, err := localParents(store, img, loc.Config, chain)
	if err != nil {
		return nil, err
	}
	return historyEntries(loc.Config, img.ID, sizes, parents), nil
}

// historyEntries pairs the config's history with the layer sizes (bottom
// up; one per non-empty step) and the local image IDs known for steps
// (by history index), and returns the rows newest first.
func historyEntries(cfg *v1.Image, id string, sizes []int64, parents map[int]string) []HistoryEntry {
	hist := cfg.History
	if len(hist) == 0 {
		// No history recorded: one row per layer.
		for range cfg.RootFS.DiffIDs {
			hist = append(hist, v1.History{Created: cfg.Created})
		}
		if len(hist) == 0 {
			hist = []v1.History{{Created: cfg.Created, EmptyLayer: true}}
		}
	}
	rows := make([]HistoryEntry, 0, len(hist))
	layer := 0
	for i, h := range hist {
		e := HistoryEntry{CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer, ID: parents[i]}
		if h.Created != nil {
			e.Created = *h.Created
		}
		if !h.EmptyLayer {
			if layer < len(sizes) {
				e.Size = sizes[layer]
			}
			layer++
		}
		rows = append(rows, e)
	}
	rows[len(rows)-1].ID = id
	slices.Reverse(rows)
	return rows
}

// localParents finds local images that an image was built on: an image
// whose top layer is in this one's chain and whose history is a strict
// prefix of this one's produced step len(history)-1.
func localParents(store storage.Store, img *cstorage.Image, cfg *v1.Image, chain []*cstorage.Layer) (map[int]string, error) {
	parents := map[int]string{}
	if len(cfg.History) < 2 {
		return parents, nil
	}
	inChain := map[string]bool{}
	for _, l := range chain {
		inChain[l.ID] = true
	}
	images, err := store.Images()
	if err != nil {
		return nil, err
	}
	for i := range images {
		other := &images[i]
		if other.ID == img.ID || !inChain[other.TopLayer] {
			continue
		}
		ocfg, err := readConfig(store, other)
		if err != nil {
			continue // an unreadable image is not a parent we can show
		}
		n := len(ocfg.History)
		if n == 0 || n >= len(cfg.History) || !sameHistory(ocfg.History, cfg.History[:n]) {
			continue
		}
		if _, taken := parents[n-1]; !taken {
			parents[n-1] = other.ID
		}
	}
	return parents, nil
}

func sameHistory(a, b []v1.History) bool {
	return slices.EqualFunc(a, b, func(x, y v1.History) bool {
		sameTime := (x.Created == nil) == (y.Created == nil) && (x.Created == nil || x.Created.Equal(*y.Created))
		return sameTime && x.CreatedBy == y.CreatedBy && x.Comment == y.Comment && x.EmptyLayer == y.EmptyLayer
	})
}
