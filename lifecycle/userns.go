package lifecycle

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/userns"
)

// planUserNS works out --userns keep-id's user namespace from pod's own
// (its uid_map and gid_map): the user's own IDs are the container's
// default user, and files on bind mounts stay the user's.
func (h *Host) planUserNS(cfg *container.Config) error {
	f := IDMapFlags{UIDMaps: cfg.UIDMaps, GIDMaps: cfg.GIDMaps, SubUIDName: cfg.SubUIDName, SubGIDName: cfg.SubGIDName}
	if f.given() {
		if cfg.UserNS == "keep-id" {
			return fmt.Errorf("--userns keep-id makes the map itself: leave out --uidmap, --gidmap, --subuidname and --subgidname, or --userns")
		}
		m, err := IDMapOf(f, h.Rootless)
		cfg.IDMap = m
		return err
	}
	switch {
	case cfg.UserNS == "nomap":
		return h.nomapUserNS(cfg)
	case container.IsAutoUserNS(cfg.UserNS):
		return h.autoUserNS(cfg)
	case cfg.UserNS != "keep-id":
		return nil
	}
	if !h.Rootless {
		return fmt.Errorf("--userns %s: it maps the rootless user's own IDs; as root, leave it out", cfg.UserNS)
	}
	uidSize, uid, gidSize, gid, err := ownNamespace()
	if err != nil {
		return err
	}
	m, err := container.KeepIDMap(uid, gid, uidSize, gidSize)
	if err != nil {
		return err
	}
	if u, err := user.LookupId(strconv.Itoa(int(uid))); err == nil {
		m.Name, m.Home = u.Username, u.HomeDir
	}
	cfg.IDMap = m
	if cfg.User == "" {
		cfg.User = fmt.Sprintf("%d:%d", uid, gid)
	}
	return nil
}

// nomapUserNS is --userns nomap's namespace: every ID of pod's but the
// user's own (pod's 0), the container's 0 onto pod's 1.
func (h *Host) nomapUserNS(cfg *container.Config) error {
	if !h.Rootless {
		return fmt.Errorf("--userns nomap: it leaves out the rootless user's own IDs; as root, leave it out or give --uidmap")
	}
	uidSize, _, gidSize, _, err := ownNamespace()
	if err != nil {
		return err
	}
	if uidSize < 2 || gidSize < 2 {
		return fmt.Errorf("--userns nomap: pod's namespace maps only your own ID: add subordinate IDs for you to /etc/subuid and /etc/subgid (usermod --add-subuids, --add-subgids)")
	}
	cfg.IDMap = &container.IDMap{UIDs: []container.IDRange{{ContainerID: 0, HostID: 1, Size: uidSize - 1}},
		GIDs: []container.IDRange{{ContainerID: 0, HostID: 1, Size: gidSize - 1}}, UID: -1, GID: -1}
	return nil
}

// AutoUserNSLock is the lock file, in the graph root, under which a
// --userns auto container's range is chosen and its record written, so
// that two creates never choose the same IDs.
const AutoUserNSLock = "userns-auto.lock"

// autoUserNS is --userns auto's namespace: a range of IDs no other auto
// container holds, from pod's namespace rootless (its 0, the user, left
// out) or, as root, from /etc/subuid's and /etc/subgid's ranges for the
// user "containers" (as Podman's). The caller holds AutoUserNSLock.
func (h *Host) autoUserNS(cfg *container.Config) error {
	a, err := container.ParseAutoUserNS(cfg.UserNS)
	if err != nil {
		return err
	}
	size := a.Size
	if size == 0 {
		size = container.AutoUserNSSize
	}
	lo, hi, pool, err := autoPool(h.Rootless)
	if err != nil {
		return err
	}
	recs, err := container.List(h.Store)
	if err != nil {
		return err
	}
	var used []container.IDRange
	for _, r := range recs {
		if m := r.Config.IDMap; m != nil && container.IsAutoUserNS(r.Config.UserNS) && m.Auto != nil {
			used = append(used, *m.Auto)
		}
	}
	start, ok := container.FreeRange(lo, hi, size, used)
	if !ok {
		return fmt.Errorf("--userns auto: %d free IDs are not left in %s (%d containers with --userns auto hold ranges of it): remove some, give a smaller auto:size=N, or more subordinate IDs in /etc/subuid and /etc/subgid", size, pool, len(used))
	}
	uids, gids, err := a.AutoMap(start, size)
	if err != nil {
		return err
	}
	cfg.IDMap = &container.IDMap{UIDs: uids, GIDs: gids, UID: -1, GID: -1, Auto: &container.IDRange{HostID: start, Size: size}}
	return nil
}

