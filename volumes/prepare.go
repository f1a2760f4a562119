package volumes

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// Complete finishes cfg's mounts at create time: the mounts of the
// --volumes-from containers are merged in, the image's VOLUMEs become
// anonymous volumes where nothing else is mounted, anonymous volumes get
// their names, and every volume its data directory as Source. It does not
// touch the disk but to check that --mount bind sources exist.
func Complete(st storage.Store, cfg *container.Config, img *container.ImageConfig) error {
	if len(cfg.Mounts) == 0 && len(cfg.VolumesFrom) == 0 && (img == nil || len(img.Volumes) == 0) {
		return nil
	}
	load := func(ctr string) (*container.Record, error) { return container.Load(st, ctr) }
	return complete(New(st.GraphRoot()), cfg, img, load)
}

func complete(s *Store, cfg *container.Config, img *container.ImageConfig, load func(string) (*container.Record, error)) error {
	taken := map[string]bool{}
	for _, m := range cfg.Mounts {
		taken[m.Destination] = true
	}
	for _, from := range cfg.VolumesFrom {
		ctr, mode, err := container.ParseVolumesFrom(from)
		if err != nil {
			return err
		}
		r, err := load(ctr)
		if err != nil {
			return fmt.Errorf("--volumes-from %s: %w", from, err)
		}
		for _, m := range r.Config.Mounts {
			if m.Type == container.MountTmpfs || taken[m.Destination] {
				continue
			}
			m.Anonymous, m.Chown, m.CreateSource = false, false, false
			if mode == "ro" || mode == "rw" {
				m.ReadOnly, m.Mode = mode == "ro", mode
			}
			taken[m.Destination] = true
			cfg.Mounts = append(cfg.Mounts, m)
		}
	}
	if img != nil && cfg.ImageVolume != "ignore" {
		var dsts []string
		for d := range img.Volumes {
			dsts = append(dsts, d)
		}
		sort.Strings(dsts)
		for _, d := range dsts {
			if !path.IsAbs(d) || path.Clean(d) == "/" || taken[path.Clean(d)] {
				continue
			}
			d = path.Clean(d)
			taken[d] = true
			if cfg.ImageVolume == "tmpfs" {
				cfg.Mounts = append(cfg.Mounts, container.Mount{Type: container.MountTmpfs, Destination: d})
				continue
			}
			cfg.Mounts = append(cfg.Mounts, container.Mount{Type: container.MountVolume, Destination: d, Anonymous: true})
		}
	}
	for i := range cfg.Mounts {
		m := &cfg.Mounts[i]
		switch m.Type {
		case container.MountVolume:
			if m.Name == "" {
				m.Name = RandomName()
			}
			if err := CheckName(m.Name); err != nil {
				return err
			}
			if m.Source == "" {
				m.Source = s.DataDir(m.Name)
			}
		case container.MountBind:
			abs, err := filepath.Abs(m.Source)
			if err != nil {
				return err
			}
			m.Source = abs
			if _, err := os.Stat(abs); err != nil && !m.CreateSource {
				return fmt.Errorf("--mount source %s: %w (create it first; only -v creates a missing one)", abs, ErrBindSourceGone)
			}
		}
	}
	return container.CheckMounts(cfg.Mounts)
}

// Prepare makes cfg's mounts ready just before the container starts and
// returns them as spec mounts, shallowest destination first. Volumes are
// created on first use; a new or empty volume gets the image's content at
// its destination in rootfs (the mounted root filesystem) copied in
// (Docker's copy-up) unless nocopy; :U gives a source to user; a missing
// -v bind source is created. Pod runs as root in its user namespace here,
// so ownership is the container's own numbers.
func Prepare(cfg *container.Config, rootfs string, user container.ExecUser) ([]specs.Mount, error) {
	if len(cfg.Mounts) == 0 {
		return nil, nil
	}
	ms := slices.Clone(cfg.Mounts)
	sort.SliceStable(ms, func(i, j int) bool { return depth(ms[i].Destination) < depth(ms[j].Destination) })
	out := make([]specs.Mount, 0, len(ms))
	for _, m := range ms {
		var sm specs.Mount
		var err error
		switch m.Type {
		case container.MountVolume:
			sm, err = prepareVolume(m, rootfs, user)
		case container.MountBind:
			sm, err = prepareBind(m, user)
		case container.MountTmpfs:
			sm = tmpfsMount(m)
		case container.MountDevpts:
			// A new instance, as the runtime's own /dev/pts.
			sm = specs.Mount{Destination: m.Destination, Type: "devpts", Source: "devpts",
				Options: append([]string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}, m.Options...)}
		default:
			err = fmt.Errorf("mount on %s: unknown type %q", m.Destination, m.Type)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sm)
	}
	return out, nil
}

func depth(p string) int { return strings.Count(path.Clean(p), "/") }

