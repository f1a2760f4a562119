package container

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.podman.io/storage/pkg/idtools"
)

// IDRange maps Size IDs from ContainerID inside a container's user
// namespace to HostID in pod's (the parent's).
type IDRange struct {
	ContainerID uint32 `json:"containerID"`
	HostID      uint32 `json:"hostID"`
	Size        uint32 `json:"size"`
}

// IDMap is a container's own user namespace (--userns keep-id, --uidmap
// and the like): its UID and GID ranges, in pod's namespace's IDs.
type IDMap struct {
	UIDs []IDRange `json:"uids"`
	GIDs []IDRange `json:"gids"`
	// UID and GID are keep-id's user (the user's own IDs), -1 for none;
	// Name and Home its name and home directory on the host, for the
	// container's /etc/passwd when the image has no entry for it.
	UID  int    `json:"uid"`
	GID  int    `json:"gid"`
	Name string `json:"name,omitempty"`
	Home string `json:"home,omitempty"`
	// Auto is the block of IDs --userns auto took (HostID, Size), which
	// no other auto container gets while this one exists.
	Auto *IDRange `json:"auto,omitempty"`
}

// IsAutoUserNS tells --userns auto[:OPTIONS].
func IsAutoUserNS(v string) bool {
	return v == "auto" || strings.HasPrefix(v, "auto:")
}

// MapsOwner tells whether the map includes the store's owner (pod's 0
// rootless, root as root) among its host IDs.
func (m *IDMap) MapsOwner() bool {
	for _, r := range m.UIDs {
		if r.HostID == 0 {
			return true
		}
	}
	return false
}

// CheckUserNS checks --userns: "" (or private, host: pod's namespace),
// keep-id, nomap, auto[:OPTIONS].
func CheckUserNS(v string) error {
	switch v {
	case "", "host", "private", "keep-id", "nomap":
		return nil
	}
	if IsAutoUserNS(v) {
		_, err := ParseAutoUserNS(v)
		return err
	}
	if strings.HasPrefix(v, "ns:") {
		return fmt.Errorf("--userns %s: joining another user namespace is not supported: runc joins it before the network namespace pod makes, and from inside it may not enter that one; leave it out (pod's own), or give keep-id, auto or --uidmap", v)
	}
	return fmt.Errorf("--userns %q: keep-id, nomap, auto[:size=N], host or private", v)
}

// AutoUserNS is --userns auto's options: the namespace's size (0 for
// the default) and fixed ranges of the container's IDs onto IDs of the
// allocated range (uidmapping=C:H:N, gidmapping=C:H:N).
type AutoUserNS struct {
	Size       uint32
	UIDMapping []IDRange
	GIDMapping []IDRange
}

// AutoUserNSSize is --userns auto's size when none is given, as Podman's.
const AutoUserNSSize = 1024

// ParseAutoUserNS reads --userns auto[:size=N][,uidmapping=C:H:N][,gidmapping=C:H:N].
func ParseAutoUserNS(v string) (AutoUserNS, error) {
	var a AutoUserNS
	opts, _ := strings.CutPrefix(strings.TrimPrefix(v, "auto"), ":")
	if opts == "" {
		return a, nil
	}
	for _, o := range strings.Split(opts, ",") {
		k, val, _ := strings.Cut(o, "=")
		switch k {
		case "size":
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil || n == 0 {
				return a, fmt.Errorf("--userns %s: size=%q is not a count of IDs", v, val)
			}
			a.Size = uint32(n)
		case "uidmapping", "gidmapping":
			rs, err := ParseIDMapping("--userns "+k, []string{val})
			if err != nil {
				return a, err
			}
			if k == "uidmapping" {
				a.UIDMapping = append(a.UIDMapping, rs...)
			} else {
				a.GIDMapping = append(a.GIDMapping, rs...)
			}
		default:
			return a, fmt.Errorf("--userns %s: unknown option %q (size=N, uidmapping=C:H:N, gidmapping=C:H:N)", v, k)
		}
	}
	return a, nil
}