// autoPool is the IDs --userns auto allocates from: [lo, hi), named for
// errors.
func autoPool(rootless bool) (lo, hi uint32, name string, err error) {
	if rootless {
		uidSize, _, gidSize, _, err := ownNamespace()
		if err != nil {
			return 0, 0, "", err
		}
		return 1, min(uidSize, gidSize), fmt.Sprintf("pod's namespace's %d subordinate IDs", min(uidSize, gidSize)-1), nil
	}
	uids, err := subIDMap("/etc/subuid", "containers")
	if err != nil {
		return 0, 0, "", fmt.Errorf("--userns auto: %w", err)
	}
	gids, err := subIDMap("/etc/subgid", "containers")
	if err != nil {
		return 0, 0, "", fmt.Errorf("--userns auto: %w", err)
	}
	if uids[0].HostID != gids[0].HostID {
		return 0, 0, "", fmt.Errorf("--userns auto: the first ranges of containers in /etc/subuid (%d) and /etc/subgid (%d) differ: give them the same start", uids[0].HostID, gids[0].HostID)
	}
	return uids[0].HostID, uids[0].HostID + min(uids[0].Size, gids[0].Size), "the first range of containers in /etc/subuid", nil
}

// ownMaps are pod's namespace's uid_map and gid_map.
func ownMaps() (uids, gids []container.IDRange, err error) {
	read := func(path string) ([]container.IDRange, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return container.ReadIDMap(f)
	}
	if uids, err = read("/proc/self/uid_map"); err != nil {
		return nil, nil, err
	}
	gids, err = read("/proc/self/gid_map")
	return uids, gids, err
}

// ownNamespace is the size of pod's user namespace and the host IDs its
// 0 stands for, from its uid_map and gid_map.
func ownNamespace() (uidSize, uid, gidSize, gid uint32, err error) {
	uids, gids, err := ownMaps()
	if err != nil {
		return 0, 0, 0, 0, err
	}
	uidSize, uid = container.SizeOf(uids)
	gidSize, gid = container.SizeOf(gids)
	return uidSize, uid, gidSize, gid, nil
}

// IDMapFlags are the flags that give a container (or a build's RUN
// steps) a user namespace of its own with a map of the user's choice:
// run's --uidmap, --gidmap, --subuidname, --subgidname, or build's
// --userns-uid-map, --userns-gid-map, --userns-uid-map-user,
// --userns-gid-map-group (Build names those in errors).
type IDMapFlags struct {
	UIDMaps, GIDMaps       []string
	SubUIDName, SubGIDName string
	Build                  bool
}

func (f IDMapFlags) given() bool {
	return len(f.UIDMaps) > 0 || len(f.GIDMaps) > 0 || f.SubUIDName != "" || f.SubGIDName != ""
}

func (f IDMapFlags) names() (uidmap, gidmap, subuid, subgid string) {
	if f.Build {
		return "--userns-uid-map", "--userns-gid-map", "--userns-uid-map-user", "--userns-gid-map-group"
	}
	return "--uidmap", "--gidmap", "--subuidname", "--subgidname"
}

