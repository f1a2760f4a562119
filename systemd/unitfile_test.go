package systemd

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseUnit(t *testing.T) {
	text := "\ufeff# header comment\n" +
		"[Unit]\n" +
		"Description = spaced  \n" +
		"\n" +
		"; a comment\n" +
		"[Service]\n" +
		"ExecStart=/bin/echo one \\\n" +
		"  two \\\n" +
		"# a comment inside the continuation is skipped\n" +
		"; so is this one\n" +
		"  three\n" +
		"Environment=A=1\n" +
		"Environment=B=2\n" +
		"Path=C:\\\\\n" +
		"Pct=%h/x\n" +
		"[Unit]\n" +
		"After=a.service\n" +
		"Last=a\\\n"
	u, err := ParseUnit("/x/t.service", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Sections(); !slices.Equal(got, []string{"Unit", "Service"}) {
		t.Errorf("sections %v: a section named twice is one", got)
	}
	for _, tc := range []struct {
		section, key, value string
		line                int
	}{
		{"Unit", "Description", "spaced", 3},
		// The backslash reads as a space; the next line's own leading
		// whitespace is kept, as systemd keeps it.
		{"Service", "ExecStart", "/bin/echo one    two    three", 7},
		{"Service", "Environment", "B=2", 13},
		// An escaped backslash at the end is no continuation.
		{"Service", "Path", `C:\\`, 14},
		{"Service", "Pct", "%h/x", 15},
		{"Unit", "After", "a.service", 17},
		// A continuation at the end of the file ends there.
		{"Unit", "Last", "a", 18},
	} {
		e, ok := u.Last(tc.section, tc.key)
		if !ok || e.Value != tc.value || e.Line != tc.line {
			t.Errorf("%s.%s = %q line %d (found %v), want %q line %d", tc.section, tc.key, e.Value, e.Line, ok, tc.value, tc.line)
		}
	}
	if n := len(u.All("Service", "Environment")); n != 2 {
		t.Errorf("Environment= entries: %d, want 2", n)
	}
}

// TestUnitRoundTrip: a unit read and written keeps its comments, order
// and repeated keys.
func TestUnitRoundTrip(t *testing.T) {
	text := "# head\n\n[Unit]\nDescription=x\n# about After\nAfter=a\nAfter=b\n\n# before Service\n[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=default.target\n"
	u, err := ParseUnit("t", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.String(); got != text {
		t.Errorf("written again:\n%s\nwant:\n%s", got, text)
	}
}

func TestUnitEdit(t *testing.T) {
	u, err := ParseUnit("t", []byte("[Container]\nImage=x\n[Service]\nRestart=always\n"))
	if err != nil {
		t.Fatal(err)
	}
	u.Rename("Container", "X-Container")
	u.Add("Service", "Environment", "A=1")
	u.Set("Service", "Restart", "no")
	u.Set("Service", "Type", "notify")
	u.Add("Unit", "Description", "made")
	u.Prepend("Unit", "Wants", "w")
	u.Add("Service", "List", "a")
	u.Add("Service", "List", "")
	u.Add("Service", "List", "b")
	want := "[Unit]\nWants=w\nDescription=made\n\n[X-Container]\nImage=x\n\n[Service]\nRestart=no\nEnvironment=A=1\nType=notify\nList=a\nList=\nList=b\n"
	if got := u.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if l := u.All("Service", "List"); len(l) != 1 || l[0].Value != "b" {
		t.Errorf("an empty value resets a list: %v", l)
	}
	u.Unset("Service", "List")
	if _, ok := u.Last("Service", "List"); ok {
		t.Error("Unset left the key")
	}
}

func TestParseUnitErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Key=before any section\n", "t:1: Key= comes before any [section]"},
		{"[Unit]\nno equals sign\n", "t:2: \"no equals sign\" is neither KEY=VALUE"},
		{"[Unit]\n=value\n", "t:2:"},
		{"[Unit\n", "t:1: invalid section header"},
		{"[Unit]\nA=1\n[Bad]x]\n", "t:3: invalid section header"},
		{"[Unit]\nA=\xff\n", "t:2: not valid UTF-8"},
	} {
		_, err := ParseUnit("t", []byte(tc.text))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}
