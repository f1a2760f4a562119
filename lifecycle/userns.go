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

// keepIDPasswd gives a keep-id container an /etc/passwd entry for the
// user when the image has none (so whoami, ~ and ssh work): a copy of the
// image's file with the entry added, bound over it.
func keepIDPasswd(cfg *container.Config, rootfs, bundle string) (*specs.Mount, error) {
	m := cfg.IDMap
	if m == nil || m.UID < 0 || m.Name == "" {
		return nil, nil
	}
	img, _ := os.ReadFile(filepath.Join(rootfs, "etc", "passwd"))
	for _, l := range strings.Split(string(img), "\n") {
		if f := strings.Split(l, ":"); len(f) > 2 && (f[0] == m.Name || f[2] == strconv.Itoa(m.UID)) {
			return nil, nil
		}
	}
	if len(img) > 0 && !strings.HasSuffix(string(img), "\n") {
		img = append(img, '\n')
	}
	entry := fmt.Sprintf("%s:*:%d:%d:%s:%s:/bin/sh\n", m.Name, m.UID, m.GID, m.Name, m.Home)
	path := filepath.Join(bundle, "passwd")
	if err := os.WriteFile(path, append(img, entry...), 0o644); err != nil {
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
