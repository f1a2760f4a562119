package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// historyRow is one line of `pod history`; --format templates name its fields.
type historyRow struct {
	ID           string
	CreatedSince string
	CreatedAt    string
	CreatedBy    string
	Size         string
	Comment      string
	// Created is Podman's name of CreatedSince; Tags the names of the
	// row's image (the newest row's).
	Created string
	Tags    []string
}

// historyJSON is one row of --format json, with Podman's keys.
type historyJSON struct {
	ID        string    `json:"id"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"CreatedBy"`
	Size      int64     `json:"size"`
	Comment   string    `json:"comment"`
	Tags      []string  `json:"tags,omitempty"`
}

var historyHeaders = map[string]string{
	".ID": "IMAGE", ".CreatedSince": "CREATED", ".CreatedAt": "CREATED AT",
	".CreatedBy": "CREATED BY", ".Size": "SIZE", ".Comment": "COMMENT",
}

// newHistoryCommand builds `pod history`, also `pod image history`.
func newHistoryCommand(g *globalOptions) *cobra.Command {
	var human, noTrunc, quiet bool
	var format string
	cmd := &cobra.Command{
		Use:   "history [flags] IMAGE",
		Short: "Show the steps that built an image",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			entries, err := image.History(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			var tags []string
			if img, err := image.Lookup(st, args[0]); err == nil {
				tags = img.Names
			}
			if format == "json" {
				rows := make([]historyJSON, 0, len(entries))
				for i, e := range entries {
					r := historyJSON{ID: e.ID, Created: e.Created.UTC(), CreatedBy: e.CreatedBy, Size: e.Size, Comment: e.Comment}
					if i == 0 {
						r.Tags = tags
					}
					rows = append(rows, r)
				}
				return writeJSON(cmd.OutOrStdout(), rows)
			}
			now := time.Now()
			rows := make([]any, 0, len(entries))
			for i, e := range entries {
				r := newHistoryRow(e, now, human, noTrunc)
				if i == 0 {
					r.Tags = tags
				}
				if quiet {
					fmt.Fprintln(cmd.OutOrStdout(), r.ID)
				}
				rows = append(rows, r)
			}
			if quiet {
				return nil
			}
			return output{format: format, headers: historyHeaders,
				defaultTable: `{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}`,
			}.write(cmd.OutOrStdout(), rows)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&human, "human", "H", true, "print sizes and dates in human readable format")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate output")
	f.BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	f.StringVar(&format, "format", "", "format the output: table, table TEMPLATE, json, or a Go template")
	return cmd
}

func newHistoryRow(e image.HistoryEntry, now time.Time, human, noTrunc bool) historyRow {
	id := "<missing>"
	if e.ID != "" {
		id = imageID(e.ID, noTrunc)
	}
	since := image.CreatedSince(e.Created, now)
	if !human && !e.Created.IsZero() {
		since = e.Created.Local().Format(time.RFC3339)
	}
	createdBy := strings.ReplaceAll(e.CreatedBy, "\t", " ")
	if !noTrunc {
		createdBy = image.Ellipsis(createdBy, 45)
	}
	return historyRow{
		ID:           id,
		CreatedSince: since,
		Created:      since,
		CreatedAt:    e.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
		CreatedBy:    createdBy,
		Size:         image.SizeString(e.Size, human),
		Comment:      e.Comment,
	}
}
