package systemd

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unit is a systemd unit file held in memory: its sections in order, each
// with its entries and comments, so that a file read and written again
// keeps its order and comments. A section named twice is one section.
// Values are the text after "=", with line continuations joined as systemd
// joins them; nothing is unquoted until a caller asks (Words, Value).
type Unit struct {
	// Path is where the file was read from ("" for a unit made in memory).
	Path     string
	sections []*Section
	// header holds the comments before the first section.
	header []string
}

// Section is one [Name] of a unit.
type Section struct {
	Name string
	// comments are the comment and blank lines before the header.
	comments []string
	entries  []Entry
}

// Entry is one line of a section: a KEY=VALUE assignment, or a comment or
// blank line kept for writing (Key empty).
type Entry struct {
	Key, Value string
	// Line is the line of the file where the entry starts (0 when made in
	// memory).
	Line    int
	comment string
}

func (e Entry) isComment() bool { return e.Key == "" }

// ParseError is a line of a unit file that is not systemd syntax.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg) }

// ReadUnit reads and parses the unit file at path.
func ReadUnit(path string) (*Unit, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUnit(path, b)
}

// ParseUnit parses a unit file as systemd does (systemd.syntax(7)): lines
// starting with # or ; are comments; a line ending in an unescaped
// backslash continues on the next, the backslash read as a space, and
// comment lines inside a continuation are skipped; whitespace around "="
// and at both ends of a line is dropped. Unlike systemd, which warns and
// skips them, a line that is neither a section header, an assignment nor
// a comment, and an assignment before any section, are errors naming the
// line. path names the file in errors.
func ParseUnit(path string, data []byte) (*Unit, error) {
	u := &Unit{Path: path}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := strings.Split(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var cur *Section
	var pending []string // comments and blank lines not yet placed
	cont, contStart := "", 0
	inCont := false
	for i, raw := range lines {
		n := i + 1
		raw = strings.TrimSuffix(raw, "\r")
		if inCont {
			if t := strings.TrimLeft(raw, " \t"); t != "" && (t[0] == '#' || t[0] == ';') {
				continue
			}
			raw = cont + raw
		} else {
			contStart = n
		}
		if endsEscaped(raw) {
			raw = raw[:len(raw)-1] + " "
			if n < len(lines) {
				cont, inCont = raw, true
				continue
			}
		}
		inCont = false
		line := strings.TrimSpace(raw)
		if !utf8.ValidString(line) {
			return nil, &ParseError{path, contStart, "not valid UTF-8"}
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			pending = append(pending, line)
		case line[0] == '[':
			name, ok := strings.CutSuffix(line[1:], "]")
			if !ok || !validSectionName(name) {
				return nil, &ParseError{path, contStart, fmt.Sprintf("invalid section header %q", line)}
			}
			cur = u.section(name, true)
			// One blank line before a header is the writer's own.
			if len(pending) > 0 && pending[0] == "" {
				pending = pending[1:]
			}
			cur.comments = append(cur.comments, pending...)
			pending = nil
		default:
			k, v, ok := strings.Cut(line, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case !ok || k == "":
				return nil, &ParseError{path, contStart, fmt.Sprintf("%q is neither KEY=VALUE, a [section] nor a comment", line)}
			case cur == nil:
				return nil, &ParseError{path, contStart, fmt.Sprintf("%s= comes before any [section]", k)}
			case strings.ContainsFunc(k, unicode.IsSpace):
				return nil, &ParseError{path, contStart, fmt.Sprintf("invalid key %q", k)}
			}
			for _, c := range pending {
				cur.entries = append(cur.entries, Entry{comment: c})
			}
			pending = nil
			cur.entries = append(cur.entries, Entry{Key: k, Value: v, Line: contStart})
		}
	}
	if cur == nil {
		u.header = pending
	} else {
		for _, c := range pending {
			cur.entries = append(cur.entries, Entry{comment: c})
		}
	}
	return u, nil
}

// endsEscaped reports whether s ends in a backslash that escapes the line
// end (an odd run of backslashes), as systemd decides a continuation.
func endsEscaped(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func validSectionName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return r == '[' || r == ']' || unicode.IsControl(r)
	})
}

// section returns the named section; with create, a missing one is added
// at the end ([Unit] at the front, where readers look for it).
func (u *Unit) section(name string, create bool) *Section {
	for _, s := range u.sections {
		if s.Name == name {
			return s
		}
	}
	if !create {
		return nil
	}
	s := &Section{Name: name}
	if name == "Unit" {
		u.sections = append([]*Section{s}, u.sections...)
	} else {
		u.sections = append(u.sections, s)
	}
	return s
}

// Sections lists the section names in order.
func (u *Unit) Sections() []string {
	names := make([]string, len(u.sections))
	for i, s := range u.sections {
		names[i] = s.Name
	}
	return names
}

