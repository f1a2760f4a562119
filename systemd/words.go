package systemd

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file splits values into words and quotes words back, with the rules
// systemd applies to command lines (ExecStart=) and lists (systemd.syntax(7),
// systemd.service(5) "Command lines"). Specifiers (%n, %h...) and $VARIABLES
// are left alone when splitting: systemd expands them when it reads the
// generated unit.

// wordSeparators are the characters between words.
const wordSeparators = " \t\n\r"

// Words splits s into words as systemd splits a command line: double or
// single quotes group a word (and are removed), and C-style escapes (\n,
// \t, \", \\, \xHH, \uHHHH, \s...) are decoded. Unbalanced quotes, a
// trailing backslash and unknown escapes are errors.
func Words(s string) ([]string, error) { return splitWords(s, true) }

// ListWords splits s as systemd splits a list setting (WantedBy=, Alias=,
// capability lists): quotes group words and are removed, backslashes are
// kept as they are.
func ListWords(s string) ([]string, error) { return splitWords(s, false) }

func splitWords(s string, unescape bool) ([]string, error) {
	var words []string
	for {
		w, rest, ok, err := firstWord(s, unescape)
		if err != nil {
			return nil, err
		}
		if !ok {
			return words, nil
		}
		words = append(words, w)
		s = rest
	}
}

// firstWord extracts the first word of s: it returns the word, the rest
// of s, and whether there was a word at all. A word of only quotes ("")
// is an empty word.
func firstWord(s string, unescape bool) (word, rest string, ok bool, err error) {
	s = strings.TrimLeft(s, wordSeparators)
	if s == "" {
		return "", "", false, nil
	}
	// A lone \; is a semicolon, not the separator of two commands.
	if unescape && strings.HasPrefix(s, `\;`) && (len(s) == 2 || strings.IndexByte(wordSeparators, s[2]) >= 0) {
		return ";", s[2:], true, nil
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && unescape:
			if i+1 >= len(s) {
				return "", "", false, errors.New("a trailing backslash escapes nothing")
			}
			n, err := unescapeOne(&b, s[i+1:])
			if err != nil {
				return "", "", false, err
			}
			i += n
		case quote != 0:
			if c == quote {
				quote = 0
				continue
			}
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case strings.IndexByte(wordSeparators, c) >= 0:
			return b.String(), s[i:], true, nil
		default:
			b.WriteByte(c)
		}
	}
	if quote != 0 {
		return "", "", false, fmt.Errorf("unbalanced %c quote", quote)
	}
	return b.String(), "", true, nil
}

// unescapeOne decodes the C escape at the start of s (after its
// backslash) into b and returns how many bytes of s it took. The escapes
// are systemd's cunescape_one: NUL is refused.
func unescapeOne(b *strings.Builder, s string) (int, error) {
	simple := map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', '\\': '\\', '"': '"', '\'': '\'', 's': ' '}
	if c, ok := simple[s[0]]; ok {
		b.WriteByte(c)
		return 1, nil
	}
	hex := func(n int) (uint64, bool) {
		if len(s) < 1+n {
			return 0, false
		}
		v, err := strconv.ParseUint(s[1:1+n], 16, 32)
		return v, err == nil
	}
	switch c := s[0]; {
	case c == 'x':
		if v, ok := hex(2); ok && v != 0 {
			b.WriteByte(byte(v))
			return 3, nil
		}
	case c == 'u' || c == 'U':
		n := map[byte]int{'u': 4, 'U': 8}[c]
		if v, ok := hex(n); ok && v != 0 && v <= utf8.MaxRune {
			b.WriteRune(rune(v))
			return 1 + n, nil
		}
	case c >= '0' && c <= '7':
		if len(s) >= 3 {
			if v, err := strconv.ParseUint(s[:3], 8, 16); err == nil && v != 0 && v <= 255 {
				b.WriteByte(byte(v))
				return 3, nil
			}
		}
	}
	return 0, fmt.Errorf("unknown escape \\%s", s[:1])
}

// quoting says which characters systemd would expand in a value and must
// be doubled to stand for themselves.
type quoting int

const (
	// keepExpansions leaves % and $ for systemd to expand: values that
	// came from a unit file the user wrote.
	keepExpansions quoting = iota
	// literalCommand doubles % and $: a command line word that must reach
	// the program as it is.
	literalCommand
	// literalValue doubles %: a setting such as Environment= where
	// systemd expands specifiers but not variables.
	literalValue
)

// quote returns w as one word of a command line or list, quoted and
// escaped only where needed. The word ";" is escaped, as systemd reads it
// as a command separator.
func quote(w string, q quoting) string {
	if q != keepExpansions {
		w = strings.ReplaceAll(w, "%", "%%")
	}
	if q == literalCommand {
		w = strings.ReplaceAll(w, "$", "$$")
	}
	switch {
	case w == "":
		return `""`
	case w == ";":
		return `\;`
	case !needsQuotes(w):
		return w
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRuneInString(w[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, w[i])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

func needsQuotes(w string) bool {
	if !utf8.ValidString(w) {
		return true
	}
	for _, r := range w {
		if r <= ' ' || r == 0x7f || r == '"' || r == '\'' || r == '\\' {
			return true
		}
	}
	return false
}

// quoteAll quotes every word.
func quoteAll(args []string, q quoting) []string {
	words := make([]string, len(args))
	for i, a := range args {
		words[i] = quote(a, q)
	}
	return words
}

// joinCommand quotes args into one command line on one line.
func joinCommand(args []string, q quoting) string {
	return strings.Join(quoteAll(args, q), " ")
}

// formatWords lays quoted words out as `podman generate systemd` lays out
// its commands: a new continued line before every word that begins
// with "-".
func formatWords(words []string) string {
	var b strings.Builder
	for i, w := range words {
		switch {
		case i == 0:
		case strings.HasPrefix(w, "-"):
			b.WriteString(" \\\n\t")
		default:
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
