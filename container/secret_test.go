package container

import (
	"strings"
	"testing"
)

func TestParseSecret(t *testing.T) {
	mode := func(m uint32) *uint32 { return &m }
	good := []struct {
		in   string
		want SecretRef
	}{
		{"s", SecretRef{Name: "s", Type: "mount", Target: "/run/secrets/s"}},
		{"s,target=other", SecretRef{Name: "s", Type: "mount", Target: "/run/secrets/other"}},
		{"s,target=/etc/app/key", SecretRef{Name: "s", Type: "mount", Target: "/etc/app/key"}},
		{"s,target=a/../b", SecretRef{Name: "s", Type: "mount", Target: "/run/secrets/b"}},
		{"s,uid=1000,gid=100,mode=0400", SecretRef{Name: "s", Type: "mount", Target: "/run/secrets/s", UID: 1000, GID: 100, Mode: mode(0o400)}},
		{"s,mode=0", SecretRef{Name: "s", Type: "mount", Target: "/run/secrets/s", Mode: mode(0)}},
		{"s,type=env", SecretRef{Name: "s", Type: "env", Target: "s"}},
		{"s,type=env,target=API_KEY", SecretRef{Name: "s", Type: "env", Target: "API_KEY"}},
	}
	for _, c := range good {
		got, err := ParseSecret(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if back, err := ParseSecret(got.String()); err != nil || back.String() != got.String() {
			t.Errorf("%s: String %q parses to %+v, %v", c.in, got.String(), back, err)
		}
		if got.Name != c.want.Name || got.Type != c.want.Type || got.Target != c.want.Target || got.UID != c.want.UID || got.GID != c.want.GID || got.FileMode() != c.want.FileMode() || (got.Mode == nil) != (c.want.Mode == nil) {
			t.Errorf("%s: got %+v, want %+v", c.in, got, c.want)
		}
	}
	bad := map[string]string{
		"":                          "starts with the secret's name",
		"type=env":                  "starts with the secret's name",
		"s,type=file":               "mount or env",
		"s,uid=x":                   "not a number",
		"s,uid=-1":                  "not a number",
		"s,mode=999":                "octal mode",
		"s,mode=01777":              "octal mode",
		"s,colour=red":              "unknown option",
		"s,target":                  "not KEY=VALUE",
		"s,type=env,uid=1":          "for type=mount",
		"s,type=env,target=A=B":     "environment variable",
		"s,type=env,target=A B":     "environment variable",
		"s,target=/run/secrets":     "directory pod needs",
		"s,target=/run/secrets/../": "directory pod needs",
		"s,target=/":                "directory pod needs",
	}
	for in, want := range bad {
		if _, err := ParseSecret(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", in, err, want)
		}
	}
	if m := (SecretRef{}).FileMode(); m != 0o444 {
		t.Errorf("default mode %o, want 0444", m)
	}
}
