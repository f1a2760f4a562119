package userns

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Environment variables of pod's own roles and of the re-exec into the
// namespace. The _CONTAINERS_* pair tells go.podman.io/storage and image
// that they already run in the rootless user namespace, and as whom.
const (
	RoleEnv   = "POD_ROLE"
	RolePause = "pause"
	RoleProbe = "probe"

	joinedEnv     = "_POD_JOINED"
	joinedPIDEnv  = "_POD_JOINED_PID"
	hostUIDEnv    = "_POD_HOST_UID"
	hostGIDEnv    = "_POD_HOST_GID"
	runtimeDirEnv = "_POD_RUNTIME_DIR"
	cwdEnv        = "_POD_CWD"
	argv0Env      = "_POD_ARGV0"
	usernsConfEnv = "_CONTAINERS_USERNS_CONFIGURED"
	rootlessUID   = "_CONTAINERS_ROOTLESS_UID"
)

// Mode is decided once per call: rootless or not, and whether this process
// already runs inside the user namespace.
type Mode struct {
	Rootless bool
	// Joined: this process runs inside pod's user namespace (uid 0 there).
	Joined bool
	// CalledInside: it was started there, by a process already inside
	// (pod unshare's shell, a monitor), rather than re-executed into it
	// by Enter on this call.
	CalledInside bool
	// HostUID and HostGID are the user's ids on the host.
	HostUID, HostGID int
	// UserName is the host user's login name ("" if unknown).
	UserName string
	// Home is the user's home directory.
	Home string
	// RuntimeDir holds the pause PID file and locks ($XDG_RUNTIME_DIR/pod,
	// or /tmp/pod-UID; /run/pod as root).
	RuntimeDir string
}

// Detect decides the mode of this call. Inside the namespace it also moves
// back to the directory the user called pod from.
func Detect() (Mode, error) {
	m := Mode{HostUID: os.Getuid(), HostGID: os.Getgid(), Home: os.Getenv("HOME")}
	if os.Getenv(joinedEnv) == "1" {
		m.Joined = true
		m.Rootless = true
		m.HostUID, _ = strconv.Atoi(os.Getenv(hostUIDEnv))
		m.HostGID, _ = strconv.Atoi(os.Getenv(hostGIDEnv))
		m.RuntimeDir = os.Getenv(runtimeDirEnv)
		// nsenter keeps the PID: the process Enter re-executed has the
		// PID it recorded; one started inside inherited another's.
		m.CalledInside = os.Getenv(joinedPIDEnv) != strconv.Itoa(os.Getpid())
		if d := os.Getenv(cwdEnv); d != "" && !m.CalledInside {
			_ = os.Chdir(d)
		}
	} else {
		m.Rootless = m.HostUID != 0
	}
	if u, err := user.LookupId(strconv.Itoa(m.HostUID)); err == nil {
		m.UserName = u.Username
		if m.Home == "" {
			m.Home = u.HomeDir
		}
	}
	if m.RuntimeDir != "" {
		return m, nil
	}
	if !m.Rootless {
		m.RuntimeDir = "/run/pod"
		return m, nil
	}
	dir, err := rootlessRuntimeDir(m.HostUID)
	if err != nil {
		return m, err
	}
	m.RuntimeDir = dir
	return m, nil
}

// ErrUnsafeRuntimeDir is an XDG_RUNTIME_DIR that others could write to:
// pod refuses it rather than keep its sockets and pause process there.
var ErrUnsafeRuntimeDir = errors.New("unsafe runtime directory")

