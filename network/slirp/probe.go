package slirp

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pod-project/pod/storage"
)

// Skip is a stack that was passed over, and why.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Choice is the probed default stack.
type Choice struct {
	Driver  string `json:"driver"`
	Path    string `json:"path"`
	Skipped []Skip `json:"skipped,omitempty"`
}

// probeCache is the cached verdict, for the binaries' key.
// probeCacheVersion is the schema of the network probe's cache: a cache
// of another version is probed again.
const probeCacheVersion = 1

type probeCache struct {
	Version int    `json:"version"`
	Key     string `json:"binaries"`
	Choice  Choice `json:"choice"`
}

func (c Choice) skipped() string {
	var s []string
	for _, k := range c.Skipped {
		s = append(s, k.Name+": "+k.Reason)
	}
	return strings.Join(s, "; ")
}

// binKey identifies a binary's version on disk.
func binKey(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return path + ":missing"
	}
	return fmt.Sprintf("%s:%d:%d", path, fi.Size(), fi.ModTime().UnixNano())
}

// Probe picks the default stack: pasta when installed and working, else
// slirp4netns. The verdict is cached in cacheDir per binary (path, size,
// mtime), so only the first call pays for running pasta once.
func Probe(cacheDir string) Choice {
	pasta, perr := exec.LookPath(Pasta)
	slirp, serr := exec.LookPath(Slirp4netns)
	key := binKey(pasta) + "|" + binKey(slirp)
	cache := filepath.Join(cacheDir, "network-probe.json")
	var pc probeCache
	if b, err := os.ReadFile(cache); err == nil && json.Unmarshal(b, &pc) == nil && pc.Key == key && pc.Version == probeCacheVersion {
		return pc.Choice
	}
	c := Choice{}
	switch {
	case perr != nil:
		c.Skipped = append(c.Skipped, Skip{Name: Pasta, Reason: "not installed (apt-get install passt)"})
	default:
		dir, err := os.MkdirTemp(cacheDir, "netprobe")
		if err == nil {
			err = probePasta(pasta, dir)
			os.RemoveAll(dir)
		}
		if err != nil {
			c.Skipped = append(c.Skipped, Skip{Name: Pasta, Reason: "does not work here: " + err.Error()})
		} else {
			c.Driver, c.Path = Pasta, pasta
		}
	}
	if c.Driver == "" {
		if serr != nil {
			c.Skipped = append(c.Skipped, Skip{Name: Slirp4netns, Reason: "not installed (apt-get install slirp4netns)"})
		} else {
			c.Driver, c.Path = Slirp4netns, slirp
		}
	} else if serr == nil {
		c.Skipped = append(c.Skipped, Skip{Name: Slirp4netns, Reason: "pasta works and is preferred"})
	} else {
		c.Skipped = append(c.Skipped, Skip{Name: Slirp4netns, Reason: "not installed"})
	}
	if b, err := json.Marshal(probeCache{Version: probeCacheVersion, Key: key, Choice: c}); err == nil && os.MkdirAll(cacheDir, 0o700) == nil {
		_ = storage.WriteFileAtomic(cache, b, 0o600)
	}
	return c
}
