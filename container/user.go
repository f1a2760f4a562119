package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"
)

// ExecUser is the identity a container's process runs as, resolved against
// the image's /etc/passwd and /etc/group.
type ExecUser struct {
	UID, GID uint32
	// AdditionalGids are the supplementary groups: the groups that list the
	// user as a member, when the user was named without a group.
	AdditionalGids []uint32
	// Home is the user's home directory, "/" when the user has no entry.
	Home string
}

// UserSpec is the USER[:GROUP] a container runs as: --user, else the image's
// USER, else "" (root).
func UserSpec(cfg *Config, img *ImageConfig) string {
	if cfg.User != "" {
		return cfg.User
	}
	if img != nil {
		return img.User
	}
	return ""
}

// ResolveUser resolves spec ("", "name", "uid", "name:group", "uid:gid",
// "name:gid", "uid:group") against the /etc/passwd and /etc/group of the
// container root filesystem rootfs, as Docker does: symlinks are resolved
// inside rootfs, numeric ids need no entry, a missing file counts as empty,
// and an unknown name is an error ("unable to find user app: no matching
// entries in passwd file", errors.Is user.ErrNoPasswdEntries or
// user.ErrNoGroupEntries of github.com/moby/sys/user).
func ResolveUser(rootfs, spec string) (ExecUser, error) {
	passwd, err := openInRoot(rootfs, "/etc/passwd")
	if err != nil {
		return ExecUser{}, err
	}
	if passwd != nil {
		defer passwd.Close()
	}
	group, err := openInRoot(rootfs, "/etc/group")
	if err != nil {
		return ExecUser{}, err
	}
	if group != nil {
		defer group.Close()
	}
	// A nil *os.File must reach ResolveUserFrom as a nil io.Reader.
	var pr, gr io.Reader
	if passwd != nil {
		pr = passwd
	}
	if group != nil {
		gr = group
	}
	return ResolveUserFrom(spec, pr, gr)
}

// ResolveUserFrom is ResolveUser reading passwd- and group-formatted data
// from the given readers; a nil reader stands for a missing file.
func ResolveUserFrom(spec string, passwd, group io.Reader) (ExecUser, error) {
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	u, err := user.GetExecUser(spec, defaults, passwd, group)
	if err != nil {
		return ExecUser{}, err
	}
	out := ExecUser{UID: uint32(u.Uid), GID: uint32(u.Gid), Home: u.Home}
	if out.Home == "" {
		out.Home = "/"
	}
	for _, g := range u.Sgids {
		out.AdditionalGids = append(out.AdditionalGids, uint32(g))
	}
	return out, nil
}

// openInRoot opens name, an absolute path inside rootfs, with its symlinks
// resolved as if rootfs were "/". A missing file gives a nil file and no
// error.
func openInRoot(rootfs, name string) (*os.File, error) {
	p, err := securejoin.SecureJoin(rootfs, name)
	if err != nil {
		if isMissing(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("resolving %s in the container: %w", name, err)
	}
	// SecureJoin left no symlink in p; O_NOFOLLOW refuses one swapped in
	// since.
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		if isMissing(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("opening %s in the container: %w", name, err)
	}
	return f, nil
}

// isMissing reports whether err means a path does not exist (a component
// missing or not a directory).
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR)
}

// KeepGroups is --group-add keep-groups: the process keeps the groups pod
// has (crun's run.oci.keep_original_groups), and gets no others.
const KeepGroups = "keep-groups"

// KeepGroupsAnnotation is crun's annotation for KeepGroups.
const KeepGroupsAnnotation = "run.oci.keep_original_groups"

// AdditionalGroups resolves --group-add's groups (names against the
// image's /etc/group, or GIDs) to GIDs.
func AdditionalGroups(rootfs string, groups []string) ([]uint32, error) {
	if len(groups) == 0 || slices.Contains(groups, KeepGroups) {
		return nil, nil
	}
	f, err := openInRoot(rootfs, "/etc/group")
	if err != nil {
		return nil, err
	}
	var r io.Reader
	if f != nil {
		defer f.Close()
		r = f
	}
	gids, err := user.GetAdditionalGroups(groups, r)
	if err != nil {
		return nil, fmt.Errorf("--group-add: %w", err)
	}
	out := make([]uint32, 0, len(gids))
	for _, g := range gids {
		out = append(out, uint32(g))
	}
	return out, nil
}
