package copier

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
)

// ExtractOptions say how Extract writes; the zero value is WriteOptions'
// zero value with names confined to the destination.
type ExtractOptions struct {
	WriteOptions
	// Strict refuses with ErrUnsafe an absolute name, a name or hard link
	// target with a ".." element, and an entry reached through a symbolic
	// link, one the archive made or one already there (pod volume import).
	// Otherwise an absolute name is taken relative to the destination, as
	// Docker does, and links on the way are resolved inside the root.
	Strict bool
}

// Extract writes the tar stream r under dir, a path inside root whose
// links are resolved inside root and which is made when missing. A name
// or hard link target that climbs above dir with ".." is ErrUnsafe, and
// so is a hard link to a directory. A later entry replaces an earlier one
// (directories merge); an entry for dir itself ("." or "./") leaves dir's
// owner, mode and times alone. Errors name the entry. The tar reader
// bounds what one header may hold in memory (long names, PAX records).
func Extract(r io.Reader, root, dir string, o ExtractOptions) error {
	w, err := newWriter(root, dir, o.WriteOptions)
	if err != nil {
		return err
	}
	defer w.close()
	w.strict, w.keepDirMeta = o.Strict, true
	if !o.Strict {
		if w.dir, err = Resolve(root, dir); err != nil {
			return err
		}
	}
	var d interface{ Close() error }
	if o.Strict {
		d, err = openDirStrict(w.root, w.dir, true)
	} else {
		d, err = pathrs.MkdirAllHandle(w.root, w.dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("making %s: %w", w.dir, unwrapPathError(err))
	}
	d.Close()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		if c := path.Clean(h.Name); (c == "." || c == "/") && h.Typeflag != tar.TypeDir {
			return fmt.Errorf("entry %q: would replace the destination directory: %w", h.Name, ErrUnsafe)
		}
		if err := w.put(h, tr); err != nil {
			return fmt.Errorf("entry %q: %w", h.Name, err)
		}
	}
	return w.finish()
}

// Check reads the tar stream r and refuses it, as a Strict Extract would,
// without writing anything: an absolute name, a ".." element in a name or
// hard link target, an entry under a symbolic link the archive makes.
// With Check first, a refused archive leaves nothing half written.
func Check(r io.Reader) error {
	w := &writer{dir: "/", strict: true}
	links := map[string]bool{}
	under := func(p string) string {
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if links[d] {
				return d
			}
		}
		return ""
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		p, err := w.entryPath(h.Name)
		if err != nil {
			return fmt.Errorf("entry %q: %w", h.Name, err)
		}
		if l := under(p); l != "" {
			return fmt.Errorf("entry %q: under the symbolic link %s: %w", h.Name, l, ErrUnsafe)
		}
		delete(links, p)
		switch h.Typeflag {
		case tar.TypeSymlink:
			links[p] = true
		case tar.TypeLink:
			t, err := w.entryPath(h.Linkname)
			if err != nil {
				return fmt.Errorf("entry %q: hard link to %q: %w", h.Name, h.Linkname, err)
			}
			if l := under(t); l != "" {
				return fmt.Errorf("entry %q: hard link under the symbolic link %s: %w", h.Name, l, ErrUnsafe)
			}
		}
	}
}
