package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/pod-project/pod/storage"
)

// The layer cache. A step's key is the sha256 of its parent image's ID,
// its instruction as written, the values of the build args it uses and,
// for COPY and ADD, the digest of its sources (content, mode, ownership,
// link targets; never mtimes). The index maps keys to the untagged images
// the steps made; it lives next to the store's own files (build-cache.json
// in the graph root), read once per build and rewritten atomically under
// a lock after each step that missed, so parallel builds merge their
// entries. An entry whose image was removed (image prune) is a miss.
//
// "Shapes" remember what the previous build of the same step (same
// Dockerfile, stage and position) used, only to explain a miss.

const cacheFileName = "build-cache.json"

type cacheIndex struct {
	path string
	data cacheFile
}

// cacheVersion is the schema of build-cache.json. An index of a newer pod
// is neither used nor written over: builds miss until that pod is back.
const cacheVersion = 1

type cacheFile struct {
	Version int                    `json:"version"`
	Entries map[string]string      `json:"entries"`
	Shapes  map[string]shapeRecord `json:"shapes"`
}

// shapeRecord is what a step used the last time it was built.
type shapeRecord struct {
	Parent  string            `json:"parent"`
	Args    []string          `json:"args,omitempty"`
	Sources map[string]string `json:"sources,omitempty"`
}

func openCache(graphRoot string) *cacheIndex {
	c := &cacheIndex{path: filepath.Join(graphRoot, cacheFileName)}
	c.data = readCacheFile(c.path)
	return c
}

func readCacheFile(path string) cacheFile {
	var f cacheFile
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &f)
	}
	if f.Version > cacheVersion {
		return cacheFile{Version: f.Version, Entries: map[string]string{}, Shapes: map[string]shapeRecord{}}
	}
	if f.Entries == nil {
		f.Entries = map[string]string{}
	}
	if f.Shapes == nil {
		f.Shapes = map[string]shapeRecord{}
	}
	return f
}

func (c *cacheIndex) lookup(key string) (string, bool) {
	id, ok := c.data.Entries[key]
	return id, ok
}

func (c *cacheIndex) shape(key string) *shapeRecord {
	if r, ok := c.data.Shapes[key]; ok {
		return &r
	}
	return nil
}

// record adds a step's image and shape and writes the index, merged with
// what other builds wrote meanwhile.
func (c *cacheIndex) record(key, id, shapeKey string, shape shapeRecord) error {
	c.data.Entries[key] = id
	if shapeKey != "" {
		c.data.Shapes[shapeKey] = shape
	}
	unlock, err := storage.Lock(c.path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	disk := readCacheFile(c.path)
	if disk.Version > cacheVersion {
		return nil
	}
	disk.Version = cacheVersion
	disk.Entries[key] = id
	if shapeKey != "" {
		disk.Shapes[shapeKey] = shape
	}
	b, err := json.Marshal(&disk)
	if err != nil {
		return err
	}
	return storage.WriteFileAtomic(c.path, b, 0o600)
}

// forget drops an entry whose image is gone.
func (c *cacheIndex) forget(key string) { delete(c.data.Entries, key) }

func hashStrings(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stepKey is a step's cache key.
func stepKey(parent, instruction string, args []string, sources string) string {
	return hashStrings(append([]string{"v1", parent, instruction, sources}, args...)...)
}

// sourcesDigest folds per-file digests into one.
func sourcesDigest(files map[string]string) string {
	if len(files) == 0 {
		return ""
	}
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k, files[k])
	}
	return hashStrings(parts...)
}

// errNoReason: a miss with nothing to compare against.
var errNoReason = errors.New("no earlier build")

// missReason says why a step missed, comparing with its last build.
func missReason(prev *shapeRecord, parent string, args []string, sources map[string]string, first bool) (string, error) {
	if prev == nil {
		return "", errNoReason
	}
	if prev.Parent != parent {
		if first {
			return "base image changed", nil
		}
		return "previous step changed", nil
	}
	if !slices.Equal(prev.Args, args) {
		old := map[string]string{}
		for _, a := range prev.Args {
			k, v := splitKV(a)
			old[k] = v
		}
		seen := map[string]bool{}
		for _, a := range args {
			k, v := splitKV(a)
			seen[k] = true
			if ov, ok := old[k]; !ok || ov != v {
				return "build arg " + k + " changed", nil
			}
		}
		for k := range old {
			if !seen[k] {
				return "build arg " + k + " changed", nil
			}
		}
	}
	var paths []string
	for p := range sources {
		paths = append(paths, p)
	}
	for p := range prev.Sources {
		if _, ok := sources[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		old, had := prev.Sources[p]
		now, has := sources[p]
		switch {
		case !had:
			return p + " added", nil
		case !has:
			return p + " removed", nil
		case old != now:
			return p + " changed", nil
		}
	}
	return "cached image removed", nil
}

func splitKV(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}
