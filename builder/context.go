package builder

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/copier"
	"github.com/pod-project/pod/storage"
)

// Context is a build context ready on the local disk: a directory the
// builder reads COPY/ADD sources from, and the Dockerfile to build.
type Context struct {
	// Dir is the local directory holding the context (absolute, symlinks
	// resolved); for a remote context it is inside a temporary directory.
	Dir string
	// Dockerfile is the absolute path of the Dockerfile to use; it may be
	// outside Dir (-f elsewhere, -f -).
	Dockerfile string

	graphRoot  string                         // where temps are made
	temps      []string                       // removed by Close
	ignore     *patternmatcher.PatternMatcher // nil: nothing is excluded
	alwaysKept map[string]bool                // context-relative paths never excluded
}

// ContextOptions say where the Dockerfile comes from.
type ContextOptions struct {
	// File is -f: "" means Containerfile, else Dockerfile, in the context
	// root; "-" reads the Dockerfile from Stdin; any other value is a path.
	// A relative path is looked up in the current directory, then in the
	// context root (for a remote context: only in the context root).
	File string
	// Stdin is read when the source or File is "-".
	Stdin io.Reader
	// GraphRoot is the store's graph root: a context from stdin, a URL or
	// git, and a Dockerfile from stdin, are written in its tmp/, in
	// directories named after this process (storage.MkdirTemp) that Close
	// removes and the next pod call reclaims after a kill. "" puts them in
	// $TMPDIR, for a caller that has no store.
	GraphRoot string
	// IgnoreFile is --ignorefile: the exclusion patterns' file, in place
	// of the .containerignore/.dockerignore the context would have.
	IgnoreFile string
}

// ErrContextEscape is returned by Context.Path for a path that would lead
// outside the context.
var ErrContextEscape = errors.New("forbidden path outside the build context")

// OpenContext makes source available as a local directory. source is a
// directory; "-" for a tar archive on Stdin (plain or compressed; a plain
// Dockerfile there is a context holding only that Dockerfile); an http(s)
// URL of such a tarball; or a git repository URL (https://…/repo.git,
// git://…, git@host:…, ssh://…, file://…, github.com/…), optionally with
// #ref:subdir, cloned with the git program into a temporary directory.
// The caller must Close the context.
func OpenContext(ctx context.Context, source string, o ContextOptions) (*Context, error) {
	if source == "" {
		return nil, fmt.Errorf("no build context given")
	}
	if source == "-" && o.File == "-" {
		return nil, fmt.Errorf("cannot read both the build context and the Dockerfile from stdin")
	}
	c := &Context{graphRoot: o.GraphRoot}
	if err := c.open(ctx, source, o); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Context) open(ctx context.Context, source string, o ContextOptions) error {
	remote := true
	var err error
	switch {
	case source == "-":
		if o.Stdin == nil {
			return fmt.Errorf("reading the build context from stdin: no stdin")
		}
		err = c.fromArchive(o.Stdin, "stdin")
	case isGitURL(source):
		err = c.fromGit(ctx, source)
	case strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://"):
		err = c.fromURL(ctx, source)
	default:
		remote = false
		err = c.fromDir(source)
	}
	if err != nil {
		return err
	}
	if err := c.findDockerfile(o, remote); err != nil {
		return err
	}
	return c.readIgnoreFile(o.IgnoreFile)
}

// tempDir makes a temporary directory that Close removes.
func (c *Context) tempDir(prefix string) (string, error) {
	var d string
	var err error
	if c.graphRoot != "" {
		d, err = storage.MkdirTemp(c.graphRoot, prefix)
	} else {
		d, err = os.MkdirTemp("", "pod-"+prefix+"-")
	}
	if err != nil {
		return "", err
	}
	c.temps = append(c.temps, d)
	// Resolve symlinks (e.g. /tmp → /private/tmp) so Path can compare.
	return filepath.EvalSymlinks(d)
}

func (c *Context) fromDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("build context %s: %w", dir, err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return fmt.Errorf("build context %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("build context %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("build context %s: not a directory (give a directory, a URL or - for a tar on stdin)", dir)
	}
	c.Dir = abs
	return nil
}

