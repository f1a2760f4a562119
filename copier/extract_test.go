package copier

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzExtract from the hostile archives")

// errAny stands for any error.
var errAny = errors.New("any error")

// hostile is an archive that tries to write outside its destination, or
// to confuse the extractor, with what should come of it.
type hostile struct {
	name    string
	entries []entry
	// lenient and strict: the error Extract returns (nil, ErrUnsafe or
	// errAny); lenientHas: "path=content" (or "path->target", "path/")
	// found in the root afterwards.
	lenient, strict error
	lenientHas      []string
}

func hostileArchives() []hostile {
	reg := func(name, data string) entry { return entry{name: name, data: data} }
	sym := func(name, target string) entry { return entry{name: name, link: target, typ: tar.TypeSymlink} }
	hard := func(name, target string) entry { return entry{name: name, link: target, typ: tar.TypeLink} }
	dir := func(name string) entry { return entry{name: name, typ: tar.TypeDir} }
	return []hostile{
		{name: "dotdot", entries: []entry{reg("ok", "1"), reg("../canary/evil", "x")}, lenient: ErrUnsafe, strict: ErrUnsafe},
		{name: "inner-dotdot", entries: []entry{reg("a/../../canary/evil", "x")}, lenient: ErrUnsafe, strict: ErrUnsafe},
		{name: "harmless-dotdot", entries: []entry{reg("a/../b", "x")}, strict: ErrUnsafe, lenientHas: []string{"b=x"}},
		{name: "absolute", entries: []entry{reg("/canary/evil", "x")}, strict: ErrUnsafe, lenientHas: []string{"canary/evil=x"}},
		{name: "symlink-then-write", entries: []entry{sym("l", "../canary"), reg("l/evil", "x")}, strict: ErrUnsafe, lenientHas: []string{"canary/evil=x"}},
		{name: "symlink-root-then-write", entries: []entry{sym("l", "/"), reg("l/evil", "x")}, strict: ErrUnsafe, lenientHas: []string{"evil=x", "l->/"}},
		{name: "symlink-up-then-write", entries: []entry{sym("l", "../../../../.."), dir("l/canary/"), reg("l/canary/evil", "x")}, strict: ErrUnsafe, lenientHas: []string{"canary/evil=x"}},
		{name: "symlink-then-overwrite", entries: []entry{sym("f", "../canary/file"), reg("f", "overwritten")}, lenientHas: []string{"f=overwritten"}},
		{name: "hardlink-out", entries: []entry{hard("h", "../canary/file")}, lenient: ErrUnsafe, strict: ErrUnsafe},
		{name: "hardlink-passwd", entries: []entry{hard("h", "/etc/passwd")}, lenient: errAny, strict: ErrUnsafe},
		{name: "hardlink-through-symlink", entries: []entry{sym("l", "../canary"), hard("h", "l/file")}, lenient: errAny, strict: ErrUnsafe},
		{name: "hardlink-then-write", entries: []entry{reg("f", "first"), hard("h", "f"), reg("h", "second")}, lenientHas: []string{"f=first", "h=second"}},
		{name: "hardlink-self", entries: []entry{hard("h", "h")}, lenient: errAny, strict: errAny},
		{name: "hardlink-dir", entries: []entry{dir("d/"), hard("h", "d")}, lenient: errAny, strict: errAny},
		{name: "duplicates", entries: []entry{reg("a", "1"), reg("a", "2"), dir("d/"), dir("d/")}, lenientHas: []string{"a=2", "d/"}},
		{name: "dir-replaces-file", entries: []entry{reg("a", "1"), dir("a/"), reg("a/b", "2")}, lenientHas: []string{"a/b=2"}},
		{name: "file-replaces-dir", entries: []entry{dir("d/"), reg("d/x", "1"), reg("d", "2")}, lenientHas: []string{"d=2"}},
		{name: "dot-file", entries: []entry{reg(".", "x")}, lenient: ErrUnsafe, strict: ErrUnsafe},
		{name: "dot-dir", entries: []entry{dir("./"), reg("./a/./b", "x")}, lenientHas: []string{"a/b=x"}},
		{name: "symlink-loop", entries: []entry{sym("a", "b"), sym("b", "a"), reg("a/x", "x")}, lenient: errAny, strict: ErrUnsafe},
		{name: "dir-swapped-for-symlink", entries: []entry{dir("d/"), sym("d", "../canary"), reg("d/x", "x")}, strict: ErrUnsafe, lenientHas: []string{"canary/x=x", "d->../canary"}},
		{name: "dir-swapped-under-entries", entries: []entry{dir("a/b/"), reg("a/b/f", "1"), sym("a", "../canary"), reg("a/b/g", "2")}, strict: ErrUnsafe, lenientHas: []string{"canary/b/g=2", "a->../canary"}},
		{name: "symlink-chain", entries: []entry{sym("a", "b/../../.."), sym("b", "c"), dir("c/"), reg("a/canary/file", "x")}, strict: ErrUnsafe, lenientHas: []string{"canary/file=x"}},
		{name: "devices", entries: []entry{{name: "null", typ: tar.TypeChar, mode: 0o666}, {name: "p", typ: tar.TypeFifo}}},
		{name: "all-mode-bits", entries: []entry{{name: "s", data: "x", mode: 0o7777}}, lenientHas: []string{"s=x"}},
	}
}

