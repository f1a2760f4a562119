package systemd

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/runtime"
)

// The checks of Quadlet values: each is the check pod run (or volume
// create) makes of its flag, so that a value run would refuse fails the
// generation of its unit with the file and line, not the service's start.

func checkHostName(v string) error { return container.CheckHostName("HostName", v) }
func checkWorkdir(v string) error  { return container.CheckWorkdir(v) }

func checkEnv(v string) error {
	_, err := container.ParseEnv([]string{v}, nil, func(string) (string, bool) { return "", false })
	return err
}

func checkLabel(v string) error {
	_, err := container.ParseLabels([]string{v})
	return err
}

func checkPort(v string) error {
	_, err := slirp.ParsePorts([]string{v})
	return err
}

func checkExpose(v string) error {
	_, err := slirp.ParseExpose([]string{v})
	return err
}

func checkDNS(v string) error {
	_, err := slirp.ParseDNS([]string{v})
	return err
}

func checkDNSSearch(v string) error {
	_, err := slirp.ParseDNSSearch([]string{v})
	return err
}

func checkDNSOption(v string) error {
	_, err := slirp.ParseDNSOptions([]string{v})
	return err
}

func checkAddHost(v string) error { return slirp.ParseExtraHosts([]string{v}) }

// checkNetwork accepts run's --network modes and a user-defined
// network's name (which must exist when the unit starts).
func checkNetwork(v string) error {
	if name, _, _ := strings.Cut(v, ":"); isNetworkName(name) {
		return nil
	}
	_, _, err := slirp.ParseMode(v)
	return err
}

// isNetworkName reports whether v names a network, not a mode of
// --network (the default network's own name counts).
func isNetworkName(v string) bool {
	return expanded(v) || network.IsName(v)
}

func checkVolume(v string) error {
	_, err := container.ParseVolume(v)
	return err
}

func checkMount(v string) error {
	_, err := container.ParseMount(v)
	return err
}

func checkTmpfs(v string) error {
	_, err := container.ParseTmpfs(v)
	return err
}

func checkCapability(v string) error {
	_, err := runtime.Capabilities([]string{v}, nil, false)
	return err
}

func checkSecurityOpt(v string) error {
	_, err := runtime.ParseSecurityOpts([]string{v})
	return err
}

func checkSignal(v string) error {
	_, err := container.ParseSignal(v)
	return err
}

func checkPull(v string) error {
	_, err := image.ParsePullPolicy(v)
	return err
}

func checkLogs(driver string, opts []string) error {
	_, err := container.ParseLogConfig(driver, opts)
	return err
}

// checkDuration checks a duration as run's --health-* and --retry-delay
// read it (Go's form: 30s, 1m30s).
func checkDuration(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a duration (use a form such as 30s or 1m30s)", v)
	}
	return nil
}

// checkCount checks a whole number >= 0.
func checkCount(v string) error {
	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return fmt.Errorf("%q is not a number >= 0", v)
	}
	return nil
}

func checkStopTimeout(v string) error {
	if _, err := strconv.Atoi(v); err != nil {
		return fmt.Errorf("%q is not a number of seconds", v)
	}
	return nil
}

func checkHealthOnFailure(v string) error {
	if !slices.Contains(container.HealthOnFailureActions, v) {
		return fmt.Errorf("%q: use %s", v, strings.Join(container.HealthOnFailureActions, ", "))
	}
	return nil
}

// checkHealthCmd checks a health command as run reads --health-cmd: a
// command line, none, or a JSON array.
func checkHealthCmd(v string) error {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return errors.New("give a command")
	case strings.HasPrefix(v, "["):
		var argv []string
		if err := json.Unmarshal([]byte(v), &argv); err != nil || len(argv) == 0 {
			return fmt.Errorf("%s: not a JSON array of strings", v)
		}
	}
	return nil
}
