package container

import (
	"bufio"
	"fmt"
	"io"
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
}

// CheckUserNS checks --userns: "" (or private, host: pod's namespace),
// keep-id, nomap.
func CheckUserNS(v string) error {
	switch v {
	case "", "host", "private", "keep-id":
		return nil
	case "nomap":
		return fmt.Errorf("--userns nomap: from a namespace that does not map your own ID, the OCI runtime cannot reach pod's storage in your private directories; give keep-id, or leave it out")
	case "auto":
		return fmt.Errorf("--userns auto: it takes ranges of subordinate IDs beyond the one pod's namespace maps; give keep-id or --uidmap, or leave it out")
	}
	if strings.HasPrefix(v, "ns:") {
		return fmt.Errorf("--userns %s: joining another user namespace is not supported: leave it out (pod's own) or give keep-id", v)
	}
	return fmt.Errorf("--userns %q: keep-id, nomap, host or private", v)
}

// NSSize is how many IDs pod's user namespace maps, from its uid_map or
// gid_map, and the host ID its 0 stands for.
func NSSize(m io.Reader) (size uint32, hostZero uint32, err error) {
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		in, e1 := strconv.ParseUint(f[0], 10, 32)
		out, e2 := strconv.ParseUint(f[1], 10, 32)
		n, e3 := strconv.ParseUint(f[2], 10, 32)
		if e1 != nil || e2 != nil || e3 != nil {
			return 0, 0, fmt.Errorf("reading the ID map: %q", sc.Text())
		}
		if in == 0 {
			hostZero = uint32(out)
		}
		if end := uint32(in + n); end > size {
			size = end
		}
	}
	return size, hostZero, sc.Err()
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
