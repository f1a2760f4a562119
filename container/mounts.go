package container

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
)

// Mount types of a container's Mount.
const (
	MountVolume = "volume"
	MountBind   = "bind"
	MountTmpfs  = "tmpfs"
	// MountDevpts is a devpts instance of the container's own
	// (--mount type=devpts,destination=/dev/pts, as distrobox asks).
	MountDevpts = "devpts"
)

// ErrBadMount is a -v, --mount, --tmpfs or --volumes-from value pod cannot use.
var ErrBadMount = errors.New("invalid mount")

// Mount is one volume, bind or tmpfs mount of a container, parsed from -v,
// --mount, --tmpfs, --volumes-from or the image's VOLUME instructions.
type Mount struct {
	// Type is MountVolume, MountBind or MountTmpfs.
	Type string `json:"type"`
	// Name is the volume's name; empty for an anonymous volume until pod
	// names it at create time.
	Name string `json:"name,omitempty"`
	// Source is the host path: the directory of a bind, the volume's data
	// directory once resolved; empty for tmpfs.
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination"`
	ReadOnly    bool   `json:"readOnly,omitempty"`
	// Anonymous marks a volume pod named itself (-v DST, image VOLUME),
	// removed with the container by rm -v and run --rm.
	Anonymous bool `json:"anonymous,omitempty"`
	// Chown (:U) gives the source to the container's user and group.
	Chown bool `json:"chown,omitempty"`
	// NoCopy skips copying the image's content into a new, empty volume.
	NoCopy bool `json:"noCopy,omitempty"`
	// CreateSource creates a missing bind source (-v), as Docker does;
	// --mount refuses a missing one.
	CreateSource bool `json:"createSource,omitempty"`
	// Propagation is a bind propagation mode (rprivate when empty).
	Propagation string `json:"propagation,omitempty"`
	// Options are further mount options: nosuid, nodev, noexec (and their
	// opposites), and tmpfs options such as size= and mode=.
	Options []string `json:"options,omitempty"`
	// Mode is the option text as the user gave it, shown by inspect.
	Mode string `json:"mode,omitempty"`
}

// validVolumeName is what a volume name may be: no "/", no "..", no NUL.
var validVolumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// ValidVolumeName reports whether name may name a volume.
func ValidVolumeName(name string) bool { return validVolumeName.MatchString(name) }

var propagations = map[string]bool{
	"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true,
}

// flagOptions are the mount flags passed through to the spec as they are.
var flagOptions = map[string]bool{
	"nosuid": true, "suid": true, "nodev": true, "dev": true, "noexec": true, "exec": true,
}

func badMount(flag, value, format string, a ...any) error {
	return fmt.Errorf("%s %q: %s: %w", flag, value, fmt.Sprintf(format, a...), ErrBadMount)
}

// checkDestination cleans a container path and refuses relative ones and "/".
func checkDestination(flag, value, dst string) (string, error) {
	if dst == "" {
		return "", badMount(flag, value, "no destination in the container")
	}
	if !path.IsAbs(dst) {
		return "", badMount(flag, value, "destination %s is not an absolute path", dst)
	}
	dst = path.Clean(dst)
	if dst == "/" {
		return "", badMount(flag, value, "destination cannot be /")
	}
	return dst, nil
}

// isHostPath tells a bind source from a volume name, as Docker and Podman do.
func isHostPath(src string) bool { return strings.HasPrefix(src, "/") || strings.HasPrefix(src, ".") }

// cleanHostPath cleans a bind source and keeps a relative one starting
// with "./", so that it still reads as a host path ("./a/../b" -> "./b").
func cleanHostPath(src string) string {
	c := path.Clean(src)
	if !isHostPath(c) {
		c = "./" + c
	}
	return c
}

