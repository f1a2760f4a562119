package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/patternmatcher"
)

// ErrSource is a COPY or ADD source that is missing or not allowed.
var ErrSource = errors.New("invalid COPY/ADD source")

// source is one resolved COPY/ADD source.
type source struct {
	Host string // path on the host
	Rel  string // path relative to its root (the context, a stage's rootfs)
	Info fs.FileInfo
	// URL is an ADD source downloaded to Host.
	URL string
}

// sourceRoot resolves COPY/ADD sources under one root: the context, a
// stage's or image's rootfs, a named build context.
type sourceRoot struct {
	// Resolve maps a clean relative path to its host path, never outside
	// the root.
	Resolve func(rel string) (string, error)
	// Excluded says whether the context's ignore file excludes rel.
	Excluded func(rel string) (bool, error)
	// Dir is the root's host directory (for globs).
	Dir string
	// Owned: keep the sources' ownership (a stage's files) instead of
	// root:root (the context's files), unless --chown says otherwise.
	Owned bool
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// cleanSource makes a source pattern relative to its root; it refuses one
// that leaves the root.
func cleanSource(p string) (string, error) {
	c := path.Clean("/" + p)
	if strings.HasPrefix(path.Clean(p), "../") || path.Clean(p) == ".." {
		return "", fmt.Errorf("%s: %w", p, ErrContextEscape)
	}
	return strings.TrimPrefix(c, "/"), nil
}

// resolveSources expands the patterns of a COPY/ADD into sources.
func resolveSources(root sourceRoot, patterns []string) ([]source, error) {
	var out []source
	for _, p := range patterns {
		rel, err := cleanSource(p)
		if err != nil {
			return nil, err
		}
		if !hasGlob(rel) {
			s, err := statSource(root, rel)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(root.Dir, rel))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrSource, p, err)
		}
		n := 0
		for _, m := range matches {
			r, err := filepath.Rel(root.Dir, m)
			if err != nil || strings.HasPrefix(r, "..") {
				continue
			}
			s, err := statSource(root, r)
			if errors.Is(err, ErrSource) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: no source files match %q", ErrSource, p)
		}
	}
	return out, nil
}

func statSource(root sourceRoot, rel string) (source, error) {
	if rel == "" {
		rel = "."
	}
	if root.Excluded != nil && rel != "." {
		if ex, err := root.Excluded(rel); err != nil {
			return source{}, err
		} else if ex {
			return source{}, fmt.Errorf("%w: %q is excluded by the ignore file", ErrSource, rel)
		}
	}
	host, err := root.Resolve(rel)
	if err != nil {
		return source{}, fmt.Errorf("%w: %s: %v", ErrSource, rel, err)
	}
	fi, err := os.Stat(host)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return source{}, fmt.Errorf("%w: %q: no such file or directory", ErrSource, rel)
		}
		return source{}, fmt.Errorf("%w: %s: %v", ErrSource, rel, err)
	}
	return source{Host: host, Rel: rel, Info: fi}, nil
}

// walkSource calls fn for the source and, for a directory, everything in
// it, with paths relative to the source; excluded entries are skipped.
func walkSource(root sourceRoot, s source, excludes *patternmatcher.PatternMatcher, fn func(host, rel string, d fs.DirEntry) error) error {
	if !s.Info.IsDir() {
		return fn(s.Host, "", nil)
	}
	return filepath.WalkDir(s.Host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.Host, p)
		if rel == "." {
			return fn(p, "", d)
		}
		rel = filepath.ToSlash(rel)
		if skip, err := excluded(root, s, excludes, rel); err != nil {
			return err
		} else if skip {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		return fn(p, rel, d)
	})
}

// excluded says whether rel, a path under the source s, is left out of a
// COPY or ADD: by the context's ignore file or by --exclude. An excluded
// directory is left out with everything in it.
func excluded(root sourceRoot, s source, excludes *patternmatcher.PatternMatcher, rel string) (bool, error) {
	if root.Excluded != nil {
		if ex, err := root.Excluded(path.Join(s.Rel, rel)); err != nil || ex {
			return ex, err
		}
	}
	if excludes != nil {
		if ex, _ := excludes.MatchesOrParentMatches(rel); ex {
			return true, nil
		}
	}
	return false, nil
}

// digestSources digests every file of the sources: type, permissions,
// ownership, link target and content, never times. Keys are the files'
// paths in their root.
func digestSources(root sourceRoot, sources []source, excludes *patternmatcher.PatternMatcher) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range sources {
		if s.URL != "" {
			d, err := fileDigest(s.Host, s.Info)
			if err != nil {
				return nil, err
			}
			out[s.URL] = d
			continue
		}
		err := walkSource(root, s, excludes, func(host, rel string, _ fs.DirEntry) error {
			fi, err := os.Lstat(host)
			if err != nil {
				return err
			}
			d, err := fileDigest(host, fi)
			if err != nil {
				return err
			}
			out[path.Join(s.Rel, rel)] = d
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.Rel, err)
		}
	}
	return out, nil
}

func fileDigest(host string, fi fs.FileInfo) (string, error) {
	h := sha256.New()
	uid, gid := owner(fi)
	fmt.Fprintf(h, "%o %d %d\x00", fi.Mode(), uid, gid)
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(host)
		if err != nil {
			return "", err
		}
		h.Write([]byte(target))
	case fi.Mode().IsRegular():
		f, err := os.Open(host)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

func owner(fi fs.FileInfo) (int, int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return 0, 0
}

// destFor is where a source lands, Docker's way: a directory's contents go
// into dest; a file goes to dest itself, or into it when dest is a
// directory (ends with "/", exists as one, or several sources are copied).
func destFor(dest string, destIsDir bool, s source, parents bool) string {
	if parents {
		dir := path.Dir(s.Rel)
		if s.Info.IsDir() {
			dir = s.Rel
		}
		if dir == "." {
			dir = ""
		}
		if s.Info.IsDir() {
			return path.Join(dest, dir)
		}
		return path.Join(dest, dir, path.Base(s.Rel))
	}
	if s.Info.IsDir() {
		return dest
	}
	if destIsDir {
		name := path.Base(s.Rel)
		if s.URL != "" {
			name = filepath.Base(s.Host)
		}
		return path.Join(dest, name)
	}
	return dest
}

// absDest resolves a COPY destination (or WORKDIR) against the working
// directory; a trailing "/" (or "." alone) is kept as a trailing "/".
func absDest(dest, workdir string) string {
	if path.IsAbs(dest) {
		return dest
	}
	if workdir == "" {
		workdir = "/"
	}
	p := path.Join(workdir, dest)
	if (strings.HasSuffix(dest, "/") || dest == ".") && p != "/" {
		p += "/"
	}
	return p
}

// parseChmod parses --chmod's octal mode.
func parseChmod(s string) (fs.FileMode, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, false, fmt.Errorf("--chmod=%s: use an octal mode such as 755", s)
	}
	return unixMode(uint32(n)), true, nil
}

func unixMode(n uint32) fs.FileMode {
	m := fs.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
