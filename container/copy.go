package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/copier"
	"github.com/pod-project/pod/storage"
)

// CopyOptions say how `pod cp` copies. Paths follow Docker's rules: a
// directory is copied with its name unless the source ends in "/." (its
// content then), a destination that exists as a directory receives the
// source, one that does not is created with the source's content.
type CopyOptions struct {
	// Archive keeps the source's uid and gid; without it what is copied
	// belongs to root in the container, or to the user on the host.
	Archive bool
	// FollowLink copies what a source symlink points to, not the link.
	FollowLink bool
	// Stdin is read as a tar archive when the source is "-"; Stdout gets a
	// tar archive when the destination is "-".
	Stdin  io.Reader
	Stdout io.Writer
	// InUserNS: pod runs in its user namespace, where device nodes cannot
	// be made: they are not copied.
	InUserNS bool
	// Overwrite lets a copy into a container replace a directory with a
	// non-directory (refused otherwise).
	Overwrite bool
}

// etcFiles are the files pod bind-mounts from the container's run
// directory: reading them from a running container reads those.
var etcFiles = map[string]bool{"/etc/hosts": true, "/etc/hostname": true, "/etc/resolv.conf": true}

// CopyFrom copies srcPath of the container idOrName to dstPath on the host
// ("-": a tar stream to o.Stdout). Symlinks are resolved inside the
// container's root, never outside it.
func CopyFrom(st storage.Store, idOrName, srcPath, dstPath string, o CopyOptions) error {
	r, root, release, err := mountFor(st, idOrName)
	if err != nil {
		return err
	}
	defer release()
	srcRoot, clean := root, path.Clean("/"+srcPath)
	if etcFiles[clean] && r.Running() {
		if dir, err := st.ContainerRunDirectory(r.Config.ID); err == nil && exists(filepath.Join(dir, path.Base(clean))) {
			srcRoot, clean = dir, "/"+path.Base(clean)
		}
	}
	src, err := resolveIn(srcRoot, clean, o.FollowLink || assertsDir(srcPath))
	if err != nil {
		return fmt.Errorf("resolving %s in container %s: %w", srcPath, r.Config.Name, err)
	}
	fi, err := copier.Lstat(srcRoot, src)
	if err != nil {
		return fmt.Errorf("no such file or directory %q in container %s: %w", srcPath, r.Config.Name, fs.ErrNotExist)
	}
	if assertsDir(srcPath) && !fi.IsDir() {
		return fmt.Errorf("%q in container %s is not a directory", srcPath, r.Config.Name)
	}
	name := sourceName(srcPath)
	if dstPath == "-" {
		if err := copier.WriteTar(o.Stdout, srcRoot, src, copier.TarOptions{Name: name, Devices: true}); err != nil {
			return fmt.Errorf("copying %s from container %s: %w", srcPath, r.Config.Name, err)
		}
		return nil
	}
	dir, top, err := hostPlacement(dstPath, fi.IsDir(), name)
	if err != nil {
		return fmt.Errorf("copying %s from container %s to %s: %w", srcPath, r.Config.Name, dstPath, err)
	}
	co := copier.CopyOptions{WriteOptions: copier.WriteOptions{Devices: !o.InUserNS}, DestMeta: top != "."}
	if !o.Archive {
		co.Owner = &copier.Owner{}
	}
	if err := copier.Copy(srcRoot, src, dir, top, co); err != nil {
		return fmt.Errorf("copying %s from container %s to %s: %w", srcPath, r.Config.Name, dstPath, err)
	}
	return nil
}

// CopyTo copies srcPath on the host ("-": a tar stream from o.Stdin, which
// then needs an existing directory as destination) to dstPath in the
// container idOrName. Every path in the container, and every entry of the
// stream, is resolved inside its root: no symlink leads the copy out of
// it, and an existing directory is never replaced by a non-directory
// (unless o.Overwrite).
func CopyTo(st storage.Store, srcPath, idOrName, dstPath string, o CopyOptions) error {
	var src hostSource
	if srcPath != "-" {
		var err error
		if src, err = statHostSource(srcPath, o.FollowLink); err != nil {
			return fmt.Errorf("copying %s: %w", srcPath, err)
		}
	}
	r, root, release, err := mountFor(st, idOrName)
	if err != nil {
		return err
	}
	defer release()
	dst, err := resolveIn(root, dstPath, true)
	if err != nil {
		return fmt.Errorf("resolving %s in container %s: %w", dstPath, r.Config.Name, err)
	}
	fi, err := copier.Lstat(root, dst)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("copying to %s in container %s: %w", dstPath, r.Config.Name, err)
	}
	found := err == nil
	if !found {
		if pfi, err := copier.Lstat(root, path.Dir(dst)); err != nil || !pfi.IsDir() {
			return fmt.Errorf("copying to %s in container %s: the parent directory does not exist: %w", dstPath, r.Config.Name, fs.ErrNotExist)
		}
	}
	wo := copier.WriteOptions{NoReplaceDir: !o.Overwrite, Devices: !o.InUserNS}
	if !o.Archive {
		wo.Owner = &copier.Owner{}
	}
	if srcPath == "-" {
		if !found || !fi.IsDir() {
			return fmt.Errorf("copying a tar stream to %s in container %s: the destination must be an existing directory", dstPath, r.Config.Name)
		}
		if err := copier.Extract(o.Stdin, root, dst, copier.ExtractOptions{WriteOptions: wo}); err != nil {
			return fmt.Errorf("copying a tar stream to %s in container %s: %w", dstPath, r.Config.Name, err)
		}
		return nil
	}
	dir, top, err := placement(dst, found, found && fi.IsDir(), assertsDir(dstPath), src.info.IsDir(), src.name)
	if err != nil {
		return fmt.Errorf("copying %s to %s in container %s: %w", srcPath, dstPath, r.Config.Name, err)
	}
	co := copier.CopyOptions{WriteOptions: wo, DestMeta: top != "."}
	if err := copier.Copy("/", src.path, root, path.Join(dir, top), co); err != nil {
		return fmt.Errorf("copying %s to container %s: %w", srcPath, r.Config.Name, err)
	}
	return nil
}

