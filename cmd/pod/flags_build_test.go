package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseBuildArgs(t *testing.T) {
	f := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(f, []byte("# comment\nA=file\nB=file\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FROM_ENV", "env")
	got, err := parseBuildArgs([]string{"B=flag", "FROM_ENV", "UNSET_XYZ", "E="}, []string{f})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "file", "B": "flag", "FROM_ENV": "env", "E": ""}
	if len(got) != len(want) {
		t.Fatalf("parseBuildArgs = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, err := parseBuildArgs([]string{"=x"}, nil); err == nil {
		t.Error("an empty name was accepted")
	}
}

func TestParseSecrets(t *testing.T) {
	src := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(src, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := parseSecrets([]string{"id=tok,src=" + src, "type=file,id=b,source=" + src})
	if err != nil || got["tok"] != src || got["b"] != src {
		t.Fatalf("parseSecrets = %v, %v", got, err)
	}
	for _, bad := range []string{"id=x", "src=" + src, "id=x,src=/nonexistent", "id=x,src=" + src + ",env=Y", "type=env,id=x,src=" + src} {
		if _, err := parseSecrets([]string{bad}); err == nil {
			t.Errorf("parseSecrets(%q) accepted", bad)
		}
	}
}
