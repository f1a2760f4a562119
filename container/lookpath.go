package container

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// This file resolves a container's process the way Docker does: its command,
// environment, working directory and hostname, and the executable it names.

// DefaultPath is the PATH a container gets when its image sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Command returns the container's argv with Docker's rules: --entrypoint
// replaces the image's Entrypoint and, when not empty, drops the image's Cmd;
// an empty --entrypoint clears the image's Entrypoint; arguments after the
// image replace its Cmd.
func Command(cfg *Config, img *ImageConfig) ([]string, error) {
	if img == nil {
		img = &ImageConfig{}
	}
	entrypoint, cmd := img.Entrypoint, img.Cmd
	if cfg.Entrypoint != nil {
		entrypoint = cfg.Entrypoint
		if len(cfg.Entrypoint) > 0 {
			cmd = nil
		}
	}
	if len(cfg.Cmd) > 0 {
		cmd = cfg.Cmd
	}
	argv := append(append([]string{}, entrypoint...), cmd...)
	if len(argv) == 0 {
		return nil, errors.New("no command specified: the image has no entrypoint or cmd, give one after the image name")
	}
	return argv, nil
}

// Hostname is the container's hostname: --hostname, else the host's with
// --network host (as Docker), else the first 12 characters of its ID.
func Hostname(cfg *Config) string {
	if cfg.Hostname != "" {
		return cfg.Hostname
	}
	if cfg.NetworkMode == "host" {
		if h, err := os.Hostname(); err == nil && h != "" {
			return h
		}
	}
	if len(cfg.ID) > 12 {
		return cfg.ID[:12]
	}
	return cfg.ID
}

// Environment returns the container's environment: pod's defaults (PATH,
// HOSTNAME, TERM=xterm with a TTY, container=pod (or podman, docker: the
// name pod was called by), HOME of the user), then the
// image's variables, then -e/--env-file ones, each replacing a variable of the
// same name in place. A -e entry without "=" removes the variable.
func Environment(cfg *Config, img *ImageConfig, hostname string, u ExecUser) []string {
	home := u.Home
	if home == "" {
		home = "/"
	}
	env := []string{"PATH=" + DefaultPath, "HOSTNAME=" + hostname}
	if cfg.Tty {
		env = append(env, "TERM=xterm")
	}
	env = append(env, "container="+EngineName(cfg), "HOME="+home)
	env = mergeEnv(env, cfg.DefaultEnv)
	if img != nil {
		env = mergeEnv(env, img.Env)
	}
	for _, kv := range cfg.EnvMerge {
		k, v, _ := strings.Cut(kv, "=")
		v = os.Expand(v, func(name string) string {
			if i := indexEnv(env, name); i >= 0 {
				_, val, _ := strings.Cut(env[i], "=")
				return val
			}
			return ""
		})
		env = mergeEnv(env, []string{k + "=" + v})
	}
	if cfg.UnsetEnvAll {
		env = nil
	}
	env = mergeEnv(env, cfg.UnsetEnv)
	return mergeEnv(env, cfg.Env)
}

// SetEnv sets k=v in env, replacing k's value if set.
func SetEnv(env []string, k, v string) []string { return mergeEnv(env, []string{k + "=" + v}) }

// mergeEnv applies overrides to env: KEY=VALUE replaces KEY or is appended,
// a bare KEY removes it.
func mergeEnv(env, overrides []string) []string {
	for _, kv := range overrides {
		key, _, hasValue := strings.Cut(kv, "=")
		i := indexEnv(env, key)
		switch {
		case !hasValue && i >= 0:
			env = append(env[:i], env[i+1:]...)
		case !hasValue:
		case i >= 0:
			env[i] = kv
		default:
			env = append(env, kv)
		}
	}
	return env
}

func indexEnv(env []string, key string) int {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return i
		}
	}
	return -1
}

// getenv returns the value of the first key in env, as the C library does.
func getenv(env []string, key string) (string, bool) {
	if i := indexEnv(env, key); i >= 0 {
		_, v, _ := strings.Cut(env[i], "=")
		return v, true
	}
	return "", false
}

// WorkingDir is the container's working directory: --workdir, else the
// image's WORKDIR, else "/"; always absolute and clean.
func WorkingDir(cfg *Config, img *ImageConfig) string {
	wd := cfg.WorkingDir
	if wd == "" && img != nil {
		wd = img.WorkingDir
	}
	return path.Join("/", wd)
}