// rootlessRuntimeDir is $XDG_RUNTIME_DIR/pod when XDG_RUNTIME_DIR is set and
// writable, else /tmp/pod-UID (created 0700 and required to be the user's).
// A writable XDG_RUNTIME_DIR must be the user's and writable by nobody
// else (as systemd makes /run/user/UID): there others could replace the
// attach sockets and the pause PID file, so pod refuses it.
func rootlessRuntimeDir(uid int) (string, error) {
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && unix.Access(x, unix.W_OK|unix.X_OK) == nil {
		if err := checkRuntimeDir(x, uid); err != nil {
			return "", err
		}
		d := filepath.Join(x, "pod")
		if err := os.MkdirAll(d, 0o700); err == nil {
			if err := ownDir(d, uid); err != nil {
				return "", fmt.Errorf("%w: %w: remove it, or point XDG_RUNTIME_DIR at another directory of yours", ErrUnsafeRuntimeDir, err)
			}
			return d, nil
		}
	}
	d := fmt.Sprintf("/tmp/pod-%d", uid)
	if err := os.Mkdir(d, 0o700); err != nil && !os.IsExist(err) {
		return "", fmt.Errorf("XDG_RUNTIME_DIR is unset or not writable, and creating the fallback %s failed: %w", d, err)
	}
	if err := ownDir(d, uid); err != nil {
		return "", fmt.Errorf("XDG_RUNTIME_DIR is unset or not writable, and the fallback %w: remove it, or set XDG_RUNTIME_DIR to a directory you own", err)
	}
	return d, nil
}

// checkRuntimeDir refuses an XDG_RUNTIME_DIR the user does not own or
// that group or others may write to, naming the fix.
func checkRuntimeDir(dir string, uid int) error {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return fmt.Errorf("checking XDG_RUNTIME_DIR %s: %w", dir, err)
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		return fmt.Errorf("%w: XDG_RUNTIME_DIR %s is not a directory: point XDG_RUNTIME_DIR at a directory of yours with mode 0700, or unset it", ErrUnsafeRuntimeDir, dir)
	case int(st.Uid) != uid:
		return fmt.Errorf("%w: XDG_RUNTIME_DIR %s is owned by uid %d, not by you (uid %d), so its owner could replace pod's sockets in it: point XDG_RUNTIME_DIR at a directory of yours with mode 0700 (as systemd makes /run/user/%d), or unset it", ErrUnsafeRuntimeDir, dir, st.Uid, uid, uid)
	case st.Mode&0o022 != 0:
		return fmt.Errorf("%w: XDG_RUNTIME_DIR %s is writable by group or others (mode %04o), so they could replace pod's sockets in it: make it private with chmod 0700 %s, or unset XDG_RUNTIME_DIR", ErrUnsafeRuntimeDir, dir, st.Mode&0o7777, dir)
	}
	return nil
}

// ownDir checks that d, a directory pod made for itself, is a directory
// (not a link) owned by uid, and takes group and others' access away.
func ownDir(d string, uid int) error {
	var st unix.Stat_t
	if err := unix.Lstat(d, &st); err != nil {
		return fmt.Errorf("%s cannot be checked: %w", d, err)
	}
	if int(st.Uid) != uid || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("%s is not a directory owned by uid %d", d, uid)
	}
	if st.Mode&0o077 != 0 {
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("%s cannot be made private: %w", d, err)
		}
	}
	return nil
}

// StoragePaths returns the default graph root and run root for the mode.
func (m Mode) StoragePaths() (graph, run string) {
	if !m.Rootless {
		return "/var/lib/pod/storage", "/run/pod/storage"
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		data = filepath.Join(m.Home, ".local", "share")
	}
	return filepath.Join(data, "pod", "storage"), filepath.Join(m.RuntimeDir, "storage")
}

// PauseFile is where the pause process's PID is kept.
func (m Mode) PauseFile() string { return filepath.Join(m.RuntimeDir, "pause.pid") }

// Argv0 is the name this call of pod was started by (os.Args[0] before
// it re-executed itself into the user namespace through nsenter).
func Argv0() string {
	if os.Getenv(joinedPIDEnv) == strconv.Itoa(os.Getpid()) {
		if a := os.Getenv(argv0Env); a != "" {
			return a
		}
	}
	return os.Args[0]
}

// CallersEnv is pod's environment without the variables pod set for
// itself on entering its user namespace (_POD_*, _CONTAINERS_*): the
// caller's, as --env-host gives it.
func CallersEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "_POD_") || strings.HasPrefix(kv, "_CONTAINERS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// ExecInsideEnv is pod's environment for a program it execs inside its
// user namespace (pod unshare): without the PID of the re-executed call,
// so that a pod run there, in the same process, knows itself called inside
// (CalledInside), as one a shell there starts does.
func ExecInsideEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, joinedPIDEnv+"=") })
}