// check looks for what lenientHas lists in root.
func check(t *testing.T, root string, has []string) {
	t.Helper()
	for _, h := range has {
		switch {
		case strings.Contains(h, "->"):
			p, want, _ := strings.Cut(h, "->")
			if got, err := os.Readlink(filepath.Join(root, p)); err != nil || got != want {
				t.Errorf("%s -> %q, %v; want -> %q", p, got, err, want)
			}
		case strings.HasSuffix(h, "/"):
			if fi, err := os.Lstat(filepath.Join(root, h)); err != nil || !fi.IsDir() {
				t.Errorf("%s: %v %v, want a directory", h, fi, err)
			}
		default:
			p, want, _ := strings.Cut(h, "=")
			fi, err := os.Lstat(filepath.Join(root, p))
			if err != nil || !fi.Mode().IsRegular() {
				t.Errorf("%s: %v %v, want a file", p, fi, err)
				continue
			}
			if b, _ := os.ReadFile(filepath.Join(root, p)); string(b) != want {
				t.Errorf("%s holds %q, want %q", p, b, want)
			}
		}
	}
}

func matches(err, want error) bool {
	switch want {
	case nil:
		return err == nil
	case errAny:
		return err != nil
	}
	return errors.Is(err, want)
}

func TestExtractHostile(t *testing.T) {
	for _, h := range hostileArchives() {
		t.Run(h.name, func(t *testing.T) {
			data := mktar(t, h.entries...)
			s := newSandbox(t)
			err := Extract(bytes.NewReader(data), s.root, "/", ExtractOptions{WriteOptions: WriteOptions{Devices: true, Owner: testOwner()}})
			if !matches(err, h.lenient) {
				t.Errorf("lenient: %v, want %v", err, h.lenient)
			}
			if err != nil && !strings.Contains(err.Error(), "entry ") {
				t.Errorf("the error does not name the entry: %v", err)
			}
			check(t, s.root, h.lenientHas)
			s.intact(t)

			s = newSandbox(t)
			err = Check(bytes.NewReader(data))
			if err == nil {
				err = Extract(bytes.NewReader(data), s.root, "/", ExtractOptions{Strict: true, WriteOptions: WriteOptions{Owner: testOwner()}})
			} else if ents, _ := os.ReadDir(s.root); len(ents) != 0 {
				t.Errorf("Check wrote %v", names(ents))
			}
			if !matches(err, h.strict) {
				t.Errorf("strict: %v, want %v", err, h.strict)
			}
			s.intact(t)
		})
	}
}

// TestExtractExistingLinks: links already in the destination, to "/", up
// and out, are resolved inside the root (strict: refused), and one at an
// entry's place is replaced, never written through.
func TestExtractExistingLinks(t *testing.T) {
	for _, strict := range []bool{false, true} {
		s := newSandbox(t)
		mktree(t, s.root,
			node{path: "esc", link: "/"}, node{path: "up", link: "../.."},
			node{path: "host", link: s.canary}, node{path: "file", link: s.canaryFile},
			node{path: "hard", link: s.canaryFile},
		)
		for _, name := range []string{"esc/a", "up/b", "host/c", "file", "hard"} {
			err := Extract(bytes.NewReader(mktar(t, entry{name: name, data: "x"})), s.root, "/", ExtractOptions{Strict: strict, WriteOptions: WriteOptions{Owner: testOwner()}})
			if want := strict && name != "file" && name != "hard"; want != errors.Is(err, ErrUnsafe) {
				t.Errorf("strict=%v %s: %v", strict, name, err)
			}
		}
		if !strict {
			check(t, s.root, []string{"a=x", "b=x", filepath.Join(s.canary[1:], "c") + "=x", "file=x"})
		}
		check(t, s.root, []string{"file=x", "hard=x"})
		s.intact(t)
	}
}