// hostSource is what CopyTo copies from the host.
type hostSource struct {
	path string // absolute, the link's target when followed
	info fs.FileInfo
	name string // the name it takes (sourceName)
}

func statHostSource(p string, follow bool) (hostSource, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return hostSource{}, err
	}
	if follow || assertsDir(p) {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return hostSource{}, err
		}
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return hostSource{}, err
	}
	if assertsDir(p) && !fi.IsDir() {
		return hostSource{}, fmt.Errorf("not a directory")
	}
	return hostSource{path: abs, info: fi, name: sourceName(p)}, nil
}

// hostPlacement is placement for a destination on the host, whose links
// are the user's to follow.
func hostPlacement(dstPath string, srcIsDir bool, srcName string) (dir, name string, err error) {
	abs, err := filepath.Abs(dstPath)
	if err != nil {
		return "", "", err
	}
	fi, err := os.Stat(abs)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", "", err
	}
	found := err == nil
	if found {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return "", "", err
		}
	} else if pfi, err := os.Stat(filepath.Dir(abs)); err != nil || !pfi.IsDir() {
		return "", "", fmt.Errorf("the parent directory %s does not exist: %w", filepath.Dir(abs), fs.ErrNotExist)
	}
	return placement(abs, found, found && fi.IsDir(), assertsDir(dstPath), srcIsDir, srcName)
}

// placement is where a copied source lands by Docker's rules: in dir, an
// existing directory, as name ("." merges a directory's content into
// dir). dst is the destination with its links resolved; exists and isDir
// say what is there, asserted that it was given with a trailing "/" or
// "/.". srcName is the source's name (sourceName).
func placement(dst string, exists, isDir, asserted, srcIsDir bool, srcName string) (dir, name string, err error) {
	switch {
	case isDir:
		return dst, srcName, nil
	case exists && srcIsDir:
		return "", "", fmt.Errorf("cannot copy a directory to the file %s", dst)
	case exists && asserted:
		return "", "", fmt.Errorf("%s is not a directory", dst)
	case !exists && asserted && !srcIsDir:
		return "", "", fmt.Errorf("the destination directory %s does not exist: %w", dst, fs.ErrNotExist)
	}
	return path.Dir(dst), path.Base(dst), nil
}

// sourceName is the name a copied source takes in a destination directory:
// its own (a link's, even when followed), or "." for "DIR/." (its content).
func sourceName(p string) string {
	if p == "." || strings.HasSuffix(p, "/.") {
		return "."
	}
	if b := path.Base(path.Clean("/" + p)); b != "/" {
		return b
	}
	return "."
}

// assertsDir says whether p, as given, names a directory: it ends in "/"
// or "/.".
func assertsDir(p string) bool {
	return strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.")
}

// resolveIn returns p, a path in the container whose root filesystem is
// root, as a clean absolute path inside root with its symlinks resolved
// as if root were "/": all of them when followLast, else all but the last
// element (which is then copied as a link). "../" never climbs above root.
func resolveIn(root, p string, followLast bool) (string, error) {
	clean := path.Clean("/" + p)
	if followLast || clean == "/" {
		return copier.Resolve(root, clean)
	}
	dir, err := copier.Resolve(root, path.Dir(clean))
	if err != nil {
		return "", err
	}
	return path.Join(dir, path.Base(clean)), nil
}

// mountFor loads the container and mounts its root filesystem (again, if
// it runs); release unmounts it.
func mountFor(st storage.Store, idOrName string) (*Record, string, func(), error) {
	r, err := Load(st, idOrName)
	if err != nil {
		return nil, "", nil, err
	}
	if r.Config.Rootfs != "" {
		return r, r.Config.Rootfs, func() {}, nil
	}
	root, err := st.Mount(r.Config.ID, "")
	if err != nil {
		return nil, "", nil, fmt.Errorf("mounting container %s: %w", r.Config.Name, err)
	}
	return r, root, func() {
		if _, err := st.Unmount(r.Config.ID, false); err != nil {
			logrus.Warnf("unmounting %s: %v", r.Config.Name, err)
		}
	}, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}
