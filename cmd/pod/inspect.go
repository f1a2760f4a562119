package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/lifecycle"
)

// inspectKind limits what `inspect` looks for: "" both, or one kind.
type inspectKind string

func newInspectCommand(g *globalOptions) *cobra.Command {
	return newInspectCommandOf(g, "", "inspect [flags] NAME|ID [NAME|ID...]", "Show details of containers or images")
}

func newContainerInspectCommand(g *globalOptions) *cobra.Command {
	return newInspectCommandOf(g, "container", "inspect [flags] CONTAINER [CONTAINER...]", "Show details of containers")
}

func newInspectCommandOf(g *globalOptions, kind inspectKind, use, short string) *cobra.Command {
	var format, typ string
	var size bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if typ != "" {
				kind = inspectKind(typ)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			items, err := collectTargets(cmd, args, func(name string) (any, error) {
				return inspectOne(cmd, h, kind, name, size)
			})
			return printInspect(cmd, format, items, err)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	if kind == "" {
		cmd.Flags().StringVar(&typ, "type", "", "only look for this kind: container or image")
	}
	if kind != "image" {
		cmd.Flags().BoolVarP(&size, "size", "s", false, "add the container's sizes (SizeRw, SizeRootFs)")
	}
	return cmd
}

func inspectOne(cmd *cobra.Command, h *lifecycle.Host, kind inspectKind, name string, size bool) (any, error) {
	if kind == "" || kind == "container" {
		r, err := h.Load(cmd.Context(), name)
		if err == nil {
			d := r.Inspect(h.Driver)
			d.Config.Env = h.Environment(r)
			if size {
				rw, virtual, err := container.Size(h.Store, r)
				if err != nil {
					return nil, err
				}
				d.SizeRw, d.SizeRootFs = &rw, &virtual
			}
			return d, nil
		}
		if kind == "container" || !errors.Is(err, container.ErrNoSuchContainer) {
			return nil, err
		}
	}
	d, err := image.Inspect(cmd.Context(), h.Store, name)
	if err != nil {
		if kind == "" && errors.Is(err, image.ErrNoSuchImage) {
			return nil, fmt.Errorf("no such object: %q: it is neither a container nor an image", name)
		}
		return nil, err
	}
	return d, nil
}

// printInspect prints the inspected items as a JSON array or through a
// template, then returns failed, what collecting them failed with.
func printInspect(cmd *cobra.Command, format string, items []any, failed error) error {
	w := cmd.OutOrStdout()
	var err error
	if format == "" || format == "json" {
		err = writeJSON(w, items)
	} else {
		err = output{format: format}.write(w, items)
	}
	if err != nil {
		return err
	}
	return failed
}