// TestExtractInto: entries go under the destination directory, resolved
// inside the root; "." keeps its metadata; NoReplaceDir and owners.
func TestExtractInto(t *testing.T) {
	s := newSandbox(t)
	mktree(t, s.root, node{path: "srv", link: "/data"}, node{path: "data", dir: true, mode: 0o711})
	data := mktar(t, entry{name: "./", typ: tar.TypeDir, mode: 0o700}, entry{name: "a", data: "a", uid: 1000, gid: 1000},
		entry{name: "/abs", data: "b"}, entry{name: "d/", typ: tar.TypeDir})
	self := &Owner{UID: os.Getuid(), GID: os.Getgid()}
	if err := Extract(bytes.NewReader(data), s.root, "/srv", ExtractOptions{WriteOptions: WriteOptions{Owner: self}}); err != nil {
		t.Fatal(err)
	}
	check(t, s.root, []string{"data/a=a", "data/abs=b", "data/d/"})
	if fi, _ := os.Stat(filepath.Join(s.root, "data")); fi.Mode().Perm() != 0o711 {
		t.Errorf("the destination took the mode of \".\": %v", fi.Mode())
	}
	if u, _ := owner(t, filepath.Join(s.root, "data/a")); u != self.UID {
		t.Errorf("Owner was not applied: uid %d, want %d", u, self.UID)
	}
	err := Extract(bytes.NewReader(mktar(t, entry{name: "d", data: "x"})), s.root, "/srv", ExtractOptions{WriteOptions: WriteOptions{NoReplaceDir: true, Owner: self}})
	if !errors.Is(err, ErrReplaceDir) || !strings.Contains(err.Error(), `"d"`) {
		t.Errorf("NoReplaceDir: %v", err)
	}
	// A missing destination is made.
	if err := Extract(bytes.NewReader(mktar(t, entry{name: "f", data: "f"})), s.root, "/new/dir", ExtractOptions{WriteOptions: WriteOptions{Owner: self}}); err != nil {
		t.Fatal(err)
	}
	check(t, s.root, []string{"new/dir/f=f"})
	// A truncated archive is an error naming the entry.
	data = mktar(t, entry{name: "big", data: strings.Repeat("x", 2000)})
	err = Extract(bytes.NewReader(data[:1024]), s.root, "/", ExtractOptions{WriteOptions: WriteOptions{Owner: self}})
	if err == nil || !strings.Contains(err.Error(), `"big"`) {
		t.Errorf("a truncated archive: %v", err)
	}
	s.intact(t)
}

func TestExtractOwners(t *testing.T) {
	if !asRoot {
		t.Skip("chown to another owner needs root")
	}
	s := newSandbox(t)
	data := mktar(t, entry{name: "a", data: "a", uid: 1000, gid: 1001, mode: 0o4755})
	if err := Extract(bytes.NewReader(data), s.root, "/", ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if u, g := owner(t, filepath.Join(s.root, "a")); u != 1000 || g != 1001 {
		t.Errorf("owner %d:%d, want 1000:1001", u, g)
	}
	if fi, _ := os.Stat(filepath.Join(s.root, "a")); fi.Mode() != fs.ModeSetuid|0o755 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func owner(t *testing.T, p string) (int, int) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

// TestFuzzSeeds: the seed corpus of FuzzExtract is the hostile archives
// (go test -run TestFuzzSeeds -update-seeds rewrites it).
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzExtract")
	want := map[string]bool{}
	for _, h := range hostileArchives() {
		want[h.name] = true
		data := mktar(t, h.entries...)
		// Without the two zero blocks that end an archive: a reader takes
		// the end of the stream for them, and the seeds stay small.
		data = data[:len(data)-1024]
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		p := filepath.Join(dir, h.name)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != content {
			t.Errorf("the seed %s is missing or out of date (go test -run TestFuzzSeeds -update-seeds): %v", p, err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !want[e.Name()] {
			t.Errorf("the seed %s is no hostile archive", e.Name())
		}
	}
}