// prepareVolume creates the volume when missing, copies up and chowns under
// the store's lock, so parallel starts end with one volume, copied once.
func prepareVolume(m container.Mount, rootfs string, user container.ExecUser) (specs.Mount, error) {
	if m.Source == "" {
		return specs.Mount{}, fmt.Errorf("volume %s on %s has no data directory", m.Name, m.Destination)
	}
	s := storeOfData(m.Source)
	unlock, err := s.lock()
	if err != nil {
		return specs.Mount{}, err
	}
	defer unlock()
	v, err := s.get(m.Name)
	if errors.Is(err, ErrNoSuchVolume) {
		v, err = s.create(CreateOptions{Name: m.Name, Anonymous: m.Anonymous})
	}
	if err != nil {
		return specs.Mount{}, fmt.Errorf("volume %s: %w", m.Name, err)
	}
	src := v.Mountpoint
	switch v.Options["type"] {
	case "tmpfs":
		if err := mountTmpfs(v); err != nil {
			return specs.Mount{}, err
		}
	case "none":
		src = v.Options["device"]
	}
	if !m.NoCopy && src == v.Mountpoint {
		if err := copyUp(rootfs, m.Destination, src); err != nil {
			return specs.Mount{}, fmt.Errorf("volume %s: copying the image's %s into it: %w", m.Name, m.Destination, err)
		}
	}
	if m.Chown {
		if err := chownTree(src, int(user.UID), int(user.GID)); err != nil {
			return specs.Mount{}, fmt.Errorf("volume %s: :U: %w", m.Name, err)
		}
	}
	return bindMount(m, src), nil
}

// mountTmpfs mounts a type=tmpfs volume on its data directory in pod's
// mount namespace, once: its content lives as long as that namespace.
func mountTmpfs(v *Volume) error {
	var st, parent unix.Stat_t
	if err := unix.Stat(v.Mountpoint, &st); err != nil {
		return fmt.Errorf("volume %s: %w", v.Name, err)
	}
	if err := unix.Stat(filepath.Dir(v.Mountpoint), &parent); err != nil {
		return fmt.Errorf("volume %s: %w", v.Name, err)
	}
	if st.Dev != parent.Dev {
		return nil // mounted already
	}
	if err := unix.Mount("tmpfs", v.Mountpoint, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, v.Options["o"]); err != nil {
		return fmt.Errorf("volume %s: mounting tmpfs (o=%s): %w", v.Name, v.Options["o"], err)
	}
	return nil
}

func prepareBind(m container.Mount, user container.ExecUser) (specs.Mount, error) {
	if _, err := os.Stat(m.Source); err != nil {
		if !m.CreateSource || !errors.Is(err, os.ErrNotExist) {
			return specs.Mount{}, fmt.Errorf("bind mount source %s: %w", m.Source, ErrBindSourceGone)
		}
		if err := os.MkdirAll(m.Source, 0o755); err != nil {
			return specs.Mount{}, fmt.Errorf("creating bind mount source %s: %w", m.Source, err)
		}
	}
	if m.Chown {
		if err := chownTree(m.Source, int(user.UID), int(user.GID)); err != nil {
			return specs.Mount{}, fmt.Errorf("bind mount %s: :U: %w", m.Source, err)
		}
	}
	return bindMount(m, m.Source), nil
}

// bindMount is the spec mount of a volume or bind: recursive, private
// unless said, read-only with ro, with the flags the user gave and those
// the kernel locks on the source's mount (a user namespace may not clear
// nosuid, nodev, noexec or atime flags in a remount).
func bindMount(m container.Mount, src string) specs.Mount {
	prop := m.Propagation
	if prop == "" {
		prop = "rprivate"
	}
	opts := []string{"rbind", prop}
	if m.ReadOnly {
		opts = append(opts, "ro")
	} else {
		opts = append(opts, "rw")
	}
	opts = append(opts, m.Options...)
	opts = append(opts, lockedFlags(src, m.Options)...)
	return specs.Mount{Destination: m.Destination, Type: "bind", Source: src, Options: opts}
}

// lockedFlags returns the flags of the mount holding src that a remount
// inside a user namespace must keep, unless the user asked otherwise.
func lockedFlags(src string, given []string) []string {
	var st unix.Statfs_t
	if err := unix.Statfs(src, &st); err != nil {
		return nil
	}
	var out []string
	for _, f := range []struct {
		bit      int64
		opt, not string
	}{
		{unix.ST_NOSUID, "nosuid", "suid"}, {unix.ST_NODEV, "nodev", "dev"}, {unix.ST_NOEXEC, "noexec", "exec"},
		{unix.ST_NOATIME, "noatime", ""}, {unix.ST_NODIRATIME, "nodiratime", ""}, {unix.ST_RELATIME, "relatime", ""},
	} {
		if st.Flags&f.bit != 0 && !slices.Contains(given, f.opt) && (f.not == "" || !slices.Contains(given, f.not)) {
			out = append(out, f.opt)
		}
	}
	return out
}

// tmpfsMount is the spec mount of a tmpfs: nosuid, nodev and noexec unless
// the user says suid, dev or exec, mode 1777 unless given.
func tmpfsMount(m container.Mount) specs.Mount {
	opts := []string{"rw"}
	if m.ReadOnly {
		opts[0] = "ro"
	}
	for _, d := range []struct{ def, not string }{{"nosuid", "suid"}, {"nodev", "dev"}, {"noexec", "exec"}} {
		if !slices.Contains(m.Options, d.not) && !slices.Contains(m.Options, d.def) {
			opts = append(opts, d.def)
		}
	}
	hasMode := false
	for _, o := range m.Options {
		if o == "suid" || o == "dev" || o == "exec" {
			continue
		}
		hasMode = hasMode || strings.HasPrefix(o, "mode=")
		opts = append(opts, o)
	}
	if !hasMode {
		opts = append(opts, "mode=1777")
	}
	return specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: opts}
}
