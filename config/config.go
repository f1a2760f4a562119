// Package config reads the configuration Podman users already have:
// containers.conf (/usr/share/containers/, /etc/containers/ and its
// containers.conf.d/, $XDG_CONFIG_HOME/containers/ and its .d, or
// $CONTAINERS_CONF alone) and the storage.conf keys pod takes, with
// Podman's keys for what pod has. Later files override earlier ones key by
// key, as Podman reads them. A key pod does not take is passed over with a
// debug line; a value of the wrong type is an error naming the file and the
// key. What the values mean is checked where they are used (the flags'
// own parsers), with the file and key named.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the containers.conf keys pod takes.
type Config struct {
	Containers Containers `toml:"containers"`
	Engine     Engine     `toml:"engine"`
	Network    Network    `toml:"network"`

	// Files are the files read, in order; Origin the file each key
	// ("containers.env") was last set in.
	Files  []string          `toml:"-"`
	Origin map[string]string `toml:"-"`
	// Ignored are the keys pod passes over ("file: key"), for debug lines.
	Ignored []string `toml:"-"`
}

// Containers is the [containers] table: defaults of run and create.
type Containers struct {
	DefaultUlimits      []string `toml:"default_ulimits"`
	Env                 []string `toml:"env"`
	DefaultCapabilities []string `toml:"default_capabilities"`
	DefaultSysctls      []string `toml:"default_sysctls"`
	DNSServers          []string `toml:"dns_servers"`
	DNSSearches         []string `toml:"dns_searches"`
	DNSOptions          []string `toml:"dns_options"`
	Devices             []string `toml:"devices"`
	Volumes             []string `toml:"volumes"`
	Annotations         []string `toml:"annotations"`
	LogDriver           string   `toml:"log_driver"`
	LogSizeMax          int64    `toml:"log_size_max"`
	PidsLimit           int64    `toml:"pids_limit"`
	TZ                  string   `toml:"tz"`
	Umask               string   `toml:"umask"`
	Init                bool     `toml:"init"`
	InitPath            string   `toml:"init_path"`
	ShmSize             string   `toml:"shm_size"`
	NoHosts             bool     `toml:"no_hosts"`
	HTTPProxy           *bool    `toml:"http_proxy"`
	UserNS              string   `toml:"userns"`
	IPCNS               string   `toml:"ipcns"`
	PIDNS               string   `toml:"pidns"`
	UTSNS               string   `toml:"utsns"`
	CgroupNS            string   `toml:"cgroupns"`
	NetNS               string   `toml:"netns"`
	SeccompProfile      string   `toml:"seccomp_profile"`
}

// Engine is the [engine] table: pod's own settings.
type Engine struct {
	Runtime            string              `toml:"runtime"`
	Runtimes           map[string][]string `toml:"runtimes"`
	EventsLogger       string              `toml:"events_logger"`
	HelperBinariesDir  []string            `toml:"helper_binaries_dir"`
	StopTimeout        uint                `toml:"stop_timeout"`
	CgroupManager      string              `toml:"cgroup_manager"`
	PullPolicy         string              `toml:"pull_policy"`
	ImageDefaultFormat string              `toml:"image_default_format"`
	Env                []string            `toml:"env"`
}

// Network is the [network] table.
type Network struct {
	DefaultNetwork string `toml:"default_network"`
}

// Files are the containers.conf files pod reads, in order, for a user
// whose configuration directory is configHome ($XDG_CONFIG_HOME, else
// ~/.config; "" as root): $CONTAINERS_CONF alone when it is set, as
// Podman.
func Files(configHome string, rootless bool) []string {
	if f := os.Getenv("CONTAINERS_CONF"); f != "" {
		return []string{f}
	}
	var out []string
	add := func(dir string) {
		out = append(out, filepath.Join(dir, "containers.conf"))
		d, _ := filepath.Glob(filepath.Join(dir, "containers.conf.d", "*.conf"))
		sort.Strings(d)
		out = append(out, d...)
	}
	add("/usr/share/containers")
	add("/etc/containers")
	if rootless && configHome != "" {
		add(filepath.Join(configHome, "containers"))
	}
	return out
}