// CommandError is why a container's command cannot be run. Its ExitCode is
// Docker's: 127 when the executable is not found, 126 when it cannot be
// executed. It wraps ENOENT or EACCES (errors.Is fs.ErrNotExist or
// fs.ErrPermission).
type CommandError struct {
	Argv0  string // the command as given
	Code   int    // 126 or 127
	reason string
	err    error
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("executable file %q %s: %v", e.Argv0, e.reason, e.err)
}

// ExitCode is the status pod exits with, as Docker.
func (e *CommandError) ExitCode() int { return e.Code }

func (e *CommandError) Unwrap() error { return e.err }

func notFound(argv0, reason string) *CommandError {
	return &CommandError{Argv0: argv0, Code: 127, reason: reason, err: unix.ENOENT}
}

func cannotExec(argv0, reason string) *CommandError {
	return &CommandError{Argv0: argv0, Code: 126, reason: reason, err: unix.EACCES}
}

// LookPath checks that argv0 names an executable inside rootfs the way the
// OCI runtime will look for it: relative to cwd when it contains a '/', else
// in each directory of the PATH in env (DefaultPath without one), with every
// symlink resolved inside rootfs. The error is a *CommandError.
func LookPath(rootfs string, env []string, cwd, argv0 string) error {
	if argv0 == "" {
		return notFound(argv0, "not found")
	}
	if strings.Contains(argv0, "/") {
		return checkExecutable(rootfs, CommandPaths(env, cwd, argv0)[0], argv0)
	}
	var denied error
	for _, p := range CommandPaths(env, cwd, argv0) {
		err := checkExecutable(rootfs, p, argv0)
		if err == nil {
			return nil
		}
		var ce *CommandError
		if denied == nil && errors.As(err, &ce) && ce.Code == 126 {
			denied = err // execvp reports EACCES when nothing better is found
		}
	}
	if denied != nil {
		return denied
	}
	return notFound(argv0, "not found in $PATH")
}

// CommandPaths are the container paths, in order, where the runtime looks
// for argv0: itself against cwd when it contains a '/', else in each
// directory of the PATH in env (DefaultPath without one).
func CommandPaths(env []string, cwd, argv0 string) []string {
	if cwd == "" {
		cwd = "/"
	}
	if strings.Contains(argv0, "/") {
		return []string{absolute(cwd, argv0)}
	}
	dirs, ok := getenv(env, "PATH")
	if !ok {
		dirs = DefaultPath
	}
	var out []string
	for dir := range strings.SplitSeq(dirs, ":") {
		if dir == "" {
			dir = "." // an empty PATH element is the working directory
		}
		out = append(out, absolute(cwd, path.Join(dir, argv0)))
	}
	return out
}

// absolute makes p absolute against the directory cwd.
func absolute(cwd, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(cwd, p)
}

// checkExecutable checks the container path p (absolute) inside rootfs.
func checkExecutable(rootfs, p, argv0 string) error {
	host, err := securejoin.SecureJoin(rootfs, p)
	if err != nil {
		return notFound(argv0, "not found")
	}
	// SecureJoin resolved every symlink: Lstat never leaves rootfs.
	fi, err := os.Lstat(host)
	switch {
	case err != nil:
		return notFound(argv0, "not found")
	case fi.IsDir():
		return cannotExec(argv0, "is a directory")
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		return cannotExec(argv0, "is not executable")
	}
	return nil
}

// ContainerEnvPath is where a container finds what runs it, as Podman's
// containers do (toolbox and distrobox read it).
const ContainerEnvPath = "/run/.containerenv"

// EngineName is the name pod was called by when it made cfg: pod, or
// podman or docker through a link of that name.
func EngineName(cfg *Config) string {
	if cfg.Engine == "" {
		return "pod"
	}
	return cfg.Engine
}

// ContainerEnv is /run/.containerenv's text, Podman's keys.
func ContainerEnv(cfg *Config, version string, rootless bool) []byte {
	r := 0
	if rootless {
		r = 1
	}
	return fmt.Appendf(nil, "engine=%q\nname=%q\nid=%q\nimage=%q\nimageid=%q\nrootless=%d\n",
		EngineName(cfg)+"-"+version, cfg.Name, cfg.ID, cfg.Image, cfg.ImageID, r)
}
