package userns

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Range is one subordinate id range: Count ids starting at Start on the host.
type Range struct {
	Start, Count uint32
}

// ParseSubIDs returns the ranges of a /etc/subuid or /etc/subgid file that
// belong to the user, matched by name or by numeric id, in file order.
// Malformed lines are skipped, as shadow-utils does.
func ParseSubIDs(r io.Reader, name string, id int) ([]Range, error) {
	var out []Range
	idStr := strconv.Itoa(id)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 3 {
			continue
		}
		if f[0] != idStr && (name == "" || f[0] != name) {
			continue
		}
		start, err1 := strconv.ParseUint(f[1], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 {
			continue
		}
		out = append(out, Range{Start: uint32(start), Count: uint32(count)})
	}
	return out, sc.Err()
}

// ReadSubIDs reads the user's ranges from path (/etc/subuid or /etc/subgid)
// and fails with ErrNoSubIDRange, naming the file and the user, when there
// are none.
func ReadSubIDs(path, name string, id int) ([]Range, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s does not exist, so user %s (uid %d) has no subordinate ids: %w", path, name, id, ErrNoSubIDRange)
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	rs, err := ParseSubIDs(f, name, id)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("user %s (uid %d) has no range in %s: %w", name, id, path, ErrNoSubIDRange)
	}
	return rs, nil
}

// MapArgs returns the arguments of newuidmap/newgidmap for pid: the user's
// own id maps to 0 in the namespace, and the subordinate ranges follow from 1.
func MapArgs(pid, hostID int, ranges []Range) []string {
	args := []string{strconv.Itoa(pid), "0", strconv.Itoa(hostID), "1"}
	next := uint64(1)
	for _, r := range ranges {
		args = append(args, strconv.FormatUint(next, 10), strconv.FormatUint(uint64(r.Start), 10), strconv.FormatUint(uint64(r.Count), 10))
		next += uint64(r.Count)
	}
	return args
}

// MappedSize is how many ids the namespace has: the user's own plus the ranges.
func MappedSize(ranges []Range) uint64 {
	n := uint64(1)
	for _, r := range ranges {
		n += uint64(r.Count)
	}
	return n
}