// HasSection reports whether the unit has the section.
func (u *Unit) HasSection(name string) bool { return u.section(name, false) != nil }

// Entries returns the assignments of a section in order (comments left out).
func (u *Unit) Entries(section string) []Entry {
	s := u.section(section, false)
	if s == nil {
		return nil
	}
	var out []Entry
	for _, e := range s.entries {
		if !e.isComment() {
			out = append(out, e)
		}
	}
	return out
}

// Last returns the last assignment of key in section.
func (u *Unit) Last(section, key string) (Entry, bool) {
	s := u.section(section, false)
	if s == nil {
		return Entry{}, false
	}
	for i := len(s.entries) - 1; i >= 0; i-- {
		if s.entries[i].Key == key {
			return s.entries[i], true
		}
	}
	return Entry{}, false
}

// All returns every assignment of key in section, in order; an empty
// value resets the list, as it does for systemd's list settings.
func (u *Unit) All(section, key string) []Entry {
	s := u.section(section, false)
	if s == nil {
		return nil
	}
	var out []Entry
	for _, e := range s.entries {
		if e.Key != key {
			continue
		}
		if e.Value == "" {
			out = nil
			continue
		}
		out = append(out, e)
	}
	return out
}

// Add appends KEY=VALUE to section (made when missing). value is written
// as it is: quote it first (quote, joinCommand) where it needs quoting.
func (u *Unit) Add(section, key, value string) {
	s := u.section(section, true)
	s.entries = append(s.entries, Entry{Key: key, Value: value})
}

// Set replaces the last assignment of key in section, or adds one.
func (u *Unit) Set(section, key, value string) {
	s := u.section(section, true)
	for i := len(s.entries) - 1; i >= 0; i-- {
		if s.entries[i].Key == key {
			s.entries[i].Value = value
			return
		}
	}
	s.entries = append(s.entries, Entry{Key: key, Value: value})
}

// Prepend puts KEY=VALUE first in section (made when missing).
func (u *Unit) Prepend(section, key, value string) {
	s := u.section(section, true)
	s.entries = append([]Entry{{Key: key, Value: value}}, s.entries...)
}

// Unset removes every assignment of key in section.
func (u *Unit) Unset(section, key string) {
	s := u.section(section, false)
	if s == nil {
		return
	}
	kept := s.entries[:0]
	for _, e := range s.entries {
		if e.Key != key {
			kept = append(kept, e)
		}
	}
	s.entries = kept
}

// Rename gives section a new name, merging it into an existing one of
// that name.
func (u *Unit) Rename(from, to string) {
	s := u.section(from, false)
	if s == nil || from == to {
		return
	}
	if t := u.section(to, false); t != nil {
		t.entries = append(t.entries, s.entries...)
		u.remove(s)
		return
	}
	s.Name = to
}

func (u *Unit) remove(s *Section) {
	for i, x := range u.sections {
		if x == s {
			u.sections = append(u.sections[:i], u.sections[i+1:]...)
			return
		}
	}
}

// Merge appends other's sections and entries to u (drop-ins).
func (u *Unit) Merge(other *Unit) {
	for _, o := range other.sections {
		s := u.section(o.Name, true)
		s.entries = append(s.entries, o.entries...)
	}
}

// Clone returns a deep copy of u.
func (u *Unit) Clone() *Unit {
	c := &Unit{Path: u.Path, header: append([]string(nil), u.header...)}
	for _, s := range u.sections {
		c.sections = append(c.sections, &Section{
			Name:     s.Name,
			comments: append([]string(nil), s.comments...),
			entries:  append([]Entry(nil), s.entries...),
		})
	}
	return c
}

// AddComment adds comment lines ("# " added) before everything else.
func (u *Unit) AddComment(lines ...string) {
	var c []string
	for _, l := range lines {
		c = append(c, strings.TrimRight("# "+l, " "))
	}
	u.header = append(c, u.header...)
}

// WriteTo writes the unit: header comments, then each section after a
// blank line, its comments, [Name] and its lines.
func (u *Unit) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, c := range u.header {
		b.WriteString(c + "\n")
	}
	for i, s := range u.sections {
		if i > 0 || len(u.header) > 0 {
			b.WriteString("\n")
		}
		for _, c := range s.comments {
			b.WriteString(c + "\n")
		}
		b.WriteString("[" + s.Name + "]\n")
		for _, e := range s.entries {
			if e.isComment() {
				b.WriteString(e.comment + "\n")
			} else {
				b.WriteString(e.Key + "=" + e.Value + "\n")
			}
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// String is the unit as WriteTo writes it.
func (u *Unit) String() string {
	var b strings.Builder
	_, _ = u.WriteTo(&b)
	return b.String()
}

// Name is the file name of the unit's path.
func (u *Unit) Name() string { return filepath.Base(u.Path) }
