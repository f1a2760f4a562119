package copier

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarList lists a tar archive: name, type, mode, owner, link target,
// size and xattrs of each entry.
func tarList(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		l := fmt.Sprintf("%s %c %o %d:%d", h.Name, h.Typeflag, h.Mode, h.Uid, h.Gid)
		if h.Linkname != "" {
			l += " -> " + h.Linkname
		}
		if h.Typeflag == tar.TypeReg {
			l += fmt.Sprintf(" %d", h.Size)
		}
		for k, v := range h.PAXRecords {
			if strings.HasPrefix(k, paxXattr+"user.") {
				l += " " + strings.TrimPrefix(k, paxXattr) + "=" + v
			}
		}
		if h.Uname != "" || h.Gname != "" || h.ModTime.Nanosecond() != 0 || !h.AccessTime.IsZero() {
			t.Errorf("%s: names %q %q, mtime %v, atime %v", h.Name, h.Uname, h.Gname, h.ModTime, h.AccessTime)
		}
		out = append(out, l)
	}
}

func TestWriteTar(t *testing.T) {
	src := t.TempDir()
	richTree(t, src)
	// Owners as set when root, else the test's; the group of entries
	// made in d is d's (setgid).
	own := func(u, g int) string {
		if !asRoot {
			u, g = os.Geteuid(), os.Getegid()
		}
		return fmt.Sprintf("%d:%d", u, g)
	}
	want := func(top string) []string {
		j := func(p string) string { return strings.TrimPrefix(top+"/"+p, "/") }
		l := []string{
			j("abs") + " 2 777 " + own(7, 7) + " -> /etc/passwd",
			j("dangling") + " 2 777 " + own(0, 1000) + " -> nowhere",
			j("f") + " 0 640 " + own(1234, 5678) + " 7 user.k=v",
			j("fifo") + " 6 600 " + own(0, 1000),
			j("hard") + " 1 640 " + own(1234, 5678) + " -> " + j("f"),
			j("sticky/") + " 5 1777 " + own(0, 1000) + " user.dir=yes",
			j("sticky/empty") + " 0 644 " + own(0, 0) + " 0",
			j("suid") + " 0 6755 " + own(1, 1) + " 10",
			j("up") + " 2 777 " + own(0, 1000) + " -> ../../../..",
		}
		if top != "" {
			l = append([]string{top + "/ 5 2750 " + own(1000, 1000)}, l...)
		}
		return l
	}
	for _, top := range []string{"data", ""} {
		var buf bytes.Buffer
		if err := WriteTar(&buf, src, "/d", TarOptions{Name: top}); err != nil {
			t.Fatal(err)
		}
		sameLines(t, "tar of d named "+top, tarList(t, buf.Bytes()), want(top))
	}
	// A symbolic link source is written as the link, renamed.
	var buf bytes.Buffer
	if err := WriteTar(&buf, src, "/d/abs", TarOptions{Name: "renamed"}); err != nil {
		t.Fatal(err)
	}
	sameLines(t, "tar of a link", tarList(t, buf.Bytes()), []string{"renamed 2 777 " + own(7, 7) + " -> /etc/passwd"})
	buf.Reset()
	if err := WriteTar(&buf, src, "/d", TarOptions{Name: "x", Exclude: func(rel string, _ bool) (bool, error) { return rel != "f", nil }}); err != nil {
		t.Fatal(err)
	}
	sameLines(t, "tar with excludes", tarList(t, buf.Bytes()), []string{"x/ 5 2750 " + own(1000, 1000), "x/f 0 640 " + own(1234, 5678) + " 7 user.k=v"})
}

// TestTarRoundTrip: what WriteTar writes, Extract writes back the same.
func TestTarRoundTrip(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	richTree(t, src)
	var buf bytes.Buffer
	if err := WriteTar(&buf, src, "/d", TarOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Extract(&buf, s.root, "/sub/dir", ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	seconds := func(ls []string) []string {
		for i := range ls {
			ls[i] = strings.Replace(ls[i], ".123456789Z", "Z", 1)
		}
		return ls[1:] // the top is not in the archive
	}
	sameLines(t, "extracted", seconds(describe(t, filepath.Join(s.root, "sub/dir"))), seconds(describe(t, filepath.Join(src, "d"))))
	s.intact(t)
}
