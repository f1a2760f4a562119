package main

import (
	"fmt"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/volumes"
)

// dfRow is one line of `pod system df`; --format templates name its
// fields as Docker's do.
type dfRow struct {
	Type        string
	TotalCount  int
	Active      int
	Size        string
	Reclaimable string
}

var dfHeaders = map[string]string{
	".Type": "TYPE", ".TotalCount": "TOTAL", ".Active": "ACTIVE", ".Size": "SIZE", ".Reclaimable": "RECLAIMABLE",
}

func newSystemDfCommand(g *globalOptions) *cobra.Command {
	var format string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "df [flags]",
		Short: "Show the disk usage of images, containers and volumes, and what prune would free",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if verbose && format != "" {
				return usageErrorf("cannot combine --format and --verbose flags")
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			if verbose {
				return printDfVerbose(cmd, h)
			}
			usage, err := h.DiskUsage(cmd.Context())
			if err != nil {
				return err
			}
			rows := make([]any, 0, len(usage))
			for _, u := range usage {
				rows = append(rows, newDfRow(u))
			}
			return output{format: format, headers: dfHeaders,
				defaultTable: "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"}.write(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show each image, container and volume")
	return cmd
}

type dfImageRow struct {
	Repository, Tag, ID, Created, Size, SharedSize, UniqueSize string
	Containers                                                 int
}

type dfContainerRow struct {
	ContainerID, Image, Command string
	LocalVolumes                int
	Size, Created, Status       string
	Names                       string
}

type dfVolumeRow struct {
	VolumeName string
	Links      int
	Size       string
}

// printDfVerbose prints system df -v: a table each of the images, the
// containers and the volumes, as Podman does.
func printDfVerbose(cmd *cobra.Command, h *lifecycle.Host) error {
	w := cmd.OutOrStdout()
	now := time.Now()
	imgs, err := image.ImagesUsage(h.Store)
	if err != nil {
		return err
	}
	rows := make([]any, 0, len(imgs))
	for _, u := range imgs {
		rows = append(rows, dfImageRow{Repository: u.Repository, Tag: u.Tag, ID: container.ShortID(u.ID),
			Created: image.CreatedSince(u.Created, now), Size: image.HumanSize(u.Size),
			SharedSize: image.HumanSize(u.SharedSize), UniqueSize: image.HumanSize(u.UniqueSize), Containers: u.Containers})
	}
	fmt.Fprint(w, "Images space usage:\n\n")
	if err := (output{headers: map[string]string{".ID": "IMAGE ID", ".SharedSize": "SHARED SIZE", ".UniqueSize": "UNIQUE SIZE"},
		defaultTable: "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}"}).write(w, rows); err != nil {
		return err
	}
	ctrs, err := h.ContainersUsage(cmd.Context())
	if err != nil {
		return err
	}
	rows = rows[:0]
	for _, u := range ctrs {
		ps := newPsRow(u.Record, now, false)
		rows = append(rows, dfContainerRow{ContainerID: ps.ID, Image: ps.Image, Command: ps.Command, LocalVolumes: u.Volumes,
			Size: image.HumanSize(u.Size), Created: ps.RunningFor, Status: ps.Status, Names: ps.Names})
	}
	fmt.Fprint(w, "\nContainers space usage:\n\n")
	if err := (output{headers: map[string]string{".ContainerID": "CONTAINER ID", ".LocalVolumes": "LOCAL VOLUMES"},
		defaultTable: "{{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.Created}}\t{{.Status}}\t{{.Names}}"}).write(w, rows); err != nil {
		return err
	}
	vols, err := volumes.VolumesUsage(h.Store, volumes.New(h.Store.GraphRoot()))
	if err != nil {
		return err
	}
	rows = rows[:0]
	for _, u := range vols {
		rows = append(rows, dfVolumeRow{VolumeName: u.Name, Links: u.Links, Size: image.HumanSize(u.Size)})
	}
	fmt.Fprint(w, "\nLocal Volumes space usage:\n\n")
	return output{headers: map[string]string{".VolumeName": "VOLUME NAME"}, defaultTable: "{{.VolumeName}}\t{{.Links}}\t{{.Size}}"}.write(w, rows)
}

func newDfRow(u lifecycle.UsageRow) dfRow {
	pct := 0
	if u.Size > 0 {
		pct = int(u.Reclaimable * 100 / u.Size)
	}
	return dfRow{
		Type: u.Type, TotalCount: u.Total, Active: u.Active,
		Size:        units.HumanSize(float64(u.Size)),
		Reclaimable: fmt.Sprintf("%s (%d%%)", units.HumanSize(float64(u.Reclaimable)), pct),
	}
}
