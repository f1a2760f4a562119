package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"
)

var referenceSeeds = []string{
	"demo", "demo:1", "user/app", "docker.io/library/demo", "quay.io/x/y:2", "localhost/app", "localhost:5000/app:v1",
	"demo@sha256:" + hex64, "demo:1@sha256:" + hex64, "", "Demo", "a b", "demo:", hex64, "UPPER:case", "a::b",
	"docker://x/y", "[::1]:5000/app:1", "a/b/c/d:" + strings.Repeat("t", 128), "demo:" + strings.Repeat("t", 129),
	"x\n", "Host/app", "app\x00", "a@b", "sha256:" + hex64,
}

func noSpace(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// FuzzParseTagName: a name accepted for an image is normalized, tagged,
// without a digest, and reads back as itself.
func FuzzParseTagName(f *testing.F) {
	for _, s := range referenceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tagged, err := ParseTagName(s)
		if err != nil {
			return
		}
		out := tagged.String()
		if !noSpace(s) || tagged.Tag() == "" || strings.Contains(out, "@") {
			t.Fatalf("ParseTagName(%q) = %q", s, out)
		}
		again, err := ParseTagName(out)
		if err != nil || again.String() != out {
			t.Fatalf("ParseTagName(%q) = %q; again %v, %v", s, out, again, err)
		}
		if n, err := NormalizeName(s); err != nil || n != out {
			t.Fatalf("ParseTagName(%q) = %q but NormalizeName = %q, %v", s, out, n, err)
		}
	})
}

// FuzzNormalizeName: normalizing is idempotent, the familiar form of a
// stored name normalizes back to it, and REPOSITORY:TAG put together is
// the name again.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range referenceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeName(s)
		if err != nil {
			return
		}
		if !noSpace(out) {
			t.Fatalf("NormalizeName(%q) = %q", s, out)
		}
		if again, err := NormalizeName(out); err != nil || again != out {
			t.Fatalf("NormalizeName(%q) = %q; again %q, %v", s, out, again, err)
		}
		if back, err := NormalizeName(FamiliarName(out)); err != nil || back != out {
			t.Fatalf("NormalizeName(%q) = %q; its familiar form %q normalizes to %q, %v", s, out, FamiliarName(out), back, err)
		}
		if repo, tag := splitName(out); tag != none {
			if back, err := NormalizeName(repo + ":" + tag); err != nil || back != strings.Split(out, "@")[0] {
				t.Fatalf("splitName(%q) = %q %q, which normalize to %q, %v", out, repo, tag, back, err)
			}
		}
	})
}

// FuzzPullCandidates: whatever a user's image name resolves to, with
// search registries and aliases, is a fully qualified reference with a
// tag or a digest that reads back as itself.
func FuzzPullCandidates(f *testing.F) {
	for _, s := range referenceSeeds {
		f.Add(s)
	}
	f.Add("app:2")
	f.Add("alpine@sha256:" + hex64)
	dir := f.TempDir()
	conf := filepath.Join(dir, "registries.conf")
	if err := os.WriteFile(conf, []byte("unqualified-search-registries = [\"quay.io\", \"localhost:5000\"]\n[aliases]\n\"app\" = \"example.com/team/app\"\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	sys := &types.SystemContext{
		SystemRegistriesConfPath:    conf,
		SystemRegistriesConfDirPath: filepath.Join(dir, "none"),
		UserShortNameAliasConfPath:  filepath.Join(dir, "aliases.conf"),
	}
	f.Fuzz(func(t *testing.T, s string) {
		repo, suffix := splitShort(s)
		if repo+suffix != s {
			t.Fatalf("splitShort(%q) = %q %q", s, repo, suffix)
		}
		cands, err := pullCandidates(sys, s)
		if err != nil {
			return
		}
		if len(cands) == 0 || !noSpace(s) {
			t.Fatalf("pullCandidates(%q) = %v", s, cands)
		}
		for _, c := range cands {
			_, tagged := c.(reference.Tagged)
			_, digested := c.(reference.Digested)
			back, err := reference.ParseNormalizedNamed(c.String())
			if !tagged && !digested || err != nil || back.String() != c.String() || reference.Domain(c) == "" {
				t.Fatalf("pullCandidates(%q): %q (tagged %v, digested %v) reads back as %v, %v", s, c, tagged, digested, back, err)
			}
		}
	})
}
