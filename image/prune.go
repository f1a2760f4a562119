package image

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pod-project/pod/storage"
)

// PruneOptions say which unused images `pod image prune` removes.
type PruneOptions struct {
	// All removes every image no container uses; else only dangling
	// (untagged) ones.
	All bool
	// Filters are until=TIMESTAMP|DURATION (created before), label=KEY[=VALUE]
	// and label!=KEY[=VALUE].
	Filters []string
}

// Pruned is one removed image.
type Pruned struct {
	ID   string
	Size int64 // unpacked size of its layers
}

// pruneFilter is the parsed form of PruneOptions.Filters.
type pruneFilter struct {
	until            time.Time
	labels, nolabels []string
}

// parsePruneFilters parses prune filters at time now; errors wrap
// ErrBadFilter.
func parsePruneFilters(args []string, now time.Time) (pruneFilter, error) {
	var f pruneFilter
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return f, fmt.Errorf("%w %q: use until=, label= or label!=", ErrBadFilter, a)
		}
		switch k {
		case "until":
			t, err := storage.ParseUntil(v, now)
			if err != nil {
				return f, fmt.Errorf("%w %q: %v", ErrBadFilter, a, err)
			}
			f.until = t
		case "label":
			f.labels = append(f.labels, v)
		case "label!":
			f.nolabels = append(f.nolabels, v)
		default:
			return f, fmt.Errorf("%w %q: prune filters are until=, label= and label!=", ErrBadFilter, a)
		}
	}
	return f, nil
}

// Prune removes the unused images the options select and returns them.
func Prune(store storage.Store, opts PruneOptions) ([]Pruned, error) {
	f, err := parsePruneFilters(opts.Filters, time.Now())
	if err != nil {
		return nil, err
	}
	images, _, users, err := imagesAndUsers(store)
	if err != nil {
		return nil, err
	}
	layers, err := layerMap(store)
	if err != nil {
		return nil, err
	}
	var out []Pruned
	for i := range images {
		img := &images[i]
		if users[img.ID] > 0 || (!opts.All && len(img.Names) > 0) {
			continue
		}
		loc, err := localFrom(store, img)
		if err != nil {
			return out, err
		}
		if !f.until.IsZero() && !loc.Created.Before(f.until) {
			continue
		}
		labels := loc.Config.Config.Labels
		if !matchLabels(f.labels, labels) || (len(f.nolabels) > 0 && matchAnyLabel(f.nolabels, labels)) {
			continue
		}
		size := imageSize(img.TopLayer, layers)
		if err := storage.WithReserve(store.GraphRoot(), func() error { _, err := store.DeleteImage(img.ID, true); return err }); err != nil {
			return out, fmt.Errorf("deleting image %s: %w", shortID(img.ID), err)
		}
		out = append(out, Pruned{ID: img.ID, Size: size})
	}
	return out, nil
}

func matchAnyLabel(filters []string, labels map[string]string) bool {
	for _, f := range filters {
		if matchLabels([]string{f}, labels) {
			return true
		}
	}
	return false
}

// Exists reports whether a local image matches name or ID.
func Exists(store storage.Store, name string) (bool, error) {
	_, _, err := resolve(store, name)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, ErrNoSuchImage) {
		return false, nil
	}
	return false, err
}
