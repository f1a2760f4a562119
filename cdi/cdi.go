// Package cdi reads Container Device Interface specs (the JSON or YAML
// files vendors install under /etc/cdi and /var/run/cdi) and resolves a
// fully qualified device name, vendor.com/class=name, into the edits a
// container gets: device nodes, environment variables and bind mounts.
// Hooks and the other edits are refused by name.
package cdi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Dirs are where specs are read, later ones overriding earlier ones.
var Dirs = []string{"/etc/cdi", "/var/run/cdi"}

// DeviceNode is a device node a device gives the container.
type DeviceNode struct {
	// Path is the node in the container; HostPath on the host (Path when
	// empty).
	Path        string `yaml:"path"`
	HostPath    string `yaml:"hostPath"`
	Permissions string `yaml:"permissions"`
}

// Mount is a bind mount a device gives the container.
type Mount struct {
	HostPath      string   `yaml:"hostPath"`
	ContainerPath string   `yaml:"containerPath"`
	Options       []string `yaml:"options"`
}

// Edits are what a spec or a device changes in a container.
type Edits struct {
	Env         []string     `yaml:"env"`
	DeviceNodes []DeviceNode `yaml:"deviceNodes"`
	Mounts      []Mount      `yaml:"mounts"`
	Hooks       []any        `yaml:"hooks"`
	IntelRdt    any          `yaml:"intelRdt"`
	Groups      []any        `yaml:"additionalGIDs"`
}

type device struct {
	Name  string `yaml:"name"`
	Edits Edits  `yaml:"containerEdits"`
}

type spec struct {
	Version string   `yaml:"cdiVersion"`
	Kind    string   `yaml:"kind"`
	Devices []device `yaml:"devices"`
	Edits   Edits    `yaml:"containerEdits"`
	file    string
}

var qualified = regexp.MustCompile(`^([a-zA-Z0-9][a-zA-Z0-9.-]*\.[a-zA-Z]+/[a-zA-Z0-9][a-zA-Z0-9_.-]*)=([a-zA-Z0-9][a-zA-Z0-9_.:-]*)$`)

// IsName reports whether s is a fully qualified CDI device name
// (vendor.com/class=name) rather than a device path.
func IsName(s string) bool { return qualified.MatchString(s) }

// Resolve finds the named devices in the specs under dirs and returns
// their edits, each spec's own edits once. A device named "all" that no
// spec defines selects every device of its kind.
func Resolve(dirs []string, names []string) (Edits, error) {
	var out Edits
	if len(names) == 0 {
		return out, nil
	}
	specs, err := load(dirs)
	if err != nil {
		return out, err
	}
	applied := map[*spec]bool{}
	for _, n := range names {
		m := qualified.FindStringSubmatch(n)
		if m == nil {
			return out, fmt.Errorf("CDI device %q: give vendor.com/class=name", n)
		}
		kind, name := m[1], m[2]
		s := specs[kind]
		if s == nil {
			return out, fmt.Errorf("CDI device %s: no spec of kind %s under %s", n, kind, strings.Join(dirs, " or "))
		}
		var picked []device
		for _, d := range s.Devices {
			if d.Name == name {
				picked = []device{d}
			}
		}
		if picked == nil && name == "all" {
			picked = s.Devices
		}
		if picked == nil {
			return out, fmt.Errorf("CDI device %s: %s has no device %s", n, s.file, name)
		}
		if !applied[s] {
			applied[s] = true
			if err := out.add(s.Edits, s.file); err != nil {
				return out, err
			}
		}
		for _, d := range picked {
			if err := out.add(d.Edits, s.file); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func (e *Edits) add(x Edits, file string) error {
	switch {
	case len(x.Hooks) > 0:
		return fmt.Errorf("CDI spec %s: hooks are not supported (pod runs no OCI hooks of others)", file)
	case x.IntelRdt != nil:
		return fmt.Errorf("CDI spec %s: intelRdt is not supported", file)
	case len(x.Groups) > 0:
		return fmt.Errorf("CDI spec %s: additionalGIDs are not supported: give --group-add", file)
	}
	e.Env = append(e.Env, x.Env...)
	for _, d := range x.DeviceNodes {
		if d.Path == "" || !filepath.IsAbs(d.Path) || (d.HostPath != "" && !filepath.IsAbs(d.HostPath)) {
			return fmt.Errorf("CDI spec %s: device node %q: paths must be absolute", file, d.Path)
		}
		if d.HostPath == "" {
			d.HostPath = d.Path
		}
		if d.Permissions == "" {
			d.Permissions = "rwm"
		}
		e.DeviceNodes = append(e.DeviceNodes, d)
	}
	for _, m := range x.Mounts {
		if !filepath.IsAbs(m.HostPath) || !filepath.IsAbs(m.ContainerPath) {
			return fmt.Errorf("CDI spec %s: mount %q: paths must be absolute", file, m.ContainerPath)
		}
		e.Mounts = append(e.Mounts, m)
	}
	return nil
}

// load reads every spec under dirs, by kind; a later directory's spec of
// a kind replaces an earlier one's.
func load(dirs []string) (map[string]*spec, error) {
	out := map[string]*spec{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, ent := range entries {
			ext := filepath.Ext(ent.Name())
			if ent.IsDir() || !slices.Contains([]string{".json", ".yaml", ".yml"}, ext) {
				continue
			}
			file := filepath.Join(dir, ent.Name())
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			s := &spec{file: file}
			if err := yaml.Unmarshal(b, s); err != nil {
				return nil, fmt.Errorf("CDI spec %s: %w", file, err)
			}
			if s.Version == "" || !strings.Contains(s.Kind, "/") {
				return nil, fmt.Errorf("CDI spec %s: cdiVersion and kind (vendor.com/class) are needed", file)
			}
			out[s.Kind] = s
		}
	}
	return out, nil
}
