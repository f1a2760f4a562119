package image

import (
	"context"
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
)

// SearchOptions say what `pod search` asks registries.
type SearchOptions struct {
	RegistryOptions
	// Limit caps the results of each registry (0: the registry's own
	// page, 25 as Podman's default).
	Limit int
	// ListTags lists the tags of one repository instead of searching.
	ListTags bool
}

// SearchEntry is one result: a repository of a registry (Index is the
// registry, Name the repository with its registry), or with ListTags one
// tag of it.
type SearchEntry struct {
	Index, Name, Description string
	Stars                    int
	Official, Automated      bool
	Tag                      string
}

// Search asks the registry that term names (HOST[:PORT]/TERM, or
// HOST[:PORT]/ for everything it lists), else each of registries.conf's
// unqualified-search registries, for the repositories whose name holds
// TERM: its /v1/search where it has one, else its /v2/_catalog. With
// ListTags, term is a repository (HOST/NAME) and its tags are listed.
func Search(ctx context.Context, term string, o SearchOptions) ([]SearchEntry, error) {
	host, rest := splitRegistry(term)
	if o.ListTags {
		if host == "" || rest == "" {
			return nil, fmt.Errorf("%w: --list-tags needs a repository with its registry (HOST/NAME), not %q", ErrBadReference, term)
		}
		return listTags(ctx, host, rest, o)
	}
	hosts := []string{host}
	if host == "" {
		sys, err := o.systemContext(ctx, nil, "")
		if err != nil {
			return nil, err
		}
		if hosts, err = sysregistriesv2.UnqualifiedSearchRegistries(sys); err != nil {
			return nil, err
		}
		if len(hosts) == 0 {
			return nil, fmt.Errorf("no registry to search for %q: name one (HOST/%s), or list unqualified-search-registries in registries.conf", term, term)
		}
	}
	limit := o.Limit
	if limit <= 0 {
		limit = 25
	}
	var out []SearchEntry
	for _, h := range hosts {
		sys, err := o.systemContext(ctx, nil, h)
		if err != nil {
			return nil, err
		}
		results, err := docker.SearchRegistry(ctx, sys, h, rest, limit)
		if err != nil {
			return out, registryError("searching "+h, h, err)
		}
		for i, r := range results {
			if i >= limit {
				break
			}
			out = append(out, SearchEntry{Index: h, Name: h + "/" + r.Name, Description: r.Description,
				Stars: r.StarCount, Official: r.IsOfficial, Automated: r.IsAutomated})
		}
	}
	return out, nil
}

// listTags lists the tags of repository name on registry host.
func listTags(ctx context.Context, host, name string, o SearchOptions) ([]SearchEntry, error) {
	ref, err := docker.ParseReference("//" + host + "/" + name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadReference, host+"/"+name, err)
	}
	sys, err := o.systemContext(ctx, nil, host)
	if err != nil {
		return nil, err
	}
	tags, err := docker.GetRepositoryTags(ctx, sys, ref)
	if err != nil {
		return nil, registryError("listing the tags of "+host+"/"+name, host, err)
	}
	var out []SearchEntry
	for _, t := range tags {
		if o.Limit > 0 && len(out) >= o.Limit {
			break
		}
		out = append(out, SearchEntry{Index: host, Name: host + "/" + name, Tag: t})
	}
	return out, nil
}

// splitRegistry splits a search term into the registry it names (a first
// component with a dot or a port, or localhost) and the rest.
func splitRegistry(term string) (host, rest string) {
	first, after, ok := strings.Cut(term, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first, after
	}
	return "", term
}
