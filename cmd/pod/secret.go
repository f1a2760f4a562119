package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/secrets"
)

// newSecretCommand groups the secret commands.
func newSecretCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Manage secrets",
		Long: "Manage secrets: data given to containers with run --secret, at /run/secrets/NAME or in an\n" +
			"environment variable, and kept out of images and container records.",
	}
	cmd.AddCommand(
		newSecretCreateCommand(g),
		newSecretLsCommand(g),
		newSecretInspectCommand(g),
		newSecretRmCommand(g),
	)
	return cmd
}

// secretStore opens the storage and returns the secrets next to it.
func (g *globalOptions) secretStore() (*secrets.Store, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	return secrets.New(st.GraphRoot()), nil
}

func newSecretCreateCommand(g *globalOptions) *cobra.Command {
	var driver string
	var driverOpts map[string]string
	var fromEnv bool
	var labels []string
	cmd := &cobra.Command{
		Use:   "create [flags] NAME FILE|-",
		Short: "Create a secret from a file, standard input (-) or, with --env, an environment variable",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, src := args[0], args[1]
			if err := secrets.CheckName(name); err != nil {
				return usageErrorf("%v", err)
			}
			l, err := container.ParseLabels(labels)
			if err != nil {
				return usageErrorf("--label: %v", err)
			}
			data, err := secretData(cmd.InOrStdin(), src, fromEnv)
			if err != nil {
				return err
			}
			ss, err := g.secretStore()
			if err != nil {
				return err
			}
			s, err := ss.Create(name, data, secrets.CreateOptions{Driver: driver, DriverOpts: driverOpts, Labels: l})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), s.ID)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&driver, "driver", "d", "file", "where the data is kept: file (pod's store)")
	fl.StringToStringVar(&driverOpts, "driver-opts", nil, "options of the driver (the file driver takes none)")
	fl.BoolVar(&fromEnv, "env", false, "read the data from the environment variable named by the second argument")
	fl.StringArrayVarP(&labels, "label", "l", nil, "set a label on the secret: KEY=VALUE")
	return cmd
}

// secretData reads a secret's data: a file, standard input ("-") or an
// environment variable; more than secrets.MaxSize is refused before it is
// all read.
func secretData(stdin io.Reader, src string, fromEnv bool) ([]byte, error) {
	if fromEnv {
		v, ok := os.LookupEnv(src)
		if !ok {
			return nil, usageErrorf("--env: the environment variable %s is not set", src)
		}
		return []byte(v), nil
	}
	r := stdin
	if src != "-" {
		f, err := os.Open(src)
		if err != nil {
			return nil, usageErrorf("reading the secret: %v", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, usageErrorf("reading the secret: %s is a directory: give a file", src)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, secrets.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the secret: %w", err)
	}
	return data, nil
}

// secretRow is one line of pod secret ls; --format templates name its
// fields.
type secretRow struct {
	ID, Name, Driver     string
	CreatedAt, UpdatedAt string
	Labels               map[string]string
}

var secretHeaders = map[string]string{".ID": "ID", ".Name": "NAME", ".Driver": "DRIVER", ".CreatedAt": "CREATED", ".UpdatedAt": "UPDATED"}

func newSecretLsCommand(g *globalOptions) *cobra.Command {
	var quiet, noHeading bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [flags]",
		Aliases: []string{"list"},
		Short:   "List secrets",
		Long:    "List secrets by name. Filters: name=NAME, id=ID (a prefix of it), label=KEY[=VALUE].",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			keep, err := secretFilter(filters)
			if err != nil {
				return err
			}
			ss, err := g.secretStore()
			if err != nil {
				return err
			}
			list, damaged, err := ss.List()
			if err != nil {
				return err
			}
			for _, d := range damaged {
				logrus.Warn(d)
			}
			now := time.Now()
			rows := make([]any, 0, len(list))
			w := cmd.OutOrStdout()
			for _, s := range list {
				if !keep(s) {
					continue
				}
				if quiet {
					fmt.Fprintln(w, s.ID)
					continue
				}
				rows = append(rows, secretRow{
					ID: s.ID, Name: s.Spec.Name, Driver: s.Spec.Driver.Name, Labels: s.Spec.Labels,
					CreatedAt: units.HumanDuration(now.Sub(s.CreatedAt)) + " ago", UpdatedAt: units.HumanDuration(now.Sub(s.UpdatedAt)) + " ago",
				})
			}
			if quiet {
				return nil
			}
			return output{format: format, headers: secretHeaders, defaultTable: `{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}`, noHeading: noHeading}.write(w, rows)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&noHeading, "noheading", false, "do not print the header row")
	fl.BoolVarP(&quiet, "quiet", "q", false, "only show secret IDs")
	fl.StringVar(&format, "format", "", "format the output: table, table TEMPLATE, json, or a Go template")
	fl.StringSliceVarP(&filters, "filter", "f", nil, "filter output (name=, id=, label=)")
	return cmd
}

// secretFilter is the test of pod secret ls --filter: the values of one
// key are alternatives, different keys must all match.
func secretFilter(filters []string) (func(*secrets.Secret) bool, error) {
	by := map[string][]string{}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case !ok:
			return nil, usageErrorf("--filter %q: use KEY=VALUE (name, id, label)", f)
		case k != "name" && k != "id" && k != "label":
			return nil, usageErrorf("--filter %q: unknown key %s (name, id, label)", f, k)
		}
		by[k] = append(by[k], v)
	}
	match := func(s *secrets.Secret, k, v string) bool {
		switch k {
		case "name":
			return s.Spec.Name == v
		case "id":
			return strings.HasPrefix(s.ID, v)
		}
		lk, lv, withValue := strings.Cut(v, "=")
		got, ok := s.Spec.Labels[lk]
		return ok && (!withValue || got == lv)
	}
	return func(s *secrets.Secret) bool {
		for k, vs := range by {
			any := false
			for _, v := range vs {
				any = any || match(s, k, v)
			}
			if !any {
				return false
			}
		}
		return true
	}, nil
}

func newSecretInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	var pretty bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] SECRET [SECRET...]",
		Short: "Show details of secrets (never their data)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ss, err := g.secretStore()
			if err != nil {
				return err
			}
			items, err := collectTargets(cmd, args, func(ref string) (any, error) { return ss.Get(ref) })
			if pretty && format == "" {
				w := cmd.OutOrStdout()
				for i, it := range items {
					if i > 0 {
						fmt.Fprintln(w)
					}
					writeSecretPretty(w, it.(*secrets.Secret))
				}
				return err
			}
			return printInspect(cmd, format, items, err)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	cmd.Flags().BoolVar(&pretty, "pretty", false, "print the details for people, not as JSON")
	return cmd
}

func writeSecretPretty(w io.Writer, s *secrets.Secret) {
	fmt.Fprintf(w, "ID:\t\t%s\nName:\t\t%s\n", s.ID, s.Spec.Name)
	if len(s.Spec.Labels) > 0 {
		fmt.Fprintln(w, "Labels:")
		for _, k := range slices.Sorted(maps.Keys(s.Spec.Labels)) {
			fmt.Fprintf(w, " - %s=%s\n", k, s.Spec.Labels[k])
		}
	}
	fmt.Fprintf(w, "Driver:\t\t%s\nCreated at:\t%s\nUpdated at:\t%s\n", s.Spec.Driver.Name, s.CreatedAt, s.UpdatedAt)
}

func newSecretRmCommand(g *globalOptions) *cobra.Command {
	var all, ignore bool
	cmd := &cobra.Command{
		Use:     "rm [flags] SECRET [SECRET...]",
		Aliases: []string{"remove"},
		Short:   "Remove secrets (one a container uses is refused, naming the container)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod secret rm needs at least one secret (or --all)")
			}
			if len(args) > 0 && all {
				return usageErrorf("pod secret rm: give secrets or --all, not both")
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			ss := secrets.New(h.Store.GraphRoot())
			if all {
				list, damaged, err := ss.List()
				if err != nil {
					return err
				}
				for _, s := range list {
					args = append(args, s.ID)
				}
				for _, d := range damaged {
					logrus.Warn(d)
				}
			}
			return eachTarget(cmd, args, func(ref string) (string, error) {
				id, err := ss.Remove(ref, h.SecretInUse)
				if ignore && errors.Is(err, secrets.ErrNoSuchSecret) {
					return "", nil
				}
				return id, err
			})
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all secrets")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore secrets that do not exist")
	return cmd
}
