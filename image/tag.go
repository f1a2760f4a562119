package image

import (
	"fmt"

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
