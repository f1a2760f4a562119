package image

import (
	"errors"
	"strings"
	"testing"
)

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{
		"demo":                   "docker.io/library/demo:latest",
		"demo:1":                 "docker.io/library/demo:1",
		"user/app":               "docker.io/user/app:latest",
		"docker.io/library/demo": "docker.io/library/demo:latest",
		"quay.io/x/y:2":          "quay.io/x/y:2",
		"localhost/app":          "localhost/app:latest",
		"localhost:5000/app:v1":  "localhost:5000/app:v1",
		"demo@sha256:" + hex64:   "docker.io/library/demo@sha256:" + hex64,
		"demo:1@sha256:" + hex64: "docker.io/library/demo:1@sha256:" + hex64,
	}
	for in, want := range tests {
		got, err := NormalizeName(in)
		if err != nil || got != want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "Demo", "a b", "demo:", hex64} {
		if _, err := NormalizeName(bad); !errors.Is(err, ErrBadReference) {
			t.Errorf("NormalizeName(%q) = %v, want ErrBadReference", bad, err)
		}
	}
}

func TestParseTagName(t *testing.T) {
	n, err := ParseTagName("demo")
	if err != nil || n.String() != "docker.io/library/demo:latest" || n.Tag() != "latest" {
		t.Fatalf("ParseTagName(demo) = %v, %v", n, err)
	}
	_, err = ParseTagName("demo@sha256:" + hex64)
	if !errors.Is(err, ErrBadReference) || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("ParseTagName(digest) = %v", err)
	}
}

func TestFamiliarAndSplit(t *testing.T) {
	tests := []struct{ stored, familiar, repo, tag string }{
		{"docker.io/library/demo:1", "demo:1", "demo", "1"},
		{"docker.io/user/app:latest", "user/app:latest", "user/app", "latest"},
		{"quay.io/x/y:2", "quay.io/x/y:2", "quay.io/x/y", "2"},
		{"localhost/app:latest", "localhost/app:latest", "localhost/app", "latest"},
		{"docker.io/library/demo@sha256:" + hex64, "demo@sha256:" + hex64, "demo", "<none>"},
		{"NOT VALID", "NOT VALID", "NOT VALID", "<none>"},
	}
	for _, tt := range tests {
		if got := FamiliarName(tt.stored); got != tt.familiar {
			t.Errorf("FamiliarName(%q) = %q, want %q", tt.stored, got, tt.familiar)
		}
		repo, tag := splitName(tt.stored)
		if repo != tt.repo || tag != tt.tag {
			t.Errorf("splitName(%q) = %q %q, want %q %q", tt.stored, repo, tag, tt.repo, tt.tag)
		}
	}
}

func TestUserGaveDomain(t *testing.T) {
	tests := map[string]bool{
		"demo": false, "user/app": false, "quay.io/x": true, "localhost/app": true,
		"localhost:5000/app": true, "Host/app": true, "docker.io/library/x": true,
	}
	for in, want := range tests {
		if got := userGaveDomain(in); got != want {
			t.Errorf("userGaveDomain(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRepositories(t *testing.T) {
	got := repositories([]string{"docker.io/library/a:1", "docker.io/library/a:2", "quay.io/b:1"})
	if strings.Join(got, ",") != "a,quay.io/b" {
		t.Fatalf("repositories = %v", got)
	}
}
