package container

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/sirupsen/logrus"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"
	"go.podman.io/storage/pkg/idtools"

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
	// InUserNS: pod runs in its user namespace (device nodes cannot be
	// made there).
	InUserNS bool
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
	chroot := root
	clean := path.Clean("/" + srcPath)
	if etcFiles[clean] && r.Running() {
		if dir, err := st.ContainerRunDirectory(r.Config.ID); err == nil && exists(filepath.Join(dir, path.Base(clean))) {
			chroot, clean = dir, "/"+path.Base(clean)
		}
	}
	host, err := ResolveInRoot(chroot, archive.PreserveTrailingDotOrSeparator(clean, srcPath), o.FollowLink)
	if err != nil {
		return fmt.Errorf("resolving %s in container %s: %w", srcPath, r.Config.Name, err)
	}
	fi, err := os.Lstat(host)
	if err != nil {
		return fmt.Errorf("no such file or directory %q in container %s: %w", srcPath, r.Config.Name, fs.ErrNotExist)
	}
	resolved, rebase := archive.GetRebaseName(archive.PreserveTrailingDotOrSeparator(clean, srcPath), host)
	srcInfo := archive.CopyInfo{Path: resolved, Exists: true, IsDir: fi.IsDir(), RebaseName: rebase}
	content, err := tarSource(chroot, srcInfo, fi)
	if err != nil {
		return fmt.Errorf("copying %s from container %s: %w", srcPath, r.Config.Name, err)
	}
	defer content.Close()
	if dstPath == "-" {
		_, err := io.Copy(o.Stdout, content)
		return err
	}
	abs, err := filepath.Abs(dstPath)
	if err != nil {
		return err
	}
	dstInfo, err := archive.CopyInfoDestinationPath(archive.PreserveTrailingDotOrSeparator(abs, dstPath))
	if err != nil {
		return fmt.Errorf("copying to %s: %w", dstPath, err)
	}
	dstDir, prepared, err := archive.PrepareArchiveCopy(content, srcInfo, dstInfo)
	if err != nil {
		return fmt.Errorf("copying %s to %s: %w", srcPath, dstPath, err)
	}
	defer prepared.Close()
	opts := &archive.TarOptions{NoLchown: false, InUserNS: o.InUserNS}
	if !o.Archive {
		opts.ChownOpts = &idtools.IDPair{UID: 0, GID: 0}
	}
	if err := archive.Untar(prepared, dstDir, opts); err != nil {
		return fmt.Errorf("copying %s to %s: %w", srcPath, dstPath, err)
	}
	return nil
}

// CopyTo copies srcPath on the host ("-": a tar stream from o.Stdin, which
// then needs an existing directory as destination) to dstPath in the
// container idOrName. The files are written from inside the container's
// root (chrooted), so no symlink can lead them out of it.
func CopyTo(st storage.Store, srcPath, idOrName, dstPath string, o CopyOptions) error {
	var srcInfo archive.CopyInfo
	var content io.ReadCloser
	if srcPath == "-" {
		content = io.NopCloser(o.Stdin)
	} else {
		abs, err := filepath.Abs(srcPath)
		if err != nil {
			return err
		}
		if srcInfo, err = archive.CopyInfoSourcePath(archive.PreserveTrailingDotOrSeparator(abs, srcPath), o.FollowLink); err != nil {
			return fmt.Errorf("copying %s: %w", srcPath, err)
		}
		if content, err = archive.TarResource(srcInfo); err != nil {
			return fmt.Errorf("copying %s: %w", srcPath, err)
		}
	}
	defer content.Close()
	r, root, release, err := mountFor(st, idOrName)
	if err != nil {
		return err
	}
	defer release()
	clean := archive.PreserveTrailingDotOrSeparator(path.Clean("/"+dstPath), dstPath)
	host, err := ResolveInRoot(root, clean, true)
	if err != nil {
		return fmt.Errorf("resolving %s in container %s: %w", dstPath, r.Config.Name, err)
	}
	dstInfo := archive.CopyInfo{Path: archive.PreserveTrailingDotOrSeparator(host, clean)}
	if fi, err := os.Stat(host); err == nil {
		dstInfo.Exists, dstInfo.IsDir = true, fi.IsDir()
	} else if pfi, err := os.Stat(filepath.Dir(host)); err != nil || !pfi.IsDir() {
		return fmt.Errorf("copying to %s in container %s: the parent directory does not exist: %w", dstPath, r.Config.Name, fs.ErrNotExist)
	}
	dstDir := dstInfo.Path
	prepared := content
	if srcPath == "-" {
		if !dstInfo.IsDir {
			return fmt.Errorf("copying a tar stream to %s in container %s: the destination must be an existing directory", dstPath, r.Config.Name)
		}
	} else if dstDir, prepared, err = archive.PrepareArchiveCopy(content, srcInfo, dstInfo); err != nil {
		return fmt.Errorf("copying %s to %s in container %s: %w", srcPath, dstPath, r.Config.Name, err)
	}
	defer prepared.Close()
	opts := &archive.TarOptions{NoOverwriteDirNonDir: true, InUserNS: o.InUserNS}
	if !o.Archive {
		opts.ChownOpts = &idtools.IDPair{UID: 0, GID: 0}
	}
	if err := chrootarchive.UntarWithRoot(prepared, filepath.Clean(dstDir), opts, root); err != nil {
		return fmt.Errorf("copying %s to container %s: %w", srcPath, r.Config.Name, err)
	}
	return nil
}

// tarSource archives the source: its tree read from inside chroot, or
// the symlink itself (which the tree walk cannot start from).
func tarSource(chroot string, src archive.CopyInfo, fi fs.FileInfo) (io.ReadCloser, error) {
	dir, base := archive.SplitPathDirEntry(src.Path)
	if fi.Mode()&fs.ModeSymlink == 0 {
		return chrootarchive.Tar(dir, &archive.TarOptions{
			Compression: archive.Uncompressed, IncludeFiles: []string{base}, IncludeSourceDir: true,
			RebaseNames: map[string]string{base: src.RebaseName},
		}, chroot)
	}
	target, err := os.Readlink(src.Path)
	if err != nil {
		return nil, err
	}
	name := base
	if src.RebaseName != "" {
		name = src.RebaseName
	}
	hdr, err := tar.FileInfoHeader(fi, target)
	if err != nil {
		return nil, err
	}
	hdr.Name = name
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return io.NopCloser(&buf), nil
}

// ResolveInRoot returns the host path of p, a path in the container whose
// root filesystem is root, with symlinks resolved as if root were "/": all
// of them when followLast, else all but the last component (which is then
// copied as a link, unless p ends in "/" or "/."). "../" never climbs
// above root. A trailing "/" or "/." of p is kept.
func ResolveInRoot(root, p string, followLast bool) (string, error) {
	clean := path.Clean("/" + p)
	// A trailing "/" or "/." asserts a directory: the link is followed.
	followLast = followLast || archive.PreserveTrailingDotOrSeparator(clean, p) != clean
	var host string
	var err error
	if followLast || clean == "/" {
		host, err = securejoin.SecureJoin(root, clean)
	} else {
		dir, base := path.Split(clean)
		host, err = securejoin.SecureJoin(root, dir)
		host = filepath.Join(host, base)
	}
	if err != nil {
		return "", err
	}
	return archive.PreserveTrailingDotOrSeparator(host, p), nil
}

// mountFor loads the container and mounts its root filesystem (again, if
// it runs); release unmounts it.
func mountFor(st storage.Store, idOrName string) (*Record, string, func(), error) {
	r, err := Load(st, idOrName)
	if err != nil {
		return nil, "", nil, err
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