// IDMapOf works out the map f gives, nil for none. As Podman's: a UID map
// alone serves for GIDs too (and the other way), and so does one of the
// names. Rootless, the host IDs are pod's namespace's and must lie in it;
// the names' ranges in /etc/subuid and /etc/subgid are host IDs, which
// only root can map.
func IDMapOf(f IDMapFlags, rootless bool) (*container.IDMap, error) {
	if !f.given() {
		return nil, nil
	}
	uidFlag, gidFlag, subUIDFlag, subGIDFlag := f.names()
	var uids, gids []container.IDRange
	var err error
	if f.SubUIDName != "" || f.SubGIDName != "" {
		if len(f.UIDMaps)+len(f.GIDMaps) > 0 {
			return nil, fmt.Errorf("%s and %s give the map in two ways: give one", subUIDFlag, uidFlag)
		}
		if rootless {
			return nil, fmt.Errorf("%s, %s: the ranges of /etc/subuid and /etc/subgid are host IDs, which only root can map; rootless, give %s and %s in the IDs of pod's user namespace (pod unshare cat /proc/self/uid_map)", subUIDFlag, subGIDFlag, uidFlag, gidFlag)
		}
		u, g := f.SubUIDName, f.SubGIDName
		if u == "" {
			u = g
		}
		if g == "" {
			g = u
		}
		if uids, err = subIDMap("/etc/subuid", u); err != nil {
			return nil, fmt.Errorf("%s %s: %w", subUIDFlag, u, err)
		}
		if gids, err = subIDMap("/etc/subgid", g); err != nil {
			return nil, fmt.Errorf("%s %s: %w", subGIDFlag, g, err)
		}
	} else {
		if uids, err = container.ParseIDMapping(uidFlag, f.UIDMaps); err != nil {
			return nil, err
		}
		if gids, err = container.ParseIDMapping(gidFlag, f.GIDMaps); err != nil {
			return nil, err
		}
		if len(gids) == 0 {
			gids = uids
		}
		if len(uids) == 0 {
			uids = gids
		}
	}
	if rootless {
		uidSize, _, gidSize, _, err := ownNamespace()
		if err != nil {
			return nil, err
		}
		if err := container.CheckWithin(uidFlag, uids, uidSize); err != nil {
			return nil, err
		}
		if err := container.CheckWithin(gidFlag, gids, gidSize); err != nil {
			return nil, err
		}
	}
	return &container.IDMap{UIDs: uids, GIDs: gids, UID: -1, GID: -1}, nil
}

// subIDMap maps container IDs from 0 onto name's ranges in path, in
// order.
func subIDMap(path, name string) ([]container.IDRange, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rs, err := userns.ParseSubIDs(f, name, -1)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%s has no range for %s: add one (usermod --add-subuids, --add-subgids)", path, name)
	}
	var out []container.IDRange
	next := uint32(0)
	for _, r := range rs {
		out = append(out, container.IDRange{ContainerID: next, HostID: r.Start, Size: r.Count})
		next += r.Count
	}
	return out, nil
}

// passwdEntries gives the container /etc/passwd entries it needs and the
// image lacks (so whoami, ~ and ssh work): keep-id's user, --hostuser's
// accounts, and an entry for a numeric --user (--passwd, from
// --passwd-entry's template). A copy of the image's file with them is
// bound over it, read-only.
//
// inLayer: the root filesystem is the container's own writable layer, and
// the entries are appended to its /etc/passwd instead (as Podman does), so
// that usermod and chpasswd inside work (distrobox's set-up); a build
// step, a read-only root or a --rootfs directory gets the bound copy.
func passwdEntries(cfg *container.Config, rootfs, bundle string, u container.ExecUser, inLayer bool) (*specs.Mount, error) {
	name, _, _ := strings.Cut(cfg.User, ":")
	numericUser := !cfg.NoPasswd && name != "" && strings.Trim(name, "0123456789") == ""
	if cfg.IDMap == nil && len(cfg.HostUsers) == 0 && !numericUser {
		return nil, nil // nothing to add: no read of the image's file on every start
	}
	img, _ := os.ReadFile(filepath.Join(rootfs, "etc", "passwd"))
	have := map[string]bool{}
	for _, l := range strings.Split(string(img), "\n") {
		if f := strings.Split(l, ":"); len(f) > 2 {
			have[f[0]], have["#"+f[2]] = true, true
		}
	}
	var add []string
	entry := func(name string, uid, gid int, gecos, home string) {
		if have[name] || have["#"+strconv.Itoa(uid)] {
			return
		}
		have[name], have["#"+strconv.Itoa(uid)] = true, true
		add = append(add, fmt.Sprintf("%s:*:%d:%d:%s:%s:/bin/sh", name, uid, gid, gecos, home))
	}
	if m := cfg.IDMap; m != nil && m.UID >= 0 && m.Name != "" {
		entry(m.Name, m.UID, m.GID, m.Name, m.Home)
	}
	for _, name := range cfg.HostUsers {
		hu, err := user.Lookup(name)
		if err != nil {
			hu, err = user.LookupId(name)
		}
		if err != nil {
			return nil, container.WithExitCode(125, fmt.Errorf("container %s: --hostuser %s: no such user on the host", cfg.Name, name))
		}
		uid, _ := strconv.Atoi(hu.Uid)
		gid, _ := strconv.Atoi(hu.Gid)
		entry(hu.Username, uid, gid, hu.Name, hu.HomeDir)
	}
	if numericUser && !have["#"+name] {
		uid := int(u.UID)
		line := cfg.PasswdEntry
		if line == "" {
			line = "$USERNAME:*:$UID:$GID:$NAME:$HOME:/bin/sh"
		}
		line = os.Expand(line, func(k string) string {
			switch k {
			case "USERNAME", "NAME":
				return strconv.Itoa(uid)
			case "UID":
				return strconv.Itoa(uid)
			case "GID":
				return strconv.Itoa(int(u.GID))
			case "HOME":
				return "/"
			}
			return ""
		})
		add = append(add, line)
	}
	if len(add) == 0 {
		return nil, nil
	}
	needNewline := len(img) > 0 && !strings.HasSuffix(string(img), "\n")
	if inLayer {
		return nil, appendInRoot(rootfs, "/etc/passwd", needNewline, strings.Join(add, "\n")+"\n")
	}
	if needNewline {
		img = append(img, '\n')
	}
	path := filepath.Join(bundle, "passwd")
	if err := os.WriteFile(path, append(img, strings.Join(add, "\n")+"\n"...), 0o644); err != nil {
		return nil, err
	}
	return &specs.Mount{Destination: "/etc/passwd", Type: "bind", Source: path, Options: []string{"bind", "ro"}}, nil
}

