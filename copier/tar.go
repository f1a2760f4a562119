package copier

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// TarOptions say how WriteTar writes.
type TarOptions struct {
	// Name is the name of the top entry, the rest being named under it
	// (Docker's entry names, with the top renamed as pod cp needs); ""
	// leaves the top entry out and names the rest relative to it.
	Name string
	// Exclude, when set, leaves entries under src out.
	Exclude ExcludeFunc
	// Devices writes device nodes; without it they are left out.
	Devices bool
}

// WriteTar writes the tree at src, a path inside root whose last element
// is not followed, to w as a tar stream: numeric owners, modes, times in
// seconds, extended attributes as PAX records, hard links within the tree
// as links, directories named with a trailing "/".
func WriteTar(w io.Writer, root, src string, o TarOptions) error {
	tw := tar.NewWriter(w)
	top := strings.TrimSuffix(o.Name, "/")
	wk := walker{exclude: o.Exclude, devices: o.Devices, emit: func(h *tar.Header, content io.Reader) error {
		if h.Name == "" && top == "" {
			return nil
		}
		rel := h.Name
		h.Name = tarName(top, h.Name)
		if h.Typeflag == tar.TypeDir {
			h.Name += "/"
		}
		if h.Typeflag == tar.TypeLink {
			h.Linkname = tarName(top, h.Linkname)
		}
		h.ModTime, h.AccessTime = h.ModTime.Truncate(time.Second), time.Time{}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("%s: %w", entryName(src, rel), err)
		}
		if h.Typeflag == tar.TypeReg && h.Size > 0 {
			if _, err := io.CopyN(tw, content, h.Size); err != nil {
				return fmt.Errorf("%s: %w", entryName(src, rel), err)
			}
		}
		return nil
	}}
	if err := wk.walk(root, src); err != nil {
		return err
	}
	return tw.Close()
}

// tarName is an entry's name in the archive: rel under top.
func tarName(top, rel string) string {
	switch {
	case rel == "":
		return top
	case top == "":
		return rel
	}
	return path.Join(top, rel)
}