// ConfigHome is $XDG_CONFIG_HOME, else ~/.config.
func ConfigHome() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config")
	}
	return ""
}

// Load reads files in order (a missing one is passed over).
func Load(files []string) (*Config, error) {
	c := &Config{Origin: map[string]string{}}
	read, ignored, err := decode(files, c, c.Origin)
	c.Files, c.Ignored = read, ignored
	return c, err
}

// decode decodes each of files that exists into v, in order (later ones
// override earlier ones key by key), and returns the files read and the
// keys v has no place for ("file: key"); origin, when given, gets each
// key's file.
func decode(files []string, v any, origin map[string]string) (read, ignored []string, err error) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return read, ignored, fmt.Errorf("reading %s: %w", f, err)
		}
		md, err := toml.Decode(string(b), v)
		if err != nil {
			return read, ignored, fmt.Errorf("%s: %w", f, err)
		}
		read = append(read, f)
		for _, k := range md.Keys() {
			if origin != nil {
				origin[k.String()] = f
			}
		}
		for _, k := range md.Undecoded() {
			ignored = append(ignored, f+": "+k.String())
		}
	}
	return read, ignored, nil
}

// Where names the file and key a value came from, for errors:
// "/etc/containers/containers.conf: containers.tz".
func (c *Config) Where(key string) string {
	if f, ok := c.Origin[key]; ok {
		return f + ": " + key
	}
	return "containers.conf: " + key
}

// Set tells whether a file set key ("containers.init").
func (c *Config) Set(key string) bool {
	_, ok := c.Origin[key]
	return ok
}

// Errorf is an error about key's value, naming its file.
func (c *Config) Errorf(key, format string, a ...any) error {
	return fmt.Errorf("%s: %s", c.Where(key), fmt.Sprintf(format, a...))
}

// SplitKV splits a KEY=VALUE list entry.
func SplitKV(s string) (string, string, bool) {
	k, v, ok := strings.Cut(s, "=")
	return k, v, ok && k != ""
}

// Storage is the storage.conf keys pod takes.
type Storage struct {
	Storage struct {
		Driver              string `toml:"driver"`
		GraphRoot           string `toml:"graphroot"`
		RunRoot             string `toml:"runroot"`
		RootlessStoragePath string `toml:"rootless_storage_path"`
		Options             struct {
			Overlay struct {
				MountProgram string `toml:"mount_program"`
				MountOpt     string `toml:"mountopt"`
			} `toml:"overlay"`
		} `toml:"options"`
	} `toml:"storage"`
	// Files are the files read; Explicit tells that they are
	// $CONTAINERS_STORAGE_CONF's, whose graph root and run root pod takes
	// (from Podman's own files it takes the driver and its options only:
	// pod keeps a store of its own, so that neither tool writes the
	// other's records).
	Files    []string `toml:"-"`
	Explicit bool     `toml:"-"`
	Ignored  []string `toml:"-"`
}

// LoadStorage reads storage.conf: $CONTAINERS_STORAGE_CONF alone when it
// is set, else /usr/share/containers/, /etc/containers/ and, rootless,
// configHome's containers/ (later files override earlier ones).
func LoadStorage(configHome string, rootless bool) (*Storage, error) {
	s := &Storage{}
	files := []string{"/usr/share/containers/storage.conf", "/etc/containers/storage.conf"}
	if rootless && configHome != "" {
		files = append(files, filepath.Join(configHome, "containers", "storage.conf"))
	}
	if f := os.Getenv("CONTAINERS_STORAGE_CONF"); f != "" {
		files, s.Explicit = []string{f}, true
	}
	read, ignored, err := decode(files, s, nil)
	if err != nil {
		return nil, err
	}
	s.Files, s.Ignored = read, ignored
	if !s.Explicit {
		s.Storage.GraphRoot, s.Storage.RunRoot, s.Storage.RootlessStoragePath = "", "", ""
	}
	return s, nil
}
