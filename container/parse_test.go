package container

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func envFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func noHostEnv(string) (string, bool) { return "", false }

func TestParseEnv(t *testing.T) {
	f := envFile(t, "\xef\xbb\xbf# comment\n  A=1\r\n\nB=two words\nHOSTONLY\nC=x=y\n")
	lookup := func(k string) (string, bool) { return "from-host", k == "HOSTONLY" }
	got, err := ParseEnv([]string{"D=multi\nline", "HOSTONLY", "UNSET"}, []string{f}, lookup)
	want := []string{"A=1", "B=two words", "HOSTONLY=from-host", "C=x=y", "D=multi\nline", "HOSTONLY=from-host"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ParseEnv = %q, %v; want %q", got, err, want)
	}
}

func TestParseEnvRefuses(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		file string
		want string
	}{
		{env: []string{"=x"}, want: "no name"},
		{env: []string{"A B=1"}, want: "whitespace or a control character"},
		{env: []string{"EVIL\nNAME=1"}, want: `"EVIL\nNAME=1": the name holds whitespace`},
		{env: []string{"A\x00=1"}, want: "control character"},
		{env: []string{"A=x\x00y"}, want: "NUL"},
		{file: "OK=1\nA B=1\n", want: "line 2: the name holds whitespace"},
		{file: "A=x\x00y\n", want: "line 1: the value holds a NUL byte"},
		{file: "A=\xff\xfe\n", want: "line 1: not UTF-8 text"},
		{file: "A=" + strings.Repeat("x", 1<<17) + "\nB=1\n", want: ""},
	} {
		var files []string
		if tt.file != "" {
			files = []string{envFile(t, tt.file)}
		}
		got, err := ParseEnv(tt.env, files, noHostEnv)
		if tt.want == "" {
			if err != nil || len(got) != 2 {
				t.Errorf("ParseEnv(%q, %.20q) = %d entries, %v; want 2", tt.env, tt.file, len(got), err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseEnv(%q, %.20q) = %q, %v; want one line mentioning %q", tt.env, tt.file, got, err, tt.want)
		}
	}
}

func TestParseLabels(t *testing.T) {
	got, err := ParseLabels([]string{"a=1", "b", "c=x=y", "d=two\nlines"})
	if err != nil || len(got) != 4 || got["a"] != "1" || got["b"] != "" || got["c"] != "x=y" || got["d"] != "two\nlines" {
		t.Fatalf("ParseLabels = %v, %v", got, err)
	}
	for _, bad := range []string{"=x", " =x", "a\nb=1", "a=\x00"} {
		if _, err := ParseLabels([]string{bad}); err == nil || !strings.Contains(err.Error(), "invalid label") {
			t.Errorf("ParseLabels(%q) = %v, want refused", bad, err)
		}
	}
}

func TestCheckHostName(t *testing.T) {
	for _, ok := range []string{"web", "a", "my-host.example.org", "x_1", strings.Repeat("a", 64), "1host"} {
		if err := CheckHostName("--hostname", ok); err != nil {
			t.Errorf("CheckHostName(%q) = %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		strings.Repeat("a", 65):  "at most 64 bytes",
		strings.Repeat("a", 300): `"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... (300 bytes): a host name is at most 64 bytes`,
		"":                       "letters, digits",
		"two words":              "letters, digits",
		"a/b":                    "letters, digits",
		"evil\nline":             `"evil\nline"`,
		"-dash":                  "starts with a letter or digit",
		".":                      "starts with a letter or digit",
	} {
		err := CheckHostName("--hostname", bad)
		if err == nil || !strings.Contains(err.Error(), "invalid --hostname") || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckHostName(%.20q) = %v, want it refused mentioning %q", bad, err, want)
		}
	}
	if err := CheckHostsName("--add-host", strings.Repeat("a", 200)); err != nil {
		t.Errorf("CheckHostsName(200 bytes) = %v", err)
	}
}

func TestCheckWorkdir(t *testing.T) {
	if err := CheckWorkdir("/a/b"); err != nil {
		t.Fatal(err)
	}
	err := CheckWorkdir("relative")
	if err == nil || err.Error() != "--workdir: the working directory 'relative' is invalid, it needs to be an absolute path" {
		t.Fatalf("CheckWorkdir(relative) = %v", err)
	}
}
