package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// searchRow is one line of `pod search`, with Podman's field names.
type searchRow struct {
	Index, Name, Description string
	Stars                    int
	Official, Automated      string
	Tag                      string
}

var searchHeaders = map[string]string{".Index": "INDEX", ".Name": "NAME", ".Description": "DESCRIPTION",
	".Stars": "STARS", ".Official": "OFFICIAL", ".Automated": "AUTOMATED", ".Tag": "TAG"}

// newSearchCommand builds `pod search`: a registry's repositories (its
// /v1/search, else its /v2/_catalog), or with --list-tags a repository's
// tags.
func newSearchCommand(g *globalOptions) *cobra.Command {
	var rf registryFlags
	var filters []string
	var format string
	var limit int
	var listTags, noTrunc, compatible bool
	cmd := &cobra.Command{
		Use:   "search [flags] [REGISTRY/]TERM",
		Short: "Search a registry for images",
		Long: "Search a registry for repositories whose name holds TERM: the registry named in front of it\n" +
			"(HOST[:PORT]/TERM, HOST/ for all it lists), else registries.conf's unqualified-search ones.\n" +
			"--list-tags lists one repository's tags. Filters: stars=N, is-official=BOOL, is-automated=BOOL.",
		Args:        cobra.ExactArgs(1),
		Annotations: map[string]string{noNamespace: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			keep, err := searchFilter(filters)
			if err != nil {
				return err
			}
			if listTags && len(filters) > 0 {
				return usageErrorf("--filter cannot be used with --list-tags")
			}
			entries, err := image.Search(cmd.Context(), args[0], image.SearchOptions{RegistryOptions: rf.options(cmd), Limit: limit, ListTags: listTags})
			if err != nil {
				return err
			}
			rows := make([]any, 0, len(entries))
			for _, e := range entries {
				if !keep(e) {
					continue
				}
				d := e.Description
				if !noTrunc && len(d) > 44 {
					d = d[:41] + "..."
				}
				r := searchRow{Index: e.Index, Name: e.Name, Description: d, Stars: e.Stars, Tag: e.Tag}
				if e.Official {
					r.Official = "[OK]"
				}
				if e.Automated {
					r.Automated = "[OK]"
				}
				rows = append(rows, r)
			}
			table := "{{.Name}}\t{{.Description}}"
			switch {
			case listTags:
				table = "{{.Name}}\t{{.Tag}}"
			case compatible:
				table += "\t{{.Stars}}\t{{.Official}}\t{{.Automated}}"
			}
			return output{format: format, headers: searchHeaders, defaultTable: table}.write(cmd.OutOrStdout(), rows)
		},
	}
	rf.register(cmd, false, false)
	f := cmd.Flags()
	f.StringArrayVarP(&filters, "filter", "f", nil, "only the repositories matching (stars=N, is-official=BOOL, is-automated=BOOL)")
	f.StringVar(&format, "format", "", "format the output: table, json, or a Go template (.Index, .Name, .Description, .Stars, .Official, .Automated, .Tag)")
	f.IntVar(&limit, "limit", 0, "at most this many results per registry (default 25; with --list-tags, all tags)")
	f.BoolVar(&listTags, "list-tags", false, "list the tags of the repository named (HOST/NAME)")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not shorten descriptions")
	f.BoolVar(&compatible, "compatible", false, "also show STARS, OFFICIAL and AUTOMATED, as Docker does")
	return cmd
}

// searchFilter parses search's --filter.
func searchFilter(filters []string) (func(image.SearchEntry) bool, error) {
	var checks []func(image.SearchEntry) bool
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "stars":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, usageErrorf("--filter %q: stars takes a number", f)
			}
			checks = append(checks, func(e image.SearchEntry) bool { return e.Stars >= n })
		case "is-official", "is-automated":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, usageErrorf("--filter %q: %s takes true or false", f, k)
			}
			official := k == "is-official"
			checks = append(checks, func(e image.SearchEntry) bool {
				if official {
					return e.Official == b
				}
				return e.Automated == b
			})
		default:
			return nil, usageErrorf("--filter %q: use stars=, is-official= or is-automated=", f)
		}
	}
	return func(e image.SearchEntry) bool {
		for _, c := range checks {
			if !c(e) {
				return false
			}
		}
		return true
	}, nil
}
