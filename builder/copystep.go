package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/copier"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/storage"
)

// copyStep is a planned COPY or ADD: its sources resolved and digested.
type copyStep struct {
	root     sourceRoot
	sources  []source
	dest     string
	destDir  bool
	chown    string
	chmod    fs.FileMode
	hasChmod bool
	excludes *patternmatcher.PatternMatcher
	digests  map[string]string
	unpack   bool
	parents  bool
	release  func()
	where    string // "Dockerfile:LINE: INSTRUCTION", for errors
}

// planCopy resolves a COPY's or ADD's sources (downloading ADD's URLs) and
// digests them for the cache key.
func (b *builder) planCopy(ctx context.Context, s *state, cmd instructions.Command) (*copyStep, error) {
	var sd instructions.SourcesAndDest
	var from, chown, chmod, checksum string
	var excludes []string
	cp := &copyStep{release: func() {}, where: fmt.Sprintf("%s:%d: %s", b.df.Name, line(cmd), text(cmd))}
	switch c := cmd.(type) {
	case *instructions.CopyCommand:
		sd, from, chown, chmod, excludes, cp.parents = c.SourcesAndDest, c.From, c.Chown, c.Chmod, c.ExcludePatterns, c.Parents
	case *instructions.AddCommand:
		sd, chown, chmod, excludes, checksum = c.SourcesAndDest, c.Chown, c.Chmod, c.ExcludePatterns, c.Checksum
		cp.unpack = c.Unpack == nil || *c.Unpack
	}
	_, isAdd := cmd.(*instructions.AddCommand)
	var err error
	if cp.chmod, cp.hasChmod, err = parseChmod(chmod); err != nil {
		return nil, err
	}
	cp.chown = chown
	if len(excludes) > 0 {
		if cp.excludes, err = patternmatcher.New(excludes); err != nil {
			return nil, fmt.Errorf("--exclude: %w", err)
		}
	}
	root, release, err := b.mountRoot(ctx, from)
	cp.release = release
	if err != nil {
		return cp, err
	}
	cp.root = root
	var locals []string
	tmp := ""
	for _, p := range sd.SourcePaths {
		if isAdd && isURL(p) {
			if tmp == "" {
				if tmp, err = storage.MkdirTemp(b.st.GraphRoot(), "build-add"); err != nil {
					return cp, err
				}
				prev := cp.release
				cp.release = func() { prev(); os.RemoveAll(tmp) }
			}
			src, err := download(ctx, p, checksum, tmp)
			if err != nil {
				return cp, err
			}
			cp.sources = append(cp.sources, src)
			continue
		}
		if isAdd && isGitSource(p) {
			return cp, fmt.Errorf("%w: ADD of a git repository is not supported: clone it in a RUN or use a git build context", ErrSource)
		}
		locals = append(locals, p)
	}
	if checksum != "" && len(locals) > 0 {
		return cp, fmt.Errorf("--checksum applies to URLs only")
	}
	srcs, err := resolveSources(root, locals)
	if err != nil {
		return cp, err
	}
	cp.sources = append(cp.sources, srcs...)
	if len(sd.SourceContents) > 0 {
		if err := cp.inlineSources(b.st.GraphRoot(), sd.SourceContents); err != nil {
			return cp, err
		}
	}
	cp.dest = absDest(sd.DestPath, s.Image.Config.WorkingDir)
	cp.destDir = strings.HasSuffix(sd.DestPath, "/") || sd.DestPath == "."
	if len(cp.sources) > 1 || len(sd.SourcePaths) > 0 && anyGlob(sd.SourcePaths) && len(cp.sources) > 1 {
		if !cp.destDir {
			return cp, fmt.Errorf("%w: with more than one source the destination must be a directory and end with a /", ErrSource)
		}
	}
	if cp.digests, err = digestSources(root, cp.sources, cp.excludes); err != nil {
		return cp, err
	}
	if chown != "" || chmod != "" {
		cp.digests["--chown="+chown+" --chmod="+chmod] = ""
	}
	return cp, nil
}