// AutoMap is --userns auto's map onto the free range [start, start+size)
// of pod's IDs: the container's 0..size-1 onto it, but where a fixed
// mapping moves some container IDs onto other IDs of the range.
func (a AutoUserNS) AutoMap(start, size uint32) (uids, gids []IDRange, err error) {
	one := func(fixed []IDRange) ([]IDRange, error) {
		if len(fixed) == 0 {
			return []IDRange{{ContainerID: 0, HostID: start, Size: size}}, nil
		}
		var out []IDRange
		for _, f := range fixed {
			if uint64(f.HostID)+uint64(f.Size) > uint64(size) {
				return nil, fmt.Errorf("--userns auto: the mapping %d:%d:%d lies beyond the namespace's %d IDs", f.ContainerID, f.HostID, f.Size, size)
			}
			out = append(out, IDRange{ContainerID: f.ContainerID, HostID: start + f.HostID, Size: f.Size})
		}
		return out, nil
	}
	if uids, err = one(a.UIDMapping); err != nil {
		return nil, nil, err
	}
	gids, err = one(a.GIDMapping)
	return uids, gids, err
}

// FreeRange is the first start of n free IDs in [lo, hi), given the
// ranges in use.
func FreeRange(lo, hi, n uint32, used []IDRange) (uint32, bool) {
	start := uint64(lo)
	for {
		if start+uint64(n) > uint64(hi) {
			return 0, false
		}
		moved := false
		for _, u := range used {
			if overlaps(uint32(start), n, u.HostID, u.Size) {
				start, moved = uint64(u.HostID)+uint64(u.Size), true
			}
		}
		if !moved {
			return uint32(start), true
		}
	}
}

// ReadIDMap reads a uid_map or gid_map: its lines as ranges, the inside
// IDs as ContainerID.
func ReadIDMap(m io.Reader) ([]IDRange, error) {
	var out []IDRange
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		var n [3]uint32
		for i := range n {
			x, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("reading the ID map: %q", sc.Text())
			}
			n[i] = uint32(x)
		}
		out = append(out, IDRange{ContainerID: n[0], HostID: n[1], Size: n[2]})
	}
	return out, sc.Err()
}

// SplitAlong splits ranges whose host IDs cross from one line of the
// parent namespace's map into the next (parent, as ReadIDMap gives it):
// the kernel takes a nested map's line only when its IDs lie in one line
// of the parent's, and a user with two /etc/subuid ranges has two.
func SplitAlong(rs, parent []IDRange) []IDRange {
	var cuts []uint32
	for _, p := range parent {
		cuts = append(cuts, p.ContainerID, p.ContainerID+p.Size)
	}
	slices.Sort(cuts)
	var out []IDRange
	for _, r := range rs {
		for _, c := range cuts {
			if c > r.HostID && c < r.HostID+r.Size {
				n := c - r.HostID
				out = append(out, IDRange{ContainerID: r.ContainerID, HostID: r.HostID, Size: n})
				r = IDRange{ContainerID: r.ContainerID + n, HostID: c, Size: r.Size - n}
			}
		}
		out = append(out, r)
	}
	return out
}

// NSSize is how many IDs pod's user namespace maps, from its uid_map or
// gid_map, and the host ID its 0 stands for.
func NSSize(m io.Reader) (size uint32, hostZero uint32, err error) {
	rs, err := ReadIDMap(m)
	if err != nil {
		return 0, 0, err
	}
	size, hostZero = SizeOf(rs)
	return size, hostZero, nil
}

// SizeOf is how many IDs a namespace of map rs (ReadIDMap's) has, and
// the host ID its 0 stands for.
func SizeOf(rs []IDRange) (size uint32, hostZero uint32) {
	for _, r := range rs {
		if r.ContainerID == 0 {
			hostZero = r.HostID
		}
		size = max(size, r.ContainerID+r.Size)
	}
	return size, hostZero
}

