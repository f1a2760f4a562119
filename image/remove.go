package image

import (
	"fmt"
	"strings"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// RemoveOptions say how `pod rmi` removes.
type RemoveOptions struct {
	// Force removes an image by ID although its tags span several
	// repositories, and removes the containers that use it first with
	// RemoveContainers.
	Force bool
	// RemoveContainers removes containers by ID (the lifecycle's one
	// removal path); required with Force.
	RemoveContainers func(ids []string) error
}

// RemoveResult is what happened to one target.
type RemoveResult struct {
	Target   string
	Untagged []string // familiar names removed ("demo:1")
	Deleted  string   // image ID deleted; "" when only untagged
	// RemovedContainers are the IDs of containers deleted because of Force.
	RemovedContainers []string
	Err               error
}

// Remove untags or deletes each target, as `docker rmi` does, trying every
// one; each result carries its own error.
func Remove(store storage.Store, targets []string, opts RemoveOptions) []RemoveResult {
	results := make([]RemoveResult, 0, len(targets))
	for _, t := range targets {
		r := RemoveResult{Target: t}
		r.Err = removeOne(store, t, opts, &r)
		results = append(results, r)
	}
	return results
}

func removeOne(store storage.Store, target string, opts RemoveOptions, r *RemoveResult) error {
	img, name, err := resolve(store, target)
	if err != nil {
		return err
	}
	if name != "" && len(img.Names) > 1 {
		// A name of an image with other names: only untag.
		if err := store.RemoveNames(img.ID, []string{name}); err != nil {
			return fmt.Errorf("untagging %s: %w", target, err)
		}
		r.Untagged = append(r.Untagged, FamiliarName(name))
		return nil
	}
	if name == "" && !opts.Force {
		if repos := repositories(sortedNames(img.Names)); len(repos) > 1 {
			return fmt.Errorf("unable to delete %s: %w (%s): remove the tags by name, or use -f",
				shortID(img.ID), ErrMultipleRepositories, strings.Join(repos, ", "))
		}
	}
	users, err := containersUsing(store, img.ID)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		if !opts.Force {
			return fmt.Errorf("unable to delete %s (%s): %w: %s: remove it with pod rm, or use -f",
				target, shortID(img.ID), ErrImageInUse, containerList(users))
		}
		if opts.RemoveContainers == nil {
			return fmt.Errorf("deleting image %s: no way to remove the containers that use it", target)
		}
		ids := make([]string, 0, len(users))
		for _, c := range users {
			ids = append(ids, c.ID)
		}
		if err := opts.RemoveContainers(ids); err != nil {
			return fmt.Errorf("removing the containers that use image %s: %w", target, err)
		}
		r.RemovedContainers = ids
	}
	if err := storage.WithReserve(store.GraphRoot(), func() error { _, err := store.DeleteImage(img.ID, true); return err }); err != nil {
		return fmt.Errorf("deleting image %s: %w", shortID(img.ID), err)
	}
	for _, n := range sortedNames(img.Names) {
		r.Untagged = append(r.Untagged, FamiliarName(n))
	}
	r.Deleted = img.ID
	return nil
}

// repositories lists the distinct familiar repositories of names.
func repositories(names []string) []string {
	var repos []string
	seen := map[string]bool{}
	for _, n := range names {
		repo, _ := splitName(n)
		if !seen[repo] {
			seen[repo] = true
			repos = append(repos, repo)
		}
	}
	return repos
}

// containerList names containers as "NAME (ID)".
func containerList(cs []cstorage.Container) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		label := shortID(c.ID)
		if len(c.Names) > 0 {
			label = c.Names[0] + " (" + label + ")"
		}
		parts = append(parts, label)
	}
	return strings.Join(parts, ", ")
}