// inlineSources writes heredoc sources (COPY <<EOF /file) into a
// temporary root in the store of graphRoot.
func (cp *copyStep) inlineSources(graphRoot string, contents []instructions.SourceContent) error {
	dir, err := storage.MkdirTemp(graphRoot, "build-heredoc")
	if err != nil {
		return err
	}
	prev := cp.release
	cp.release = func() { prev(); os.RemoveAll(dir) }
	for _, c := range contents {
		p := filepath.Join(dir, filepath.Base(c.Path))
		if err := os.WriteFile(p, []byte(c.Data), 0o644); err != nil {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		cp.sources = append(cp.sources, source{Host: p, Rel: filepath.Base(c.Path), Info: fi, URL: "heredoc:" + c.Path})
	}
	return nil
}

func anyGlob(ps []string) bool {
	for _, p := range ps {
		if hasGlob(p) {
			return true
		}
	}
	return false
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

func isGitSource(s string) bool {
	return strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git://") || strings.HasSuffix(s, ".git")
}

// download fetches an ADD URL into dir, checking its digest when given.
func download(ctx context.Context, rawURL, checksum, dir string) (source, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return source{}, fmt.Errorf("%w: %s: %v", ErrSource, rawURL, err)
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == "" {
		name = "index.html"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return source{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return source{}, fmt.Errorf("downloading %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return source{}, fmt.Errorf("downloading %s: %s", rawURL, resp.Status)
	}
	host := filepath.Join(dir, name)
	f, err := os.OpenFile(host, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return source{}, err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return source{}, fmt.Errorf("downloading %s: %w", rawURL, err)
	}
	if checksum != "" {
		want, ok := strings.CutPrefix(checksum, "sha256:")
		if !ok {
			return source{}, fmt.Errorf("--checksum=%s: only sha256:HEX is supported", checksum)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return source{}, fmt.Errorf("%s: checksum mismatch: got sha256:%s, want %s", rawURL, got, checksum)
		}
	}
	fi, err := os.Stat(host)
	if err != nil {
		return source{}, err
	}
	return source{Host: host, Rel: name, Info: fi, URL: rawURL}, nil
}

// mountRoot is where COPY --from (or RUN --mount from=) reads: the
// context, a named build context, an earlier stage or an image.
func (b *builder) mountRoot(ctx context.Context, from string) (sourceRoot, func(), error) {
	noop := func() {}
	if from == "" {
		return sourceRoot{Resolve: b.c.Path, Excluded: b.c.Excluded, Dir: b.c.Dir}, noop, nil
	}
	from, err := b.expandMeta(from)
	if err != nil {
		return sourceRoot{}, noop, err
	}
	if dir, ok := b.o.BuildContexts[from]; ok {
		return dirRoot(dir, false), noop, nil
	}
	id := ""
	if j := stageIndex(b.df.Stages, len(b.df.Stages), from); j >= 0 {
		s, ok := b.results[j]
		if !ok {
			return sourceRoot{}, noop, fmt.Errorf("stage %s is not built before it is used", from)
		}
		id = s.ID
	} else {
		local, err := image.Ensure(ctx, b.st, from, b.o.Pull, b.o.PullOptions)
		if err != nil {
			return sourceRoot{}, noop, fmt.Errorf("--from=%s: %w", from, err)
		}
		id = local.ID
	}
	dir, err := b.st.MountImage(id, nil, "")
	if err != nil {
		return sourceRoot{}, noop, fmt.Errorf("mounting %s: %w", from, err)
	}
	return dirRoot(dir, true), func() { _, _ = b.st.UnmountImage(id, false) }, nil
}

func dirRoot(dir string, owned bool) sourceRoot {
	return sourceRoot{Dir: dir, Owned: owned, Resolve: func(rel string) (string, error) {
		p, err := copier.Resolve(dir, rel)
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, p), nil
	}}
}

// doCopy writes the planned sources into a working container on s and
// adds its changes to s as a layer.
func (b *builder) doCopy(_ context.Context, s *state, cp *copyStep, h v1.History) error {
	// Named, and marked with this process as its creator: should the build
	// be killed, ps --external shows it and system prune reclaims it.
	name := "pod-build-copy-" + container.NewID()[:12]
	ctr, err := b.st.CreateContainer("", []string{name}, s.ID, "", container.StorageMetadata(), nil)
	if err != nil {
		return fmt.Errorf("creating a working container: %w", err)
	}
	defer func() { _ = container.Remove(b.st, ctr.ID) }()
	rootfs, err := b.st.Mount(ctr.ID, "")
	if err != nil {
		return fmt.Errorf("mounting the working container: %w", err)
	}
	if err = cp.write(rootfs); err != nil {
		err = fmt.Errorf("%s: %w", cp.where, err)
	}
	if _, uerr := b.st.Unmount(ctr.ID, true); err == nil && uerr != nil {
		err = uerr
	}
	if err != nil {
		return err
	}
	return b.commitLayer(ctr.ID, s, h)
}

// write copies the sources into rootfs, or extracts them there (ADD of a
// local archive: its owners and modes, not --chown's or --chmod's).
func (cp *copyStep) write(rootfs string) error {
	o := copier.CopyOptions{DestMeta: true}
	if !cp.root.Owned {
		o.Owner = &copier.Owner{} // the context's files are root's
	}
	if cp.hasChmod {
		o.Mode = &cp.chmod
	}
	if cp.chown != "" {
		u, err := container.ResolveUser(rootfs, cp.chown)
		if err != nil {
			return fmt.Errorf("--chown=%s: %w", cp.chown, err)
		}
		o.Owner = &copier.Owner{UID: int(u.UID), GID: int(u.GID)}
	}
	// A directory destination is followed, links and all (inside rootfs):
	// the sources go into the directory a link there points to.
	dest, destIsDir := cp.dest, cp.destDir
	if fi, err := copier.Stat(rootfs, cp.dest); err == nil && fi.IsDir() {
		destIsDir = true
	}
	if destIsDir {
		var err error
		if dest, err = copier.Resolve(rootfs, cp.dest); err != nil {
			return err
		}
	}
	for _, s := range cp.sources {
		if cp.unpack && s.URL == "" && s.Info.Mode().IsRegular() && archive.IsArchivePath(s.Host) {
			if err := extractArchive(s.Host, rootfs, dest); err != nil {
				return fmt.Errorf("extracting %s: %w", s.Rel, err)
			}
			continue
		}
		root := cp.root
		if s.URL != "" {
			root = dirRoot(filepath.Dir(s.Host), false)
		}
		src, err := filepath.Rel(root.Dir, s.Host)
		if err != nil {
			return fmt.Errorf("copying %s: %w", s.Rel, err)
		}
		o.Exclude = func(rel string, _ bool) (bool, error) { return excluded(root, s, cp.excludes, rel) }
		if err := copier.Copy(root.Dir, src, rootfs, destFor(dest, destIsDir, s, cp.parents), o); err != nil {
			return fmt.Errorf("copying %s: %w", s.Rel, err)
		}
	}
	return nil
}

// extractArchive extracts the local archive host (plain or compressed)
// into dest in rootfs.
func extractArchive(host, rootfs, dest string) error {
	f, err := os.Open(host)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := archive.DecompressStream(f)
	if err != nil {
		return err
	}
	defer r.Close()
	return copier.Extract(r, rootfs, dest, copier.ExtractOptions{WriteOptions: copier.WriteOptions{Devices: true}})
}
