package image

import (
	"fmt"
	"slices"

	"github.com/pod-project/pod/storage"
)

// Tag gives the image that source names the name target (normalized like
// Docker, ":latest" when no tag). A name another image had moves to this
// one, which may leave that image untagged.
func Tag(store storage.Store, source, target string) error {
	named, err := ParseTagName(target)
	if err != nil {
		return err
	}
	img, _, err := resolve(store, source)
	if err != nil {
		return err
	}
	if err := store.AddNames(img.ID, []string{named.String()}); err != nil {
		return fmt.Errorf("tagging image %s as %s: %w", shortID(img.ID), target, err)
	}
	return nil
}

// Untag removes names from the image that source names: those given
// (normalized as Tag does), or every name when none is. The image stays,
// untagged when no name is left. A name the image does not have is an
// error naming it, and nothing is removed.
func Untag(store storage.Store, source string, names []string) error {
	img, _, err := resolve(store, source)
	if err != nil {
		return err
	}
	remove := img.Names
	if len(names) > 0 {
		remove = nil
		for _, n := range names {
			named, err := ParseTagName(n)
			if err != nil {
				return err
			}
			if !slices.Contains(img.Names, named.String()) {
				return fmt.Errorf("image %s has no name %s: %w (pod images lists its names)", shortID(img.ID), n, ErrNoSuchImage)
			}
			remove = append(remove, named.String())
		}
	}
	if len(remove) == 0 {
		return nil
	}
	if err := store.RemoveNames(img.ID, remove); err != nil {
		return fmt.Errorf("untagging image %s: %w", shortID(img.ID), err)
	}
	return nil
}
