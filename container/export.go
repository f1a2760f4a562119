package container

import (
	"fmt"
	"io"

	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/copier"
	"github.com/pod-project/pod/storage"
)

// Export writes the container's whole filesystem (its image with its
// changes) to w as a tar archive, as `docker export` does. A stopped
// container is mounted for the time of the copy.
func Export(st storage.Store, idOrName string, w io.Writer) error {
	r, err := Load(st, idOrName)
	if err != nil {
		return err
	}
	rootfs := r.Config.Rootfs
	if rootfs == "" {
		if rootfs, err = st.Mount(r.Config.ID, ""); err != nil {
			return fmt.Errorf("mounting container %s: %w", r.Config.Name, err)
		}
		defer func() {
			if _, err := st.Unmount(r.Config.ID, false); err != nil {
				logrus.Warnf("unmounting %s: %v", r.Config.Name, err)
			}
		}()
	}
	if err := copier.WriteTar(w, rootfs, "/", copier.TarOptions{Devices: true}); err != nil {
		return fmt.Errorf("exporting container %s: %w", r.Config.Name, err)
	}
	return nil
}
