package volumes

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pod-project/pod/storage"
)

// Filters select volumes like Docker's `volume ls --filter`: values of one
// key are OR-ed, different keys AND-ed; label!= entries must all hold.
type Filters struct {
	keys  map[string][]string
	until time.Time
}

var (
	listFilterKeys  = map[string]bool{"name": true, "label": true, "label!": true, "dangling": true, "driver": true}
	pruneFilterKeys = map[string]bool{"label": true, "label!": true, "until": true}
)

func keyList(keys map[string]bool) string {
	var out []string
	for k := range keys {
		out = append(out, k+"=")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// ParseFilters parses KEY=VALUE filters among the allowed keys.
func ParseFilters(args []string, allowed map[string]bool) (Filters, error) {
	f := Filters{keys: map[string][]string{}}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !allowed[k] {
			return f, fmt.Errorf("%q: use %s: %w", a, keyList(allowed), ErrBadFilter)
		}
		switch k {
		case "dangling":
			if _, err := strconv.ParseBool(v); err != nil {
				return f, fmt.Errorf("%q: dangling takes true or false: %w", a, ErrBadFilter)
			}
		case "until":
			t, err := storage.ParseUntil(v, time.Now())
			if err != nil {
				return f, fmt.Errorf("%q: until takes a timestamp or a duration such as 24h: %w", a, ErrBadFilter)
			}
			f.until = t
		case "label", "label!":
			if strings.SplitN(v, "=", 2)[0] == "" {
				return f, fmt.Errorf("%q: %s takes KEY or KEY=VALUE: %w", a, k, ErrBadFilter)
			}
		}
		f.keys[k] = append(f.keys[k], v)
	}
	return f, nil
}

// ListFilters parses the filters of `volume ls`: name=, label=, label!=,
// dangling=true|false, driver=.
func ListFilters(args []string) (Filters, error) { return ParseFilters(args, listFilterKeys) }

// Match reports whether v passes every filter; inUse says whether a
// container uses v (for dangling=).
func (f Filters) Match(v *Volume, inUse bool) bool {
	for _, want := range f.keys["label!"] {
		if labelMatch(v.Labels, want) {
			return false
		}
	}
	for k, vals := range f.keys {
		if k == "label!" {
			continue
		}
		ok := false
		for _, val := range vals {
			if f.matchOne(k, val, v, inUse) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f Filters) matchOne(k, val string, v *Volume, inUse bool) bool {
	switch k {
	case "name":
		// Podman's: a regular expression (a plain name matches as a
		// part), as the container name filter.
		if re, err := regexp.Compile(val); err == nil {
			return re.MatchString(v.Name)
		}
		return strings.Contains(v.Name, val)
	case "label":
		return labelMatch(v.Labels, val)
	case "dangling":
		b, _ := strconv.ParseBool(val)
		return b == !inUse
	case "driver":
		return val == v.Driver
	case "until":
		return v.CreatedAt.Before(f.until)
	}
	return false
}

func labelMatch(labels map[string]string, want string) bool {
	k, val, hasValue := strings.Cut(want, "=")
	got, ok := labels[k]
	return ok && (!hasValue || got == val)
}

// ListEntry is a volume with whether a container uses it.
type ListEntry struct {
	*Volume
	InUse bool
}

// List returns the volumes that pass f. The containers are read only when
// a dangling= filter needs them.
func List(st storage.Store, s *Store, f Filters) ([]ListEntry, error) {
	vols, err := s.List()
	if err != nil {
		return nil, err
	}
	var users map[string]bool
	if len(f.keys["dangling"]) > 0 {
		byVol, err := usersByVolume(st)
		if err != nil {
			return nil, err
		}
		users = map[string]bool{}
		for name, recs := range byVol {
			users[name] = len(recs) > 0
		}
	}
	var out []ListEntry
	for _, v := range vols {
		if f.Match(v, users[v.Name]) {
			out = append(out, ListEntry{Volume: v, InUse: users[v.Name]})
		}
	}
	return out, nil
}
