package runtime

import (
	"fmt"
	"os"
	"strings"
)

// ProcCgroups reads /proc/PROC/cgroup (PROC a PID, or "self"): the cgroup
// v2 path under "" and each cgroup v1 controller's path under its name
// ("memory", "pids"...).
func ProcCgroups(proc string) (map[string]string, error) {
	b, err := os.ReadFile("/proc/" + proc + "/cgroup")
	if err != nil {
		return nil, err
	}
	return parseProcCgroups(string(b)), nil
}

func parseProcCgroups(text string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out
}

// UnifiedCgroup is the cgroup v2 path of /proc/PROC.
func UnifiedCgroup(proc string) (string, error) {
	cgs, err := ProcCgroups(proc)
	if err != nil {
		return "", err
	}
	p, ok := cgs[""]
	if !ok {
		return "", fmt.Errorf("no cgroup v2 entry in /proc/%s/cgroup", proc)
	}
	return p, nil
}