// fromArchive unpacks a tar archive (plain or compressed) into a temporary
// directory; content that is no tar archive is taken as a Dockerfile.
func (c *Context) fromArchive(r io.Reader, what string) error {
	dir, err := c.tempDir("build-context")
	if err != nil {
		return fmt.Errorf("reading the build context from %s: %w", what, err)
	}
	c.Dir = dir
	dr, err := archive.DecompressStream(r)
	if err != nil {
		return fmt.Errorf("reading the build context from %s: %w", what, err)
	}
	defer dr.Close()
	br := bufio.NewReaderSize(dr, 64<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the build context from %s: %w", what, err)
	}
	if !isTar(head) {
		data, err := io.ReadAll(br)
		if err != nil {
			return fmt.Errorf("reading the Dockerfile from %s: %w", what, err)
		}
		return os.WriteFile(filepath.Join(dir, "Dockerfile"), data, 0o644)
	}
	self := &copier.Owner{UID: os.Getuid(), GID: os.Getgid()}
	if err := copier.Extract(br, dir, "/", copier.ExtractOptions{WriteOptions: copier.WriteOptions{Owner: self}}); err != nil {
		return fmt.Errorf("unpacking the build context from %s: %w", what, err)
	}
	return nil
}

// isTar reports whether head starts a tar archive (ustar or GNU magic).
func isTar(head []byte) bool {
	return len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar"))
}

func (c *Context) fromURL(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("downloading the build context %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("downloading the build context: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downloading the build context %s: %s", url, resp.Status)
	}
	return c.fromArchive(resp.Body, url)
}

// findDockerfile sets c.Dockerfile from o.File.
func (c *Context) findDockerfile(o ContextOptions, remote bool) error {
	switch {
	case o.File == "-":
		if o.Stdin == nil {
			return fmt.Errorf("reading the Dockerfile from stdin: no stdin")
		}
		dir, err := c.tempDir("build-dockerfile")
		if err != nil {
			return fmt.Errorf("reading the Dockerfile from stdin: %w", err)
		}
		data, err := io.ReadAll(o.Stdin)
		if err != nil {
			return fmt.Errorf("reading the Dockerfile from stdin: %w", err)
		}
		c.Dockerfile = filepath.Join(dir, "Dockerfile")
		return os.WriteFile(c.Dockerfile, data, 0o644)
	case o.File == "":
		for _, name := range []string{"Containerfile", "Dockerfile"} {
			p := filepath.Join(c.Dir, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				c.Dockerfile = p
				return nil
			}
		}
		return fmt.Errorf("no Containerfile or Dockerfile in the build context %s (use -f to name one)", c.Dir)
	}
	var candidates []string
	if filepath.IsAbs(o.File) {
		candidates = []string{o.File}
	} else {
		if !remote {
			candidates = append(candidates, o.File)
		}
		if p, err := c.Path(o.File); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.IsDir() {
			return fmt.Errorf("the Dockerfile %s is a directory", o.File)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return fmt.Errorf("the Dockerfile %s: %w", o.File, err)
		}
		if c.Dockerfile, err = filepath.EvalSymlinks(abs); err != nil {
			return fmt.Errorf("the Dockerfile %s: %w", o.File, err)
		}
		return nil
	}
	return fmt.Errorf("the Dockerfile %s: %w", o.File, os.ErrNotExist)
}

// readIgnoreFile loads the exclusion patterns: the file given (--ignorefile),
// else <Dockerfile>.containerignore or <Dockerfile>.dockerignore next to the
// Dockerfile, else .containerignore, else .dockerignore in the context root.
func (c *Context) readIgnoreFile(given string) error {
	c.alwaysKept = map[string]bool{}
	if rel, ok := c.rel(c.Dockerfile); ok {
		c.alwaysKept[rel] = true
	}
	candidates := []string{
		c.Dockerfile + ".containerignore", c.Dockerfile + ".dockerignore",
		filepath.Join(c.Dir, ".containerignore"), filepath.Join(c.Dir, ".dockerignore"),
	}
	if given != "" {
		candidates = []string{given}
	}
	for _, p := range candidates {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) && given == "" {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading ignore file: %w", err)
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("reading ignore file %s: %w", p, err)
		}
		if c.ignore, err = patternmatcher.New(patterns); err != nil {
			return fmt.Errorf("ignore file %s: %w", p, err)
		}
		if rel, ok := c.rel(p); ok {
			c.alwaysKept[rel] = true
		}
		return nil
	}
	return nil
}

