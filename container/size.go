package container

import (
	"fmt"

	"github.com/pod-project/pod/storage"
)

// Size returns the size of the container's writable layer and its virtual
// size (that plus its image's), as `ps -s` shows them.
func Size(st storage.Store, r *Record) (rw, virtual int64, err error) {
	rw, err = st.ContainerSize(r.Config.ID)
	if err != nil {
		return 0, 0, fmt.Errorf("size of container %s: %w", r.Config.Name, err)
	}
	img, err := st.ImageSize(r.Config.ImageID)
	if err != nil {
		return rw, rw, nil
	}
	return rw, rw + img, nil
}
