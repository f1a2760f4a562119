package systemd

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// This file reads Quadlet-format files (Podman's podman-systemd.unit(5))
// and turns each into a service unit that runs pod. A file that cannot be
// turned into a unit that does what it says makes no unit and an error
// naming its file, line and key; the others are generated all the same.

// The Quadlet file kinds, by extension; pod generates units from the
// first three and refuses the others with a reason.
const (
	extContainer = ".container"
	extVolume    = ".volume"
	extImage     = ".image"
	extNetwork   = ".network"
	extKube      = ".kube"
	extPod       = ".pod"
	extBuild     = ".build"
	extArtifact  = ".artifact"
)

// quadletExts are the extensions read, with the suffix of their service
// unit's name (web.volume → web-volume.service).
var quadletExts = map[string]string{
	extContainer: "", extVolume: "-volume", extImage: "-image", extNetwork: "-network",
	extKube: "", extPod: "-pod", extBuild: "-build", extArtifact: "-artifact",
}

// QuadletOptions say how Quadlet-format files become units.
type QuadletOptions struct {
	// Pod is the absolute path of the pod binary the units run.
	Pod string
	// User makes units for a user's service manager (rootless pod); else
	// for the system's.
	User bool
	// HasFlag says whether pod's command ("run", "image pull", "volume
	// create") has a flag (without dashes); nil means every flag exists.
	// A key whose flag pod lacks fails its unit.
	HasFlag func(command, flag string) bool
}

func (o QuadletOptions) hasFlag(cmd, flag string) bool {
	return o.HasFlag == nil || o.HasFlag(cmd, flag)
}

// Generated is one unit made from a Quadlet file.
type Generated struct {
	// Name is the unit's file name ("web.service").
	Name string
	// Source is the path of the Quadlet file.
	Source string
	Unit   *Unit
}

// SourceError is why a Quadlet file made no unit: its path, and the line
// and key at fault when there is one.
type SourceError struct {
	Path string
	Line int
	Key  string
	Err  error
}

func (e *SourceError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s=: %v", where, e.Key, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

func (e *SourceError) Unwrap() error { return e.Err }

// LoadQuadlets reads the Quadlet-format files of dirs, in order: a file
// name found in an earlier directory hides the same name in later ones.
// Each file's drop-ins (NAME.d/*.conf and KIND.d/*.conf, e.g.
// web.container.d/ and container.d/, in any of dirs) are merged into it,
// in the order of their names. Files that cannot be read or parsed are
// returned as errors; the others are loaded.
func LoadQuadlets(dirs []string) ([]*Unit, []error) {
	var units []*Unit
	var errs []error
	seen := map[string]bool{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if _, ok := quadletExts[filepath.Ext(name)]; !ok || seen[name] || strings.HasPrefix(name, ".") {
				continue
			}
			if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
				continue
			}
			seen[name] = true
			u, err := ReadUnit(filepath.Join(dir, name))
			if err == nil {
				err = mergeDropIns(u, dirs)
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			units = append(units, u)
		}
	}
	return units, errs
}

// mergeDropIns merges the .conf files of u's drop-in directories: a name
// in a more specific directory (web.container.d) hides the same name in
// container.d, and an earlier source directory hides a later one.
func mergeDropIns(u *Unit, dirs []string) error {
	name := u.Name()
	kind := strings.TrimPrefix(filepath.Ext(name), ".")
	found := map[string]string{}
	for _, sub := range []string{name + ".d", kind + ".d"} {
		for _, dir := range dirs {
			entries, err := os.ReadDir(filepath.Join(dir, sub))
			if err != nil {
				continue
			}
			for _, e := range entries {
				if filepath.Ext(e.Name()) != ".conf" || found[e.Name()] != "" {
					continue
				}
				found[e.Name()] = filepath.Join(dir, sub, e.Name())
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(found)) {
		d, err := ReadUnit(found[k])
		if err != nil {
			return err
		}
		u.Merge(d)
	}
	return nil
}

// unitInfo is what other files need to know of a Quadlet file: the name
// of its service and of what it makes (container, volume, image).
type unitInfo struct {
	service  string
	resource string
}

// quadletInfo names the services and resources of every file, so that a
// file can refer to another (Volume=data.volume:/d, After=db.container).
func quadletInfo(units []*Unit) map[string]*unitInfo {
	info := map[string]*unitInfo{}
	for _, u := range units {
		name := u.Name()
		ext := filepath.Ext(name)
		base := strings.TrimSuffix(name, ext)
		i := &unitInfo{service: base + quadletExts[ext]}
		group := quadletGroup(ext)
		if e, ok := u.Last(group, "ServiceName"); ok && e.Value != "" {
			i.service = unquoted(e.Value)
		}
		switch ext {
		case extContainer:
			i.resource = containerName(u)
			if !strings.Contains(base, "@") {
				i.resource = strings.ReplaceAll(i.resource, "%N", i.service)
			}
		case extVolume:
			i.resource = resourceName(u, group, "VolumeName")
		case extNetwork:
			i.resource = resourceName(u, group, "NetworkName")
		case extImage:
			i.resource = lastValue(u, group, "ImageTag")
			if i.resource == "" {
				i.resource = lastValue(u, group, "Image")
			}
		}
		info[name] = i
	}
	return info
}

// quadletGroup is the section a kind of file keeps its keys in.
func quadletGroup(ext string) string {
	g := strings.TrimPrefix(ext, ".")
	return strings.ToUpper(g[:1]) + g[1:]
}

// containerName is the container's name: ContainerName=, else
// systemd-%N (systemd-%p_%i for a template), as Quadlet names it.
func containerName(u *Unit) string {
	if n := lastValue(u, "Container", "ContainerName"); n != "" {
		return n
	}
	if strings.Contains(u.Name(), "@") {
		return "systemd-%p_%i"
	}
	return "systemd-%N"
}

// resourceName is a volume's or network's name: the key's value, else
// systemd-BASE (systemd-BASE-%i for a template).
func resourceName(u *Unit, group, key string) string {
	if n := lastValue(u, group, key); n != "" {
		return n
	}
	base := strings.TrimSuffix(u.Name(), filepath.Ext(u.Name()))
	if b, ok := strings.CutSuffix(base, "@"); ok {
		return "systemd-" + b + "-%i"
	}
	if b, _, ok := strings.Cut(base, "@"); ok {
		return "systemd-" + b + "-%i"
	}
	return "systemd-" + base
}

func lastValue(u *Unit, group, key string) string {
	e, _ := u.Last(group, key)
	return unquoted(e.Value)
}

// unquoted drops one pair of double quotes around a whole value, as
// Quadlet reads single values.
func unquoted(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// ConvertQuadlets turns the loaded Quadlet files into units, in the
// order of their names. Files that make no unit are returned as
// *SourceError values.
func ConvertQuadlets(units []*Unit, o QuadletOptions) ([]Generated, []error) {
	units = slices.Clone(units)
	slices.SortFunc(units, func(a, b *Unit) int { return strings.Compare(a.Name(), b.Name()) })
	info := quadletInfo(units)
	var out []Generated
	var errs []error
	for _, u := range units {
		c := &converter{src: u, info: info, o: o, self: info[u.Name()]}
		svc, err := c.convert()
		if err != nil {
			var se *SourceError
			if !errors.As(err, &se) {
				err = &SourceError{Path: u.Path, Err: err}
			}
			errs = append(errs, err)
			continue
		}
		out = append(out, Generated{Name: c.self.service + ".service", Source: u.Path, Unit: svc})
	}
	return out, errs
}
