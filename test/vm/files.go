package vm

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// install copies the host's hostPath (a file or a directory tree) to
// guestPath through the shared directory, owned by user: missing parent
// directories are made and given to user too, modes and times are kept,
// a directory is merged into one already there.
func (v *VM) install(ctx context.Context, hostPath, guestPath string) error {
	return v.installAs(ctx, Root, hostPath, guestPath)
}

func (v *VM) installAs(ctx context.Context, user, hostPath, guestPath string) error {
	if !filepath.IsAbs(guestPath) {
		return fmt.Errorf("guest path %q is not absolute", guestPath)
	}
	v.mu.Lock()
	v.seq++
	name := fmt.Sprintf("%06d", v.seq)
	v.mu.Unlock()
	staged := filepath.Join(v.shared, "files", name)
	if err := os.MkdirAll(filepath.Dir(staged), 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(staged)
	if err := copyTree(hostPath, staged); err != nil {
		return fmt.Errorf("copying %s into the shared directory: %w", hostPath, err)
	}
	script := fmt.Sprintf(`set -eu
src=/shared/files/%s dst=%s user=%s
group=$(id -gn "$user")
# Parents that are missing are made and given to the user.
missing=()
p=$(dirname -- "$dst")
while [ ! -e "$p" ]; do missing=("$p" "${missing[@]}"); p=$(dirname -- "$p"); done
for d in "${missing[@]}"; do mkdir -- "$d"; chown "$user:$group" -- "$d"; done
stage=$(mktemp -d /var/tmp/pod-vm-put.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp -R --preserve=mode,timestamps,links -- "$src" "$stage/x"
chown -R -h "$user:$group" -- "$stage/x"
cp -a -T -- "$stage/x" "$dst"
`, name, shellQuote(guestPath), shellQuote(user))
	r, err := v.Exec(ctx, Root, script, v.opts.CmdTimeout)
	if err != nil {
		return err
	}
	if r.Code != 0 {
		return fmt.Errorf("copying to %s in the VM: exit %d: %s", guestPath, r.Code, strings.TrimSpace(r.Stderr))
	}
	return nil
}

// copyTree copies a file, symlink or directory tree, keeping modes.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, 0o755); err != nil {
				return err
			}
			return os.Chmod(target, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		default:
			return fmt.Errorf("%s: not a file, directory or symlink", path)
		}
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, mode)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
