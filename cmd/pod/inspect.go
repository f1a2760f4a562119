package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
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
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if typ != "" {
				kind = inspectKind(typ)
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			var items []any
			failed := 0
			for _, a := range args {
				item, err := inspectOne(cmd, g, kind, a)
				if err != nil {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", err)
					continue
				}
				items = append(items, item)
			}
			_ = st
			w := cmd.OutOrStdout()
			if format == "" || format == "json" {
				if items == nil {
					items = []any{}
				}
				if err := writeJSON(w, items); err != nil {
					return err
				}
			} else if err := (output{format: format}).write(w, items); err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 125, err: fmt.Errorf("%d of %d objects not found", failed, len(args))}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	if kind == "" {
		cmd.Flags().StringVar(&typ, "type", "", "only look for this kind: container or image")
	}
	return cmd
}

func inspectOne(cmd *cobra.Command, g *globalOptions, kind inspectKind, name string) (any, error) {
	st, _ := g.store()
	if kind == "" || kind == "container" {
		r, err := g.loadContainer(cmd.Context(), name)
		if err == nil {
			return r.Inspect(g.driver), nil
		}
		if kind == "container" || !errors.Is(err, container.ErrNoSuchContainer) {
			return nil, err
		}
	}
	d, err := image.Inspect(cmd.Context(), st, name)
	if err != nil {
		if kind == "" && errors.Is(err, image.ErrNoSuchImage) {
			return nil, fmt.Errorf("no such object: %q: it is neither a container nor an image", name)
		}
		return nil, err
	}
	return d, nil
}
