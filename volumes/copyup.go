package volumes

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/pod-project/pod/copier"
)

// copyUp copies the directory dst of the root filesystem rootfs into the
// empty directory data, keeping owners, modes, times, extended attributes
// and hard links; data takes dst's owner, mode and times. dst is resolved
// inside rootfs (a symlink cannot lead out of it), and symlinks under it
// are copied as links. Device nodes and sockets are not volume content.
// Nothing is copied when data is not empty or dst is not a directory in
// rootfs.
func copyUp(rootfs, dst, data string) error {
	if rootfs == "" {
		return nil
	}
	empty, err := isEmptyDir(data)
	if err != nil || !empty {
		return err
	}
	src, err := copier.Resolve(rootfs, dst)
	if err != nil {
		return err
	}
	fi, err := copier.Lstat(rootfs, src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || !fi.IsDir() {
		return err
	}
	return copier.Copy(rootfs, src, data, "/", copier.CopyOptions{DestMeta: true})
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return false, err
}

// chownTree gives root and everything under it to uid:gid, never following
// a symlink (links themselves are chowned).
func chownTree(root string, uid, gid int) error {
	return copier.Chown(root, uid, gid)
}