// ParseVolume parses a -v value: SRC:DST[:OPTS] where SRC is a volume name
// or a host path (absolute, or relative starting with "."), or DST alone
// for an anonymous volume. Relative host paths stay relative: the caller
// makes them absolute.
func ParseVolume(v string) (Mount, error) {
	const flag = "-v"
	if strings.ContainsRune(v, 0) {
		return Mount{}, badMount(flag, v, "NUL in the value")
	}
	parts := strings.Split(v, ":")
	var m Mount
	var opts string
	switch len(parts) {
	case 1:
		m.Destination = parts[0]
	case 2:
		if path.IsAbs(parts[1]) || parts[1] == "" {
			m.Source, m.Destination = parts[0], parts[1]
		} else {
			// DST:OPTS for an anonymous volume.
			m.Destination, opts = parts[0], parts[1]
		}
	case 3:
		m.Source, m.Destination, opts = parts[0], parts[1], parts[2]
	default:
		return Mount{}, badMount(flag, v, "use SOURCE:DESTINATION[:OPTIONS] or DESTINATION")
	}
	var err error
	if m.Destination, err = checkDestination(flag, v, m.Destination); err != nil {
		return Mount{}, err
	}
	switch {
	case m.Source == "" && len(parts) > 1 && path.IsAbs(parts[1]):
		return Mount{}, badMount(flag, v, "empty source")
	case m.Source == "":
		m.Type, m.Anonymous = MountVolume, true
	case isHostPath(m.Source):
		m.Type, m.CreateSource = MountBind, true
		m.Source = cleanHostPath(m.Source)
	case !ValidVolumeName(m.Source):
		return Mount{}, badMount(flag, v, "volume name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-]* is allowed, or a host path starting with / or .", m.Source)
	default:
		m.Type, m.Name, m.Source = MountVolume, m.Source, ""
	}
	if opts != "" {
		m.Mode = opts
		if err := m.applyVolumeOptions(flag, v, strings.Split(opts, ",")); err != nil {
			return Mount{}, err
		}
	}
	return m, nil
}

// applyVolumeOptions applies -v's option list to m.
func (m *Mount) applyVolumeOptions(flag, v string, opts []string) error {
	seenRW := false
	for _, o := range opts {
		switch {
		case o == "ro" || o == "rw":
			if seenRW {
				return badMount(flag, v, "ro and rw given more than once")
			}
			seenRW, m.ReadOnly = true, o == "ro"
		case o == "U":
			m.Chown = true
		case o == "z" || o == "Z":
			// SELinux relabelling: accepted, nothing to do without SELinux.
		case o == "nocopy":
			m.NoCopy = true
		case o == "copy":
			m.NoCopy = false
		case flagOptions[o]:
			m.Options = append(m.Options, o)
		case propagations[o]:
			if m.Type != MountBind {
				return badMount(flag, v, "propagation %s applies to bind mounts only", o)
			}
			m.Propagation = o
		case o == "bind" || o == "rbind":
		default:
			return badMount(flag, v, "unknown option %q (use ro, rw, U, z, Z, nocopy, nosuid, nodev, noexec or a propagation)", o)
		}
	}
	if m.Type != MountVolume && m.NoCopy {
		return badMount(flag, v, "nocopy applies to volumes only")
	}
	return nil
}

