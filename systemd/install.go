package systemd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// The names the pod binary answers to as systemd's generators: installed
// as links to pod in systemd's user-generators and system-generators
// directories.
const (
	UserGeneratorName   = "pod-user-generator"
	SystemGeneratorName = "pod-system-generator"
)

// QuadletDirsEnv, when set, is a colon-separated list of directories that
// replaces the default Quadlet source directories.
const QuadletDirsEnv = "POD_QUADLET_DIRS"

// QuadletDirs are the directories Quadlet-format files are read from,
// the first hiding the later ones: for a user $XDG_CONFIG_HOME/pod/systemd
// (~/.config/pod/systemd), /etc/pod/systemd/users/UID and
// /etc/pod/systemd/users; for the system /etc/pod/systemd. Podman's
// containers/systemd directories are read only when named in
// $POD_QUADLET_DIRS, so that pod and Podman never both make a unit from
// one file. getenv is os.Getenv in production.
func QuadletDirs(userDirs bool, getenv func(string) string) ([]string, error) {
	if v := getenv(QuadletDirsEnv); v != "" {
		var dirs []string
		for _, d := range strings.Split(v, ":") {
			if d != "" {
				dirs = append(dirs, d)
			}
		}
		return dirs, nil
	}
	if !userDirs {
		return []string{"/etc/pod/systemd"}, nil
	}
	config := getenv("XDG_CONFIG_HOME")
	if config == "" {
		home, err := homeDir(getenv)
		if err != nil {
			return nil, err
		}
		config = filepath.Join(home, ".config")
	}
	uid := strconv.Itoa(os.Getuid())
	return []string{
		filepath.Join(config, "pod", "systemd"),
		filepath.Join("/etc/pod/systemd/users", uid),
		"/etc/pod/systemd/users",
	}, nil
}

// homeDir is $HOME, else the user's home in the password database (a
// generator may run without $HOME).
func homeDir(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	u, err := user.LookupId(strconv.Itoa(os.Getuid()))
	if err != nil {
		return "", fmt.Errorf("finding the home directory: %w", err)
	}
	return u.HomeDir, nil
}

// UserUnitDir is where a user's own units live: $XDG_CONFIG_HOME/systemd/user.
func UserUnitDir(getenv func(string) string) (string, error) {
	config := getenv("XDG_CONFIG_HOME")
	if config == "" {
		home, err := homeDir(getenv)
		if err != nil {
			return "", err
		}
		config = filepath.Join(home, ".config")
	}
	return filepath.Join(config, "systemd", "user"), nil
}

// SystemUnitDir is where the administrator's units live.
const SystemUnitDir = "/etc/systemd/system"

// WriteUnits writes each unit into dir (made when missing), each file
// whole or not at all, and enables it as its [Install] section says, as
// systemctl enable would: links NAME.service in TARGET.wants/ for
// WantedBy=, TARGET.requires/ for RequiredBy=, TARGET.upholds/ for
// UpheldBy=, and an Alias= link. It returns what it wrote (files and
// links) and every failure.
func WriteUnits(dir string, units []Generated) ([]string, error) {
	var written []string
	var errs []error
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, g := range units {
		p := filepath.Join(dir, g.Name)
		if err := writeFileWhole(p, g.Unit.String()); err != nil {
			errs = append(errs, fmt.Errorf("writing %s: %w", p, err))
			continue
		}
		written = append(written, p)
		links, err := installLinks(g)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", g.Source, err))
		}
		for _, l := range links {
			lp := filepath.Join(dir, l)
			target, _ := filepath.Rel(filepath.Dir(lp), p)
			if err := os.MkdirAll(filepath.Dir(lp), 0o755); err != nil {
				errs = append(errs, err)
				continue
			}
			if err := os.Remove(lp); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
				continue
			}
			if err := os.Symlink(target, lp); err != nil {
				errs = append(errs, err)
				continue
			}
			written = append(written, lp)
		}
	}
	return written, errors.Join(errs...)
}

// installLinks are the links, relative to the unit directory, that enable
// g as its [Install] section says. A template (NAME@.service) is enabled
// only for its DefaultInstance=.
func installLinks(g Generated) ([]string, error) {
	name := g.Name
	if base, ok := strings.CutSuffix(name, "@.service"); ok {
		inst, _ := g.Unit.Last("Install", "DefaultInstance")
		if inst.Value == "" {
			name = ""
		} else {
			name = base + "@" + inst.Value + ".service"
		}
	}
	var links []string
	for _, k := range []struct{ key, dir string }{{"WantedBy", ".wants"}, {"RequiredBy", ".requires"}, {"UpheldBy", ".upholds"}} {
		for _, e := range g.Unit.All("Install", k.key) {
			targets, err := ListWords(e.Value)
			if err != nil {
				return links, fmt.Errorf("%s=: %w", k.key, err)
			}
			for _, t := range targets {
				if name != "" && !strings.Contains(t, "/") {
					links = append(links, filepath.Join(t+k.dir, name))
				}
			}
		}
	}
	for _, e := range g.Unit.All("Install", "Alias") {
		aliases, err := ListWords(e.Value)
		if err != nil {
			return links, fmt.Errorf("Alias=: %w", err)
		}
		for _, a := range aliases {
			if !strings.Contains(a, "/") {
				links = append(links, a)
			}
		}
	}
	return links, nil
}

// writeFileWhole writes content to path through a temporary file in the
// same directory, renamed into place once synced.
func writeFileWhole(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.WriteString(f, content); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// PrintUnits writes the units as the generator's --dryrun shows them:
// ---PATH--- and the unit, for each.
func PrintUnits(w io.Writer, dir string, units []Generated) error {
	for _, g := range units {
		if _, err := fmt.Fprintf(w, "---%s---\n%s\n", filepath.Join(dir, g.Name), g.Unit); err != nil {
			return err
		}
	}
	return nil
}
