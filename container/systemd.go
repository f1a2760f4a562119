package container

import "path/filepath"

// The --systemd values; "" is true, the default.
const (
	SystemdAlways = "always"
	SystemdFalse  = "false"
)

// initCommands are the commands that make a container a systemd one with
// --systemd=true (as Podman decides).
var initCommands = map[string]bool{"/sbin/init": true, "/usr/sbin/init": true, "/usr/local/sbin/init": true}

// SystemdMode reports whether cfg's container runs systemd as its init and
// gets what systemd needs (tmpfs on /run, /run/lock, /tmp and
// /var/log/journal, a writable cgroup, a machine ID, SIGRTMIN+3 to stop):
// always with --systemd=always, never with false, and with true when its
// command (resolved at create) is an init or systemd.
func SystemdMode(cfg *Config) bool {
	switch cfg.Systemd {
	case SystemdAlways:
		return true
	case SystemdFalse:
		return false
	}
	if len(cfg.Command) == 0 {
		return false
	}
	return initCommands[cfg.Command[0]] || filepath.Base(cfg.Command[0]) == "systemd"
}

// SystemdStopSignal is how systemd is asked to shut down.
const SystemdStopSignal = "SIGRTMIN+3"

// The labels pod auto-update reads, as Podman names them: the policy
// (registry or local), and the systemd unit that runs the container (set
// at create from $PODMAN_SYSTEMD_UNIT or $POD_SYSTEMD_UNIT, which the
// units pod writes set).
const (
	AutoUpdateLabel = "io.containers.autoupdate"
	UnitLabel       = "PODMAN_SYSTEMD_UNIT"
)
