package image

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"
)

// pullCandidates returns the fully qualified names a user's image name
// may mean, in the order to try them. A qualified name is itself. A short
// name ("alpine") uses a registries.conf alias, else the
// unqualified-search registries registries.conf lists (tried in order,
// never prompting), else Docker Hub as Docker does
// (docker.io/library/alpine:latest). Names get ":latest" when they have
// neither tag nor digest.
func pullCandidates(sys *types.SystemContext, name string) ([]reference.Named, error) {
	if strings.Contains(name, "://") {
		return nil, fmt.Errorf("%w %q: give NAME[:TAG|@DIGEST] of a registry image, without a transport", ErrBadReference, name)
	}
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadReference, name, err)
	}
	if userGaveDomain(name) {
		return []reference.Named{reference.TagNameOnly(named)}, nil
	}
	repo, suffix := splitShort(name)
	alias, _, err := sysregistriesv2.ResolveShortNameAlias(sys, repo)
	if err != nil {
		return nil, fmt.Errorf("resolving short name %q with registries.conf: %w", name, err)
	}
	if alias != nil {
		return parseCandidates(name, alias.String()+suffix)
	}
	usrs, err := sysregistriesv2.UnqualifiedSearchRegistries(sys)
	if err != nil {
		return nil, fmt.Errorf("reading unqualified-search registries from registries.conf: %w", err)
	}
	if len(usrs) == 0 {
		return []reference.Named{reference.TagNameOnly(named)}, nil
	}
	full := make([]string, 0, len(usrs))
	for _, r := range usrs {
		full = append(full, r+"/"+name)
	}
	return parseCandidates(name, full...)
}

func parseCandidates(name string, full ...string) ([]reference.Named, error) {
	out := make([]reference.Named, 0, len(full))
	for _, f := range full {
		n, err := reference.ParseNormalizedNamed(f)
		if err != nil {
			return nil, fmt.Errorf("%w %q (as %s): %v", ErrBadReference, name, f, err)
		}
		out = append(out, reference.TagNameOnly(n))
	}
	return out, nil
}

// splitShort splits a short name into its repository and its ":TAG" or
// "@DIGEST" suffix: "alpine:3" -> "alpine", ":3".
func splitShort(name string) (repo, suffix string) {
	repo = name
	if i := strings.IndexByte(repo, '@'); i >= 0 {
		repo, suffix = repo[:i], repo[i:]
	}
	if i := strings.LastIndexByte(repo, ':'); i > strings.LastIndexByte(repo, '/') {
		repo, suffix = repo[:i], repo[i:]+suffix
	}
	return repo, suffix
}

// RegistriesConfFiles are the registries.conf files pod reads (the main
// one and the drop-ins), those that exist, for pod info.
func RegistriesConfFiles() []string {
	var out []string
	//nolint:staticcheck // the file names themselves are what pod info shows
	if p := sysregistriesv2.ConfigPath(nil); p != "" {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	//nolint:staticcheck // as above
	dirs := []string{sysregistriesv2.ConfigDirPath(nil), "/etc/containers/registries.conf.d"}
	for i, d := range dirs {
		if d == "" || (i > 0 && d == dirs[0]) {
			continue
		}
		drop, _ := filepath.Glob(filepath.Join(d, "*.conf"))
		sort.Strings(drop)
		out = append(out, drop...)
	}
	return out
}
