package container

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/storage"
)

// Change is one path of a container's filesystem that differs from its
// image: Kind is "A" (added), "C" (changed) or "D" (deleted).
type Change struct {
	Kind string `json:"kind"`
	Path string `json:"path"`
}

// Diff lists the changes of the container's filesystem against its image,
// sorted by path, as `docker diff` shows them.
func Diff(st storage.Store, idOrName string) ([]Change, error) {
	r, err := Load(st, idOrName)
	if err != nil {
		return nil, err
	}
	if r.Config.Rootfs != "" {
		return nil, fmt.Errorf("container %s runs in the directory %s (--rootfs): it has no image to compare with", r.Config.Name, r.Config.Rootfs)
	}
	c, err := st.Container(r.Config.ID)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", r.Config.Name, err)
	}
	changes, err := st.Changes("", c.LayerID)
	if err != nil {
		return nil, fmt.Errorf("comparing container %s with its image: %w", r.Config.Name, err)
	}
	return convertChanges(changes), nil
}

// convertChanges sorts the changes by path and leaves out the mount points
// the runtime made for pod's /etc/hosts, /etc/hostname, /etc/resolv.conf
// and /run/.containerenv, and the /etc/mtab link pod makes (and the change
// of /etc and /run they alone caused), as Docker and Podman keep those out
// of their diff.
func convertChanges(in []archive.Change) []Change {
	out := make([]Change, 0, len(in))
	changedUnder := map[string]bool{}
	for _, ch := range in {
		if ch.Kind == archive.ChangeAdd && (etcFiles[ch.Path] || ch.Path == ContainerEnvPath || ch.Path == "/etc/mtab") {
			continue
		}
		for _, dir := range []string{"/etc", "/run"} {
			if strings.HasPrefix(ch.Path, dir+"/") {
				changedUnder[dir] = true
			}
		}
		out = append(out, Change{Kind: ch.Kind.String(), Path: ch.Path})
	}
	// The directories the mount points alone changed (or, /run, made).
	out = slices.DeleteFunc(out, func(c Change) bool {
		return (c.Path == "/etc" && c.Kind == "C" || c.Path == "/run" && c.Kind != "D") && !changedUnder[c.Path]
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// WriteChanges prints changes one per line: "C /etc".
func WriteChanges(w io.Writer, changes []Change) error {
	for _, c := range changes {
		if _, err := fmt.Fprintf(w, "%s %s\n", c.Kind, c.Path); err != nil {
			return err
		}
	}
	return nil
}
