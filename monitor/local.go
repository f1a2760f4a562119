package monitor

import (
	"os"

	"golang.org/x/term"

	"github.com/pod-project/pod/container"
)

// runsInForeground says whether an attached run does the monitor's work
// in the CLI process instead of a monitor of its own: when nothing has to
// outlive the CLI (no restart policy, no health check). A monitor process
// costs the start-up of the pod binary (about 10 ms of CPU: the package
// initialisation of a large binary), which a foreground run is spared; its
// container lives as long as the CLI (docs/design.md).
func runsInForeground(cfg *container.Config, img *container.ImageConfig) bool {
	p, err := ParseRestartPolicy(cfg.RestartPolicy)
	if err != nil || p.Name != RestartNo {
		return false
	}
	return EffectiveHealth(cfg, img) == nil && os.Getenv("POD_FOREGROUND_MONITOR") == ""
}

// newLocalMonitor is the monitor's state for a foreground run in the CLI:
// the CLI's own stdio and signals, and the CLI's cleanup.
func newLocalMonitor(rec *container.Record, cfg roleConfig, o StartOptions, sigs chan os.Signal) *monitor {
	cfg.Attached = false
	m := &monitor{cfg: cfg, rec: rec, rt: o.Runtime, sigs: sigs, cliCleans: true}
	s := o.Stdio
	// A container reading the user's terminal must stay in its foreground
	// process group; otherwise it gets its own, and terminal signals
	// reach it only through pod (once, not twice).
	m.sharedGroup = !rec.Config.Tty && rec.Config.Interactive && term.IsTerminal(int(s.Stdin.Fd()))
	m.setup([3]*os.File{s.Stdin, s.Stdout, s.Stderr})
	return m
}

// waitLocal runs the container in this process to its exit.
func (h *Handle) waitLocal() (int, error) {
	m := h.local
	m.run()
	if m.startErr != nil {
		h.cleanup()
		return 0, m.startErr
	}
	h.cleanup()
	return m.lastCode, nil
}
