package image

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpoolTarRefusesWhatIsNoWholeArchive(t *testing.T) {
	whole := testTar(t, map[string]string{"a": strings.Repeat("x", 3000), "b": "bee", "c/d": strings.Repeat("y", 5000)})
	for _, tt := range []struct {
		name string
		data []byte
		want string // "" for accepted
	}{
		{"whole", whole, ""},
		{"gzipped", gzipped(t, whole), ""},
		{"only the end marker", make([]byte, 1024), ""},
		{"empty", nil, "is empty, not a tar archive"},
		{"empty gzip", gzipped(t, nil), "is empty, not a tar archive"},
		{"text", []byte(strings.Repeat("not a tar archive ", 64)), "is not a tar archive"},
		{"cut in the first header", whole[:100], "is not a tar archive"},
		{"cut in the first file", whole[:2000], "truncated or corrupt after 0 entries"},
		{"cut in a later header", whole[:512*9+100], "truncated or corrupt after 2 entries"},
		{"cut in a later file", whole[:len(whole)-2048-1000], "truncated or corrupt after 2 entries"},
		{"gzipped and cut", gzipped(t, whole)[:200], "reading in.tar"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "layer.tar")
			_, n, err := spoolTar(bytes.NewReader(tt.data), path, "in.tar")
			if tt.want == "" {
				if err != nil || n == 0 {
					t.Fatalf("spoolTar = %d, %v; want it accepted", n, err)
				}
				return
			}
			if !errors.Is(err, ErrBadSource) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "in.tar") {
				t.Fatalf("spoolTar = %v; want ErrBadSource naming in.tar and %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("the error has several lines: %q", err)
			}
		})
	}
}
