package runtime

import "strings"

// Handle is what another pod process needs to use a runtime that was found
// and probed already: the monitor gets it from the CLI and skips the probe.
type Handle struct {
	Name       string   `json:"name"`
	Path       string   `json:"path"`
	Version    string   `json:"version,omitempty"`
	StateRoot  string   `json:"stateRoot"`
	GlobalArgs []string `json:"globalArgs,omitempty"`
}

// Handle describes r for another process.
func (r *Runtime) Handle() Handle {
	return Handle{Name: r.Name, Path: r.Path, Version: r.Version, StateRoot: r.StateRoot, GlobalArgs: r.globalArgs}
}

// FromHandle is the runtime a Handle describes, unprobed.
func FromHandle(h Handle) *Runtime {
	return &Runtime{Name: h.Name, Path: h.Path, Version: h.Version, StateRoot: h.StateRoot, globalArgs: h.GlobalArgs}
}

// AddGlobalFlags adds --runtime-flag's flags (given without their dashes,
// as Podman takes them) to every call of the runtime, the monitors' too.
func (r *Runtime) AddGlobalFlags(flags []string) {
	for _, f := range flags {
		if !strings.HasPrefix(f, "-") {
			f = "--" + f
		}
		r.globalArgs = append(r.globalArgs, f)
	}
}
