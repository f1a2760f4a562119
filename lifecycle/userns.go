package lifecycle

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
)

// planUserNS works out --userns keep-id's user namespace from pod's own
// (its uid_map and gid_map): the user's own IDs are the container's
// default user, and files on bind mounts stay the user's.
func (h *Host) planUserNS(cfg *container.Config) error {
	if cfg.UserNS != "keep-id" {
		return nil
	}
	if !h.Rootless {
		return fmt.Errorf("--userns %s: it maps the rootless user's own IDs; as root, leave it out", cfg.UserNS)
	}
	read := func(path string) (uint32, uint32, error) {
		f, err := os.Open(path)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		return container.NSSize(f)
	}
	uidSize, uid, err := read("/proc/self/uid_map")
	if err != nil {
		return err
	}
	gidSize, gid, err := read("/proc/self/gid_map")
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

// passwdEntries gives the container /etc/passwd entries it needs and the
// image lacks (so whoami, ~ and ssh work): keep-id's user, --hostuser's
// accounts, and an entry for a numeric --user (--passwd, from
// --passwd-entry's template). A copy of the image's file with them is
// bound over it, read-only.
func passwdEntries(cfg *container.Config, rootfs, bundle string, u container.ExecUser) (*specs.Mount, error) {
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
	if len(img) > 0 && !strings.HasSuffix(string(img), "\n") {
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