// execUserNS refuses exec into a container of a user namespace of its own
// where the runtime cannot do it: runc joins the container's user
// namespace first, and from there may not enter the network namespace
// pod made for it (which pod's namespace owns).
func execUserNS(cfg *container.Config, rt *runtime.Runtime) error {
	if cfg.IDMap == nil || rt.Name != "runc" || cfg.NetworkMode == "host" {
		return nil
	}
	return fmt.Errorf("exec in %s: it runs in a user namespace of its own (--userns %s), and runc, the runtime here, cannot enter it after its network namespace: crun can (--runtime crun), or run it with --network host", cfg.Name, cfg.UserNS)
}

// reachRootfs makes a container's root filesystem reachable from its own
// user namespace when that does not map the owner of the store (--uidmap
// and --subuidname as root, nomap and auto rootless): the runtime mounts
// it as the container's root, an ID that owns no directory above it. The
// directories of pod's own on the way (the graph root and below, and its
// parent in pod's default layout, .../pod/storage) get o+x (0711, as the
// storage's overlay directory has); the others that lack it are named,
// all at once, with the fix.
func reachRootfs(rootfs, graphRoot string) error {
	own := filepath.Clean(graphRoot)
	if filepath.Base(filepath.Dir(own)) == "pod" {
		own = filepath.Dir(own)
	}
	var blocked []string
	for dir := filepath.Dir(rootfs); ; dir = filepath.Dir(dir) {
		st, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 == 0 {
			if dir != own && !strings.HasPrefix(dir, own+"/") {
				blocked = append([]string{dir}, blocked...)
			} else if err := os.Chmod(dir, st.Mode().Perm()|0o011); err != nil {
				return err
			}
		}
		if dir == "/" {
			break
		}
	}
	if len(blocked) > 0 {
		return fmt.Errorf("a container with a user namespace that leaves out the store's owner (--userns auto or nomap, --uidmap, --subuidname) runs as IDs that cannot pass %s: chmod o+x %s", strings.Join(blocked, ", "), strings.Join(blocked, " "))
	}
	return nil
}

// appendInRoot appends text to the file at name inside root (symlinks
// resolved within root, never followed out of it), after a newline when
// the file lacks its last one; a missing file is made.
func appendInRoot(root, name string, newline bool, text string) error {
	p, err := securejoin.SecureJoin(root, name)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return fmt.Errorf("adding to %s: %w", name, err)
	}
	if newline {
		text = "\n" + text
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
