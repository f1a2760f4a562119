package volumes

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pod-project/pod/storage"
)

// Usage is the volumes' share of the disk, as `pod system df` shows it:
// Active are the volumes some container mounts; Reclaimable the size of
// the others.
type Usage struct {
	Total, Active     int
	Size, Reclaimable int64
}

// DiskUsage measures the volumes of s.
func DiskUsage(st storage.Store, s *Store) (Usage, error) {
	var u Usage
	vols, err := s.List()
	if err != nil {
		return u, err
	}
	users, err := usersByVolume(st)
	if err != nil {
		return u, err
	}
	for _, v := range vols {
		n := dirSize(v.Mountpoint)
		u.Total++
		u.Size += n
		if len(users[v.Name]) > 0 {
			u.Active++
		} else {
			u.Reclaimable += n
		}
	}
	return u, nil
}

// dirSize adds up the sizes of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// VolumeUsage is one volume's line of `system df -v`.
type VolumeUsage struct {
	Name string
	// Links counts the containers that use it.
	Links int
	Size  int64
}

// VolumesUsage measures each volume, by name.
func VolumesUsage(st storage.Store, s *Store) ([]VolumeUsage, error) {
	vols, err := s.List()
	if err != nil {
		return nil, err
	}
	users, err := usersByVolume(st)
	if err != nil {
		return nil, err
	}
	out := make([]VolumeUsage, 0, len(vols))
	for _, v := range vols {
		out = append(out, VolumeUsage{Name: v.Name, Links: len(users[v.Name]), Size: dirSize(v.Mountpoint)})
	}
	slices.SortFunc(out, func(a, b VolumeUsage) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