// ParseMount parses a --mount value: comma-separated KEY=VALUE fields with
// type=volume|bind|tmpfs, src|source, dst|destination|target, ro|readonly,
// volume-nocopy, bind-propagation, tmpfs-size, tmpfs-mode, U|chown.
func ParseMount(v string) (Mount, error) {
	const flag = "--mount"
	if strings.ContainsRune(v, 0) {
		return Mount{}, badMount(flag, v, "NUL in the value")
	}
	m := Mount{Type: MountVolume}
	var size, mode string
	var devpts []string
	for _, field := range strings.Split(v, ",") {
		k, val, hasVal := strings.Cut(field, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		boolVal := func() (bool, error) {
			if !hasVal {
				return true, nil
			}
			b, err := strconv.ParseBool(val)
			if err != nil {
				return false, badMount(flag, v, "%s takes true or false, not %q", k, val)
			}
			return b, nil
		}
		var err error
		switch k {
		case "type":
			m.Type = val
		case "src", "source":
			m.Source = val
		case "dst", "destination", "target":
			m.Destination = val
		case "ro", "readonly":
			m.ReadOnly, err = boolVal()
		case "volume-nocopy":
			m.NoCopy, err = boolVal()
		case "u", "chown":
			m.Chown, err = boolVal()
		case "bind-propagation":
			if !propagations[val] {
				return Mount{}, badMount(flag, v, "bind-propagation %q: use private, rprivate, shared, rshared, slave or rslave", val)
			}
			m.Propagation = val
		case "uid", "gid", "mode", "max", "ptmxmode":
			// devpts's own options.
			if _, err := strconv.ParseUint(val, 8, 32); !hasVal || err != nil {
				return Mount{}, badMount(flag, v, "%s takes a number", k)
			}
			devpts = append(devpts, k+"="+val)
		case "tmpfs-size":
			size = val
		case "tmpfs-mode":
			mode = val
		case "z", "relabel", "consistency", "bind-nonrecursive", "volume-driver":
			// Accepted for compatibility; nothing to do here.
			if k == "volume-driver" && val != "local" {
				return Mount{}, badMount(flag, v, "only the local volume driver exists")
			}
		default:
			return Mount{}, badMount(flag, v, "unknown field %q", k)
		}
		if err != nil {
			return Mount{}, err
		}
	}
	var err error
	if m.Destination, err = checkDestination(flag, v, m.Destination); err != nil {
		return Mount{}, err
	}
	switch m.Type {
	case MountVolume:
		if m.Source == "" {
			m.Anonymous = true
		} else if !ValidVolumeName(m.Source) {
			return Mount{}, badMount(flag, v, "volume name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-]* is allowed", m.Source)
		} else {
			m.Name, m.Source = m.Source, ""
		}
	case MountBind:
		if m.Source == "" {
			return Mount{}, badMount(flag, v, "a bind mount needs src=HOST-PATH")
		}
		m.Source = path.Clean(m.Source)
	case MountTmpfs:
		if m.Source != "" {
			return Mount{}, badMount(flag, v, "a tmpfs mount takes no source")
		}
		if m.Options, err = tmpfsOptions(flag, v, size, mode); err != nil {
			return Mount{}, err
		}
	case MountDevpts:
		if m.Source != "" {
			return Mount{}, badMount(flag, v, "a devpts mount takes no source")
		}
		m.Options = devpts
	default:
		return Mount{}, badMount(flag, v, "type %q: use volume, bind, tmpfs or devpts", m.Type)
	}
	if m.Type != MountDevpts && len(devpts) > 0 {
		return Mount{}, badMount(flag, v, "%s applies to type=devpts only", strings.Join(devpts, ", "))
	}
	if m.Type != MountTmpfs && (size != "" || mode != "") {
		return Mount{}, badMount(flag, v, "tmpfs-size and tmpfs-mode apply to type=tmpfs only")
	}
	if m.Type != MountBind && m.Propagation != "" {
		return Mount{}, badMount(flag, v, "bind-propagation applies to type=bind only")
	}
	if m.Type != MountVolume && m.NoCopy {
		return Mount{}, badMount(flag, v, "volume-nocopy applies to type=volume only")
	}
	return m, nil
}

// tmpfsOptions turns --mount's tmpfs-size (bytes or with a unit) and
// tmpfs-mode (octal) into mount options.
func tmpfsOptions(flag, v, size, mode string) ([]string, error) {
	var out []string
	if size != "" {
		n, err := units.RAMInBytes(size)
		if err != nil || n <= 0 {
			return nil, badMount(flag, v, "tmpfs-size %q is not a size", size)
		}
		out = append(out, "size="+strconv.FormatInt(n, 10))
	}
	if mode != "" {
		if _, err := strconv.ParseUint(mode, 8, 32); err != nil {
			return nil, badMount(flag, v, "tmpfs-mode %q is not an octal mode", mode)
		}
		out = append(out, "mode="+mode)
	}
	return out, nil
}

// tmpfsKeys are the tmpfs options --tmpfs accepts besides the flag options.
var tmpfsKeys = map[string]bool{"size": true, "mode": true, "uid": true, "gid": true, "nr_inodes": true, "nr_blocks": true}

// ParseTmpfs parses a --tmpfs value: DST[:OPTS], OPTS being ro, rw,
// nosuid, nodev, noexec (or their opposites), size=, mode=, uid=, gid=,
// nr_inodes=.
func ParseTmpfs(v string) (Mount, error) {
	const flag = "--tmpfs"
	if strings.ContainsRune(v, 0) {
		return Mount{}, badMount(flag, v, "NUL in the value")
	}
	dst, opts, _ := strings.Cut(v, ":")
	m := Mount{Type: MountTmpfs, Mode: opts}
	var err error
	if m.Destination, err = checkDestination(flag, v, dst); err != nil {
		return Mount{}, err
	}
	if opts == "" {
		return m, nil
	}
	for _, o := range strings.Split(opts, ",") {
		k, val, hasVal := strings.Cut(o, "=")
		switch {
		case o == "ro" || o == "rw":
			m.ReadOnly = o == "ro"
		case flagOptions[o]:
			m.Options = append(m.Options, o)
		case hasVal && tmpfsKeys[k]:
			if err := checkTmpfsValue(k, val); err != nil {
				return Mount{}, badMount(flag, v, "%v", err)
			}
			m.Options = append(m.Options, o)
		case o == "tmpcopyup" || o == "notmpcopyup":
		default:
			return Mount{}, badMount(flag, v, "unknown option %q (use ro, rw, size=, mode=, uid=, gid=, nosuid, nodev, noexec)", o)
		}
	}
	return m, nil
}

// checkTmpfsValue checks the value of a tmpfs option of --tmpfs.
func checkTmpfsValue(k, val string) error {
	base := 10
	switch k {
	case "size":
		if pct, ok := strings.CutSuffix(val, "%"); ok {
			if _, err := strconv.ParseUint(pct, 10, 32); err != nil {
				return fmt.Errorf("size %q is not a size", val)
			}
			return nil
		}
		if n, err := units.RAMInBytes(val); err != nil || n < 0 {
			return fmt.Errorf("size %q is not a size", val)
		}
		return nil
	case "mode":
		base = 8
	}
	if _, err := strconv.ParseUint(val, base, 32); err != nil {
		return fmt.Errorf("%s %q is not a number", k, val)
	}
	return nil
}

// ParseVolumesFrom parses a --volumes-from value: CONTAINER[:ro|rw].
func ParseVolumesFrom(v string) (ctr, mode string, err error) {
	ctr, mode, _ = strings.Cut(v, ":")
	if ctr == "" {
		return "", "", badMount("--volumes-from", v, "no container named")
	}
	switch mode {
	case "", "ro", "rw", "z", "Z":
		return ctr, mode, nil
	}
	return "", "", badMount("--volumes-from", v, "use CONTAINER[:ro|rw]")
}

// CheckMounts refuses two mounts on one destination.
func CheckMounts(ms []Mount) error {
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.Destination] {
			return fmt.Errorf("duplicate mount destination %s: %w", m.Destination, ErrBadMount)
		}
		seen[m.Destination] = true
	}
	return nil
}

// InspectMount is one entry of Mounts in `pod inspect`, as Docker shows it.
type InspectMount struct {
	Type        string `json:"Type"`
	Name        string `json:"Name,omitempty"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Driver      string `json:"Driver,omitempty"`
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
}

// inspectMounts lists the Config's mounts for inspect.
func inspectMounts(ms []Mount) []any {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		im := InspectMount{
			Type: m.Type, Name: m.Name, Source: m.Source, Destination: m.Destination,
			Mode: m.Mode, RW: !m.ReadOnly, Propagation: m.Propagation,
		}
		switch m.Type {
		case MountVolume:
			im.Driver = "local"
		case MountBind:
			if im.Propagation == "" {
				im.Propagation = "rprivate"
			}
		}
		out = append(out, im)
	}
	return out
}