// KeepIDMap is keep-id's map in a namespace of size IDs whose 0 is the
// user (uid/gid on the host): the container's uid and gid are the
// user's, its 0 to uid-1 are the namespace's 1 to uid, the rest as they
// are.
func KeepIDMap(uid, gid, uidSize, gidSize uint32) (*IDMap, error) {
	ranges := func(id, size uint32) ([]IDRange, error) {
		if id == 0 || id >= size {
			return nil, fmt.Errorf("--userns keep-id: your ID %d is outside the %d IDs of pod's namespace (/etc/subuid, /etc/subgid)", id, size)
		}
		r := []IDRange{{ContainerID: 0, HostID: 1, Size: id}, {ContainerID: id, HostID: 0, Size: 1}}
		if id+1 < size {
			r = append(r, IDRange{ContainerID: id + 1, HostID: id + 1, Size: size - id - 1})
		}
		return r, nil
	}
	u, err := ranges(uid, uidSize)
	if err != nil {
		return nil, err
	}
	g, err := ranges(gid, gidSize)
	if err != nil {
		return nil, err
	}
	return &IDMap{UIDs: u, GIDs: g, UID: int(uid), GID: int(gid)}, nil
}

// ParseIDMapping reads --uidmap or --gidmap values (Podman's, and
// build's --userns-uid-map): CONTAINER:HOST:SIZE triples, several in one
// value separated by colons or commas, or one value each. HOST is an ID of
// pod's user namespace when rootless (0 is the user), of the host as root.
func ParseIDMapping(flag string, values []string) ([]IDRange, error) {
	var out []IDRange
	for _, v := range values {
		fields := strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ',' })
		if len(fields) == 0 || len(fields)%3 != 0 {
			return nil, fmt.Errorf("%s %q: give CONTAINER:HOST:SIZE (e.g. 0:1:65536), several separated by commas", flag, v)
		}
		for i := 0; i < len(fields); i += 3 {
			var n [3]uint32
			for j := range n {
				x, err := strconv.ParseUint(fields[i+j], 10, 32)
				if err != nil {
					return nil, fmt.Errorf("%s %q: %q is not an ID or a count", flag, v, fields[i+j])
				}
				n[j] = uint32(x)
			}
			if n[2] == 0 || uint64(n[0])+uint64(n[2]) > 1<<32-1 || uint64(n[1])+uint64(n[2]) > 1<<32-1 {
				return nil, fmt.Errorf("%s %q: the range %d:%d:%d is empty or beyond the last ID", flag, v, n[0], n[1], n[2])
			}
			r := IDRange{ContainerID: n[0], HostID: n[1], Size: n[2]}
			for _, o := range out {
				if overlaps(r.ContainerID, r.Size, o.ContainerID, o.Size) || overlaps(r.HostID, r.Size, o.HostID, o.Size) {
					return nil, fmt.Errorf("%s: the ranges %d:%d:%d and %d:%d:%d overlap", flag, o.ContainerID, o.HostID, o.Size, r.ContainerID, r.HostID, r.Size)
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func overlaps(a, n, b, m uint32) bool {
	return uint64(a) < uint64(b)+uint64(m) && uint64(b) < uint64(a)+uint64(n)
}

// CheckWithin fails unless every range's host side is among the size IDs
// of pod's user namespace (rootless).
func CheckWithin(flag string, rs []IDRange, size uint32) error {
	for _, r := range rs {
		if uint64(r.HostID)+uint64(r.Size) > uint64(size) {
			return fmt.Errorf("%s: %d:%d:%d reaches ID %d, but pod's user namespace has IDs 0 to %d (your own and your /etc/subuid and /etc/subgid ranges): give ranges within it", flag, r.ContainerID, r.HostID, r.Size, uint64(r.HostID)+uint64(r.Size)-1, size-1)
		}
	}
	return nil
}

func (m *IDMap) storageMap(rs []IDRange) []idtools.IDMap {
	out := make([]idtools.IDMap, 0, len(rs))
	for _, r := range rs {
		out = append(out, idtools.IDMap{ContainerID: int(r.ContainerID), HostID: int(r.HostID), Size: int(r.Size)})
	}
	return out
}
