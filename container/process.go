package container

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Ulimit is one --ulimit: a resource and its soft and hard limits (-1:
// unlimited).
type Ulimit struct {
	Name       string
	Soft, Hard int64
}

// ulimitNames are the resources --ulimit takes, as Docker names them.
var ulimitNames = map[string]string{
	"core": "RLIMIT_CORE", "cpu": "RLIMIT_CPU", "data": "RLIMIT_DATA", "fsize": "RLIMIT_FSIZE", "locks": "RLIMIT_LOCKS",
	"memlock": "RLIMIT_MEMLOCK", "msgqueue": "RLIMIT_MSGQUEUE", "nice": "RLIMIT_NICE", "nofile": "RLIMIT_NOFILE",
	"nproc": "RLIMIT_NPROC", "rss": "RLIMIT_RSS", "rtprio": "RLIMIT_RTPRIO", "rttime": "RLIMIT_RTTIME",
	"sigpending": "RLIMIT_SIGPENDING", "stack": "RLIMIT_STACK", "as": "RLIMIT_AS",
}

// HostUlimits is --ulimit host: every limit as pod's own process has it
// (Podman's: the container gets the caller's limits).
func HostUlimits() []Ulimit {
	res := map[string]int{
		"core": unix.RLIMIT_CORE, "cpu": unix.RLIMIT_CPU, "data": unix.RLIMIT_DATA, "fsize": unix.RLIMIT_FSIZE,
		"locks": unix.RLIMIT_LOCKS, "memlock": unix.RLIMIT_MEMLOCK, "msgqueue": unix.RLIMIT_MSGQUEUE,
		"nice": unix.RLIMIT_NICE, "nofile": unix.RLIMIT_NOFILE, "nproc": unix.RLIMIT_NPROC, "rss": unix.RLIMIT_RSS,
		"rtprio": unix.RLIMIT_RTPRIO, "rttime": unix.RLIMIT_RTTIME, "sigpending": unix.RLIMIT_SIGPENDING,
		"stack": unix.RLIMIT_STACK, "as": unix.RLIMIT_AS,
	}
	var out []Ulimit
	for _, name := range slices.Sorted(maps.Keys(res)) {
		var r unix.Rlimit
		if unix.Getrlimit(res[name], &r) != nil {
			continue
		}
		u := Ulimit{Name: name, Soft: int64(r.Cur), Hard: int64(r.Max)}
		if r.Cur == unix.RLIM_INFINITY {
			u.Soft = -1
		}
		if r.Max == unix.RLIM_INFINITY {
			u.Hard = -1
		}
		out = append(out, u)
	}
	return out
}

// ParseUlimit reads --ulimit NAME=SOFT[:HARD] (-1 or unlimited for no
// limit); the hard limit is the soft one when not given.
func ParseUlimit(s string) (Ulimit, error) {
	name, val, ok := strings.Cut(s, "=")
	if !ok || ulimitNames[name] == "" {
		return Ulimit{}, fmt.Errorf("--ulimit %q: NAME=SOFT[:HARD] with NAME one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack, as", s)
	}
	num := func(v string) (int64, error) {
		if v == "unlimited" || v == "-1" {
			return -1, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("--ulimit %q: %q is not a number (or unlimited)", s, v)
		}
		return n, nil
	}
	softS, hardS, hasHard := strings.Cut(val, ":")
	soft, err := num(softS)
	if err != nil {
		return Ulimit{}, err
	}
	hard := soft
	if hasHard {
		if hard, err = num(hardS); err != nil {
			return Ulimit{}, err
		}
	}
	if hard != -1 && (soft == -1 || soft > hard) {
		return Ulimit{}, fmt.Errorf("--ulimit %q: the soft limit is above the hard one", s)
	}
	return Ulimit{Name: name, Soft: soft, Hard: hard}, nil
}

// RlimitType is the OCI name of the resource (RLIMIT_NOFILE).
func (u Ulimit) RlimitType() string { return ulimitNames[u.Name] }

// namespacedSysctls are the sysctls a container's own namespaces hold
// (as Podman and Docker allow): IPC's, and the network's unless the
// container shares the host's network.
var namespacedSysctls = []string{"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
	"kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"}

// CheckSysctl refuses a --sysctl the container has no namespace of its
// own for.
func CheckSysctl(key, networkMode string) error {
	switch {
	case strings.HasPrefix(key, "net."):
		if networkMode == "host" {
			return fmt.Errorf("--sysctl %s: the container shares the host's network namespace, whose settings are the host's", key)
		}
		return nil
	case strings.HasPrefix(key, "fs.mqueue."):
		return nil
	}
	for _, k := range namespacedSysctls {
		if key == k {
			return nil
		}
	}
	return fmt.Errorf("--sysctl %s: not namespaced, so it would change the host: only net.*, fs.mqueue.* and the IPC kernel.* settings are a container's own", key)
}

// ParseUmask checks --umask: an octal mode up to 0777.
func ParseUmask(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("--umask %q: an octal mode such as 0022", s)
	}
	return uint32(n), nil
}
