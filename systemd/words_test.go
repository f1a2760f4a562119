package systemd

import (
	"slices"
	"strings"
	"testing"
	"testing/quick"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  a  b\tc ", []string{"a", "b", "c"}},
		{`"a b" 'c d'`, []string{"a b", "c d"}},
		{`a"b c"d`, []string{"ab cd"}},
		{`"" x`, []string{"", "x"}},
		{`\; a;`, []string{";", "a;"}},
		{`"say \"hi\"" 'it\'s'`, []string{`say "hi"`, "it's"}},
		{`\n\t\\\x41\101\u00e9\s`, []string{"\n\t\\AAé "}},
		{`%h/x $HOME`, []string{"%h/x", "$HOME"}},
	} {
		got, err := Words(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`"open`, `'open`, `trailing\`, `\q`, `\x00`, `a\ b`} {
		if w, err := Words(bad); err == nil {
			t.Errorf("Words(%q) = %q, want an error", bad, w)
		}
	}
}

func TestListWords(t *testing.T) {
	got, err := ListWords(`a.service "b c.target" d\x`)
	if err != nil || !slices.Equal(got, []string{"a.service", "b c.target", `d\x`}) {
		t.Errorf("ListWords = %q, %v", got, err)
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		in   string
		q    quoting
		want string
	}{
		{"plain", keepExpansions, "plain"},
		{"", keepExpansions, `""`},
		{";", keepExpansions, `\;`},
		{"a b", keepExpansions, `"a b"`},
		{`q"b\`, keepExpansions, `"q\"b\\"`},
		{"it's", keepExpansions, `"it's"`},
		{"l1\nl2\x01", keepExpansions, `"l1\nl2\x01"`},
		{"\xff", keepExpansions, `"\xff"`},
		{"é", keepExpansions, "é"},
		{"%h $X", keepExpansions, `"%h $X"`},
		{"100%$x", literalCommand, "100%%$$x"},
		{"100%$x", literalValue, "100%%$x"},
	} {
		if got := quote(tc.in, tc.q); got != tc.want {
			t.Errorf("quote(%q, %d) = %s, want %s", tc.in, tc.q, got, tc.want)
		}
	}
}

// TestQuoteRoundTrip: any word, quoted, splits back to itself (NUL
// aside, which no command line can carry).
func TestQuoteRoundTrip(t *testing.T) {
	f := func(words []string) bool {
		for i, w := range words {
			words[i] = strings.ReplaceAll(w, "\x00", "")
		}
		got, err := Words(joinCommand(words, keepExpansions))
		if len(words) == 0 {
			return err == nil && len(got) == 0
		}
		return err == nil && slices.Equal(got, words)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
	odd := []string{"", " ", `\`, `"`, "'", "\\\n", "a;b", ";", "\t", "\xc3", "\\x41"}
	if !f(odd) {
		t.Errorf("%q does not split back", odd)
	}
}

func TestFormatWords(t *testing.T) {
	got := formatWords([]string{"/bin/pod", "run", "--rm", "-d", "img", "sh", "-c", "x"})
	want := "/bin/pod run \\\n\t--rm \\\n\t-d img sh \\\n\t-c x"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
