package image

import (
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker/reference"
)

const none = "<none>"

// ParseTagName parses a name to give an image (tag, import, commit targets)
// and normalizes it like Docker: "demo" -> docker.io/library/demo:latest.
// A digest is refused: a digest names content, it cannot be given to an image.
// Errors wrap ErrBadReference.
func ParseTagName(s string) (reference.NamedTagged, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, fmt.Errorf("%w %q: a tag cannot hold a digest; use NAME[:TAG]", ErrBadReference, s)
	}
	tagged, ok := reference.TagNameOnly(named).(reference.NamedTagged)
	if !ok {
		return nil, fmt.Errorf("%w %q: no tag", ErrBadReference, s)
	}
	return tagged, nil
}

// NormalizeName returns the stored form of a user's image name:
// "demo:1" -> "docker.io/library/demo:1", "demo" -> "docker.io/library/demo:latest".
func NormalizeName(s string) (string, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
	}
	return reference.TagNameOnly(named).String(), nil
}

// FamiliarName returns the form Docker shows for a stored name:
// "docker.io/library/demo:1" -> "demo:1". Unparsable names are returned as
// they are.
func FamiliarName(stored string) string {
	named, err := reference.ParseNormalizedNamed(stored)
	if err != nil {
		return stored
	}
	return reference.FamiliarString(named)
}

// splitName splits a stored name into Docker's REPOSITORY and TAG columns,
// in familiar form; a name without a tag shows TAG <none>.
func splitName(stored string) (repo, tag string) {
	named, err := reference.ParseNormalizedNamed(stored)
	if err != nil {
		return stored, none
	}
	repo = reference.FamiliarName(named)
	if t, ok := named.(reference.Tagged); ok {
		return repo, t.Tag()
	}
	return repo, none
}

// repoName returns the normalized repository of a stored name
// ("docker.io/library/demo"), or "" when it does not parse.
func repoName(stored string) string {
	named, err := reference.ParseNormalizedNamed(stored)
	if err != nil {
		return ""
	}
	return named.Name()
}

// isHex reports whether s is non-empty lower-case hexadecimal.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// userGaveDomain reports whether the user's string names a registry itself
// (Docker's rule: the first component has a '.' or ':', or is "localhost").
func userGaveDomain(s string) bool {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return false
	}
	first := s[:i]
	return strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first
}