// rel returns p relative to the context directory when it is inside it.
func (c *Context) rel(p string) (string, bool) {
	r, err := filepath.Rel(c.Dir, p)
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return "", false
	}
	return r, true
}

// cleanRel turns a context-relative path ("./a/b", "/a/b", "a//b/") into
// its clean form ("a/b"; "." for the root); escaped reports a path that
// leads above the root ("../x", "a/../../x").
func cleanRel(rel string) (clean string, escaped bool) {
	rel = filepath.ToSlash(rel)
	if strings.HasPrefix(rel, "/") {
		if clean = strings.TrimPrefix(filepath.Clean(rel), "/"); clean == "" {
			return ".", false
		}
		return clean, false
	}
	clean = filepath.Clean(rel)
	return clean, clean == ".." || strings.HasPrefix(clean, "../")
}

// Excluded reports whether the context-relative path rel is excluded by the
// ignore file. The Dockerfile and the ignore file are never excluded. An
// excluded directory (one that exists in Dir) is reported as not excluded when an exception ("!")
// pattern may re-include something beneath it, so a walker descends into
// it and asks again for each entry (as Docker's context walker does).
func (c *Context) Excluded(rel string) (bool, error) {
	clean, escaped := cleanRel(rel)
	if escaped {
		return false, fmt.Errorf("%s: %w", rel, ErrContextEscape)
	}
	if c.ignore == nil || clean == "." || c.alwaysKept[clean] {
		return false, nil
	}
	m, err := c.ignore.MatchesOrParentMatches(clean)
	if err != nil {
		return false, fmt.Errorf("matching %s against the ignore file: %w", rel, err)
	}
	if !m || !c.ignore.Exclusions() {
		return m, nil
	}
	if fi, err := os.Lstat(filepath.Join(c.Dir, clean)); err != nil || !fi.IsDir() {
		return true, nil
	}
	prefix := clean + "/"
	for _, p := range c.ignore.Patterns() {
		if p.Exclusion() && strings.HasPrefix(filepath.ToSlash(p.String())+"/", prefix) {
			return false, nil
		}
	}
	return true, nil
}

// Path returns the host path of the context-relative path rel ("/a" is the
// same as "a"), with symlinks resolved. A path that leads outside the
// context, by ".." or through a symlink, is an error wrapping
// ErrContextEscape; the path returned is always inside Dir.
func (c *Context) Path(rel string) (string, error) {
	clean, escaped := cleanRel(rel)
	if escaped {
		return "", fmt.Errorf("%s: %w", rel, ErrContextEscape)
	}
	if clean == "." {
		return c.Dir, nil
	}
	// Where the symlinks really lead: outside is an error, not a surprise.
	if real, err := filepath.EvalSymlinks(filepath.Join(c.Dir, clean)); err == nil {
		if _, inside := c.rel(real); !inside {
			return "", fmt.Errorf("%s: a symlink leads outside the context: %w", rel, ErrContextEscape)
		}
	}
	// A resolution that cannot leave Dir, whatever changes meanwhile.
	p, err := securejoin.SecureJoin(c.Dir, clean)
	if err != nil {
		return "", fmt.Errorf("resolving %s in the build context: %w", rel, err)
	}
	return p, nil
}

// Close removes the temporary directories of the context; it may be called
// more than once.
func (c *Context) Close() error {
	var errs []error
	for _, d := range c.temps {
		if err := os.RemoveAll(d); err != nil {
			errs = append(errs, err)
		}
	}
	c.temps = nil
	return errors.Join(errs...)
}
