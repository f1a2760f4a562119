package image

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	digest "github.com/opencontainers/go-digest"
	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// ListOptions say which images `pod images` shows.
type ListOptions struct {
	// All includes intermediate images (untagged parents of other images).
	All bool
	// Filters are KEY=VALUE strings (see ParseFilters).
	Filters []string
	// Reference is the optional REPOSITORY[:TAG] argument, a reference
	// filter ORed with the others.
	Reference string
}

// ListEntry is one row of `pod images`: one per tag, or one for an untagged
// image (Repository and Tag "<none>").
type ListEntry struct {
	ID         string // 64 hex
	Repository string // familiar ("demo"), or "<none>"
	Tag        string // or "<none>"
	// Digest is the manifest digest for a named row, "" for an untagged one.
	Digest  digest.Digest
	Created time.Time
	Size    int64
	// History holds the names the image has had, newest first (what
	// images --history shows).
	History []string
}

// List returns the rows of `pod images`, newest image first.
func List(store storage.Store, opts ListOptions) ([]ListEntry, error) {
	f, err := ParseFilters(opts.Filters)
	if err != nil {
		return nil, err
	}
	if opts.Reference != "" {
		f.References = append(f.References, opts.Reference)
	}
	before, err := boundTime(store, f.Before, true)
	if err != nil {
		return nil, err
	}
	since, err := boundTime(store, f.Since, false)
	if err != nil {
		return nil, err
	}
	images, err := store.Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	layers, err := layerMap(store)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(images, func(a, b cstorage.Image) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	var hidden map[string]bool
	if !opts.All {
		hidden = intermediates(images, layers)
	}
	var rows []ListEntry
	for i := range images {
		img := &images[i]
		if hidden[img.ID] || !matchImage(f, img, before, since) {
			continue
		}
		if len(f.Labels) > 0 {
			cfg, err := readConfig(store, img)
			if err != nil {
				return nil, err
			}
			if !matchLabels(f.Labels, cfg.Config.Labels) {
				continue
			}
		}
		rows = append(rows, imageRows(img, f.References, imageSize(img.TopLayer, layers))...)
	}
	return rows, nil
}

// matchImage applies the filters decided by the image record alone.
func matchImage(f Filters, img *cstorage.Image, before, since time.Time) bool {
	dangling := len(img.Names) == 0
	if f.Dangling != nil && *f.Dangling != dangling {
		return false
	}
	if !before.IsZero() && !img.Created.Before(before) {
		return false
	}
	if !since.IsZero() && !img.Created.After(since) {
		return false
	}
	return true
}

// imageRows expands an image into one row per name that matches the
// reference patterns (all names when there are none).
func imageRows(img *cstorage.Image, refs []string, size int64) []ListEntry {
	base := ListEntry{ID: img.ID, Repository: none, Tag: none, Created: img.Created, Size: size, History: img.NamesHistory}
	if len(img.Names) == 0 {
		if len(refs) > 0 {
			return nil
		}
		return []ListEntry{base}
	}
	var rows []ListEntry
	for _, n := range sortedNames(img.Names) {
		if len(refs) > 0 && !matchReference(refs, n) {
			continue
		}
		r := base
		r.Repository, r.Tag = splitName(n)
		r.Digest = img.Digest
		rows = append(rows, r)
	}
	return rows
}

// intermediates returns the untagged images that are parents of another
// image (its top layer is in the other's chain), which `images` hides
// without -a, as Docker does.
func intermediates(images []cstorage.Image, layers map[string]*cstorage.Layer) map[string]bool {
	chains := make(map[string]map[string]bool, len(images))
	for _, img := range images {
		set := map[string]bool{}
		for _, l := range layerChain(img.TopLayer, layers) {
			set[l.ID] = true
		}
		chains[img.ID] = set
	}
	hidden := map[string]bool{}
	for _, x := range images {
		if len(x.Names) > 0 || x.TopLayer == "" {
			continue
		}
		for _, y := range images {
			if y.ID == x.ID || !chains[y.ID][x.TopLayer] {
				continue
			}
			// Of two images on one top layer (a build's last step and the
			// image it labelled), the later or the tagged one is the child.
			if y.TopLayer != x.TopLayer || y.Created.After(x.Created) || len(y.Names) > 0 {
				hidden[x.ID] = true
				break
			}
		}
	}
	return hidden
}

// boundTime resolves before/since images to a creation time: the earliest
// of the before images, the latest of the since images.
func boundTime(store storage.Store, refs []string, earliest bool) (time.Time, error) {
	var t time.Time
	for _, r := range refs {
		img, _, err := resolve(store, r)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %w", ErrBadFilter, err)
		}
		if t.IsZero() || earliest && img.Created.Before(t) || !earliest && img.Created.After(t) {
			t = img.Created
		}
	}
	return t, nil
}

// sortedNames orders names by their familiar form, as Docker's reference
// store lists them.
func sortedNames(names []string) []string {
	s := slices.Clone(names)
	slices.SortFunc(s, func(a, b string) int { return cmp.Compare(FamiliarName(a), FamiliarName(b)) })
	return s
}
