package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/secrets"
	"github.com/pod-project/pod/volumes"
)

// A namer lists the names of one kind of object for shell completion.
type namer func(g *globalOptions) []string

func containerNames(g *globalOptions) []string {
	h, err := g.host()
	if err != nil {
		return nil
	}
	recs, _ := container.List(h.Store)
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Config.Name)
	}
	return out
}

func imageNames(g *globalOptions) []string {
	st, err := g.store()
	if err != nil {
		return nil
	}
	imgs, _ := st.Images()
	var out []string
	for _, img := range imgs {
		out = append(out, img.Names...)
	}
	return out
}

func volumeNames(g *globalOptions) []string {
	st, err := g.store()
	if err != nil {
		return nil
	}
	vols, _ := volumes.New(st.GraphRoot()).List()
	out := make([]string, 0, len(vols))
	for _, v := range vols {
		out = append(out, v.Name)
	}
	return out
}

func networkNames(g *globalOptions) []string {
	h, err := g.host()
	if err != nil {
		return nil
	}
	nets, _ := h.Networks().List()
	out := make([]string, 0, len(nets))
	for _, n := range nets {
		out = append(out, n.Name)
	}
	return out
}

func secretNames(g *globalOptions) []string {
	st, err := g.store()
	if err != nil {
		return nil
	}
	list, _, _ := secrets.New(st.GraphRoot()).List()
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, s.Spec.Name)
	}
	return out
}

// completeArgs completes every argument with the names first gives, or
// only the first with first and the rest with rest (nil: no more).
func completeArgs(g *globalOptions, first, rest namer) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		n := first
		if len(args) > 0 {
			n = rest
		}
		if n == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return matching(sortedNames(n)(g), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// matching are the names that start with prefix, sorted (values of
// flags keep their order).
func matching(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func sortedNames(n namer) namer {
	return func(g *globalOptions) []string {
		names := n(g)
		slices.Sort(names)
		return names
	}
}

func fixed(values ...string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return matching(values, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// argCompletions say what each command's arguments name, by command path
// without "pod " ("container " commands take their top-level twin's).
var argCompletions = map[string][2]namer{
	"attach": {containerNames}, "commit": {containerNames, nil}, "diff": {containerNames}, "exec": {containerNames, nil},
	"export": {containerNames, nil}, "inspect": {containerNames, containerNames}, "kill": {containerNames, containerNames},
	"logs": {containerNames, containerNames}, "mount": {containerNames, containerNames}, "pause": {containerNames, containerNames},
	"port": {containerNames, nil}, "rename": {containerNames, nil}, "restart": {containerNames, containerNames},
	"rm": {containerNames, containerNames}, "start": {containerNames, containerNames}, "stats": {containerNames, containerNames},
	"stop": {containerNames, containerNames}, "top": {containerNames, nil}, "umount": {containerNames, containerNames},
	"unpause": {containerNames, containerNames}, "update": {containerNames, containerNames}, "wait": {containerNames, containerNames},
	"exists": {containerNames, nil}, "healthcheck run": {containerNames, nil}, "generate systemd": {containerNames, nil},
	"run": {imageNames, nil}, "create": {imageNames, nil}, "rmi": {imageNames, imageNames}, "history": {imageNames, nil},
	"tag": {imageNames, nil}, "untag": {imageNames, nil}, "push": {imageNames, nil}, "save": {imageNames, imageNames},
	"image inspect": {imageNames, imageNames}, "image exists": {imageNames, nil}, "image rm": {imageNames, imageNames},
	"volume inspect": {volumeNames, volumeNames}, "volume rm": {volumeNames, volumeNames}, "volume exists": {volumeNames, nil},
	"volume export": {volumeNames, nil}, "volume import": {volumeNames, nil}, "volume mount": {volumeNames, nil}, "volume unmount": {volumeNames, nil},
	"network inspect": {networkNames, networkNames}, "network rm": {networkNames, networkNames}, "network exists": {networkNames, nil},
	"network connect": {networkNames, containerNames}, "network disconnect": {networkNames, containerNames}, "network reload": {containerNames, containerNames},
	"secret inspect": {secretNames, secretNames}, "secret rm": {secretNames, secretNames},
}

// flagCompletions complete flag values, wherever the flag is.
func flagCompletions(g *globalOptions) map[string]cobra.CompletionFunc {
	names := func(n namer) cobra.CompletionFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return matching(sortedNames(n)(g), toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	return map[string]cobra.CompletionFunc{
		"network": func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return matching(append([]string{"bridge", "host", "none", "pasta", "slirp4netns", "container:", "ns:"}, networkNames(g)...), toComplete), cobra.ShellCompDirectiveNoFileComp
		},
		"secret":            names(secretNames),
		"volumes-from":      names(containerNames),
		"from":              names(imageNames),
		"restart":           fixed("no", "always", "unless-stopped", "on-failure"),
		"pull":              fixed("always", "missing", "never", "newer"),
		"log-driver":        fixed("k8s-file", "json-file", "none", "passthrough"),
		"sdnotify":          fixed("container", "conmon", "healthy", "ignore"),
		"cgroups":           fixed("enabled", "disabled", "no-conmon", "split"),
		"events-backend":    fixed("file", "none"),
		"cgroup-manager":    fixed("cgroupfs"),
		"runtime":           fixed("crun", "runc"),
		"storage-driver":    fixed("overlay", "fuse-overlayfs", "vfs"),
		"log-level":         fixed("debug", "info", "warn", "error"),
		"isolation":         fixed("oci", "rootless"),
		"health-on-failure": fixed("none", "kill", "restart", "stop"),
	}
}

// addCompletions gives the commands of the tree their argument and flag
// value completions.
func addCompletions(root *cobra.Command, g *globalOptions) {
	flags := flagCompletions(g)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), root.Name()+" "), "container ")
		if n, ok := argCompletions[path]; ok && c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
			c.ValidArgsFunction = completeArgs(g, n[0], n[1])
		}
		for name, f := range flags {
			fl := c.LocalNonPersistentFlags().Lookup(name)
			if c == root {
				fl = c.PersistentFlags().Lookup(name)
			}
			if fl != nil {
				_ = c.RegisterFlagCompletionFunc(name, f)
			}
		}
	}
	walk(root)
}
