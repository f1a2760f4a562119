package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// imageRow is one line of `pod images`; --format templates name its fields.
type imageRow struct {
	Repository   string
	Tag          string
	ID           string
	Digest       string
	CreatedSince string
	CreatedAt    string
	Size         string
	// History is the names the image has had (images --history).
	History string
}

var imageHeaders = map[string]string{
	".Repository": "REPOSITORY", ".Tag": "TAG", ".ID": "IMAGE ID", ".Digest": "DIGEST",
	".CreatedSince": "CREATED", ".CreatedAt": "CREATED AT", ".Size": "SIZE", ".History": "HISTORY",
}

// newImagesCommand builds `pod images`, also `pod image ls`.
func newImagesCommand(g *globalOptions) *cobra.Command {
	var all, quiet, noTrunc, digests, noHeading, history bool
	var format, sortBy string
	var filters []string
	cmd := &cobra.Command{
		Use:   "images [flags] [REPOSITORY[:TAG]]",
		Short: "List local images",
		Long: "List local images, newest first, one row per tag; untagged images show <none>.\n" +
			"Filters: reference=PATTERN, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := image.ListOptions{All: all, Filters: filters}
			if len(args) == 1 {
				opts.Reference = args[0]
			}
			if _, err := image.ParseFilters(filters); err != nil {
				return usageErrorf("%v", err)
			}
			less, ok := imageSorts[sortBy]
			if !ok {
				return usageErrorf("--sort %q: choose created, id, repository, size or tag", sortBy)
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			entries, err := image.List(st, opts)
			if err != nil {
				return err
			}
			if less != nil {
				slices.SortStableFunc(entries, less)
			}
			return printImages(cmd.OutOrStdout(), entries, imagesView{quiet: quiet, noTrunc: noTrunc, digests: digests, noHeading: noHeading, history: history, format: format})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "show all images (intermediate images are hidden by default)")
	f.BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	f.BoolVar(&noTrunc, "no-trunc", false, "show full image IDs")
	f.BoolVar(&digests, "digests", false, "show digests")
	f.StringVar(&format, "format", "", "format the output: table, table TEMPLATE, json, or a Go template")
	f.StringArrayVarP(&filters, "filter", "f", nil, "filter output (reference=, dangling=, label=, before=, since=)")
	f.BoolVarP(&noHeading, "noheading", "n", false, "do not print the header row")
	f.BoolVar(&history, "history", false, "show the names each image has had")
	f.StringVar(&sortBy, "sort", "created", "sort by created (newest first), id, repository, size (smallest first) or tag")
	return cmd
}

// imageSorts are images' --sort orders, as Podman's; created is the order
// image.List gives.
var imageSorts = map[string]func(a, b image.ListEntry) int{
	"created":    nil,
	"id":         func(a, b image.ListEntry) int { return strings.Compare(a.ID, b.ID) },
	"repository": func(a, b image.ListEntry) int { return strings.Compare(a.Repository, b.Repository) },
	"tag":        func(a, b image.ListEntry) int { return strings.Compare(a.Tag, b.Tag) },
	"size":       func(a, b image.ListEntry) int { return cmp.Compare(a.Size, b.Size) },
}

// imagesView is how `pod images` prints.
type imagesView struct {
	quiet, noTrunc, digests, noHeading, history bool
	format                                      string
}

// printImages prints the listed images: their IDs once each with -q, else
// rows in a table, JSON or a template.
func printImages(w io.Writer, entries []image.ListEntry, v imagesView) error {
	if v.quiet {
		var seen []string
		for _, e := range entries {
			id := imageID(e.ID, v.noTrunc)
			if !slices.Contains(seen, id) {
				seen = append(seen, id)
				fmt.Fprintln(w, id)
			}
		}
		return nil
	}
	now := time.Now()
	rows := make([]any, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, newImageRow(e, now, v.noTrunc))
	}
	table := `{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`
	if v.digests {
		table = `{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`
	}
	if v.history {
		table += `\t{{.History}}`
	}
	return output{format: v.format, headers: imageHeaders, defaultTable: table, noHeading: v.noHeading}.write(w, rows)
}

func newImageRow(e image.ListEntry, now time.Time, noTrunc bool) imageRow {
	digest := "<none>"
	if e.Digest != "" {
		digest = e.Digest.String()
	}
	return imageRow{
		Repository:   e.Repository,
		Tag:          e.Tag,
		ID:           imageID(e.ID, noTrunc),
		Digest:       digest,
		CreatedSince: image.CreatedSince(e.Created, now),
		CreatedAt:    image.CreatedAt(e.Created),
		Size:         image.HumanSize(e.Size),
		History:      cmp.Or(strings.Join(e.History, ", "), "<none>"),
	}
}

// imageID is Docker's display of an image ID: 12 hex, or sha256:FULL.
func imageID(id string, noTrunc bool) string {
	if noTrunc {
		return "sha256:" + id
	}
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
