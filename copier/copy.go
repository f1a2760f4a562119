package copier

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
)

// CopyOptions say how Copy copies; the zero value is WriteOptions' zero
// value, nothing excluded, and an existing directory at dst keeping its
// own owner, mode and times.
type CopyOptions struct {
	WriteOptions
	// Exclude, when set, leaves entries under src out (.dockerignore).
	Exclude ExcludeFunc
	// DestMeta gives an existing directory at dst src's owner, mode and
	// times (COPY, volume copy-up); pod cp leaves it as it is, as Docker.
	DestMeta bool
}

// Copy copies the tree at src, a path inside srcRoot, to dst, a path
// inside dstRoot. The links on the way to src and to dst are resolved
// inside their roots; src itself is not followed (resolve it first to
// copy what a link points to), and whatever is at dst is replaced, or
// merged with when both are directories. Missing parents of dst are made
// (0755). Symbolic links in the tree are copied as links, hard links
// within it stay linked.
func Copy(srcRoot, src, dstRoot, dst string, o CopyOptions) error {
	w, err := newWriter(dstRoot, dst, o.WriteOptions)
	if err != nil {
		return err
	}
	defer w.close()
	w.keepDirMeta = !o.DestMeta
	if w.dir != "/" {
		parent, err := Resolve(dstRoot, path.Dir(w.dir))
		if err != nil {
			return err
		}
		w.dir = path.Join(parent, path.Base(w.dir))
	}
	wk := walker{exclude: o.Exclude, devices: o.Devices, emit: func(h *tar.Header, content io.Reader) error {
		if err := w.put(h, content); err != nil {
			return fmt.Errorf("copying %s: %w", entryName(src, h.Name), err)
		}
		return nil
	}}
	if err := wk.walk(srcRoot, src); err != nil {
		return err
	}
	return w.finish()
}

// entryName names an entry of a copy in an error: its path in the source.
func entryName(src, rel string) string {
	if rel == "" {
		return clean(src)
	}
	return clean(src) + "/" + rel
}
