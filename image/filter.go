package image

import (
	"fmt"
	"path"
	"strings"

	"go.podman.io/image/v5/docker/reference"
)

// Filters are parsed `images --filter` values. Values of one key are ORed
// (reference), or must all hold (label); different keys must all hold.
type Filters struct {
	// References are glob patterns matched against the familiar name
	// ("demo:1", "demo") and the full name ("docker.io/library/demo:1").
	References []string
	// Dangling, when set, keeps only untagged (true) or tagged (false) images.
	Dangling *bool
	// Labels are "KEY" (present) or "KEY=VALUE" (equal); all must match.
	Labels []string
	// Before and Since name images: keep those created before / after them.
	Before, Since []string
}

// ParseFilters parses KEY=VALUE filter arguments: reference, dangling,
// label, before, since. Errors wrap ErrBadFilter.
func ParseFilters(args []string) (Filters, error) {
	var f Filters
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || v == "" && k != "label" {
			return f, fmt.Errorf("%w %q: use KEY=VALUE (reference, dangling, label, before, since)", ErrBadFilter, a)
		}
		switch strings.ToLower(k) {
		case "reference":
			if _, err := path.Match(v, ""); err != nil {
				return f, fmt.Errorf("%w %q: bad pattern: %v", ErrBadFilter, a, err)
			}
			f.References = append(f.References, v)
		case "dangling":
			var b bool
			switch strings.ToLower(v) {
			case "true", "1":
				b = true
			case "false", "0":
			default:
				return f, fmt.Errorf("%w %q: dangling is true or false", ErrBadFilter, a)
			}
			if f.Dangling != nil && *f.Dangling != b {
				return f, fmt.Errorf("%w %q: dangling given both true and false", ErrBadFilter, a)
			}
			f.Dangling = &b
		case "label":
			if v == "" {
				return f, fmt.Errorf("%w %q: use label=KEY or label=KEY=VALUE", ErrBadFilter, a)
			}
			f.Labels = append(f.Labels, v)
		case "before":
			f.Before = append(f.Before, v)
		case "since":
			f.Since = append(f.Since, v)
		default:
			return f, fmt.Errorf("%w %q: unknown key %q (use reference, dangling, label, before, since)", ErrBadFilter, a, k)
		}
	}
	return f, nil
}

// matchReference reports whether a stored name matches any pattern, as
// Docker's reference filter does (familiar "repo:tag" or "repo"), or the
// full normalized name.
func matchReference(patterns []string, stored string) bool {
	named, err := reference.ParseNormalizedNamed(stored)
	if err != nil {
		return false
	}
	for _, p := range patterns {
		if ok, _ := reference.FamiliarMatch(p, named); ok {
			return true
		}
		if ok, _ := path.Match(p, named.String()); ok {
			return true
		}
		if ok, _ := path.Match(p, named.Name()); ok {
			return true
		}
	}
	return false
}

// matchLabels reports whether labels satisfy every KEY or KEY=VALUE filter.
func matchLabels(filters []string, labels map[string]string) bool {
	for _, f := range filters {
		k, v, hasValue := strings.Cut(f, "=")
		got, ok := labels[k]
		if !ok || hasValue && got != v {
			return false
		}
	}
	return true
}
