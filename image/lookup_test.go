package image

import (
	"errors"
	"strings"
	"testing"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// fakeStore answers the few Store methods short-ID lookup uses.
type fakeStore struct {
	storage.Store
	images []cstorage.Image
}

func (f *fakeStore) Images() ([]cstorage.Image, error) { return f.images, nil }

func (f *fakeStore) Image(id string) (*cstorage.Image, error) {
	for i := range f.images {
		if f.images[i].ID == id || strings.Contains(strings.Join(f.images[i].Names, "\n"), id) {
			return &f.images[i], nil
		}
	}
	return nil, cstorage.ErrImageUnknown
}

func TestResolveIDs(t *testing.T) {
	a := "abc1" + hex64[4:]
	b := "abc2" + hex64[4:]
	st := &fakeStore{images: []cstorage.Image{{ID: a}, {ID: b, Names: []string{"docker.io/library/demo:1"}}}}
	tests := []struct {
		in      string
		wantID  string
		wantErr error
	}{
		{"abc1", a, nil},
		{"sha256:abc2", b, nil},
		{b, b, nil},
		{"sha256:" + a, a, nil},
		{"demo:1", b, nil},
		{"abc", "", ErrAmbiguousID},
		{"abd", "", ErrNoSuchImage},
		{"ab", "", ErrNoSuchImage}, // too short for an ID: a name, not found
		{"sha256:ab", "", ErrBadReference},
		{"sha256:xyz1", "", ErrBadReference},
		{"demo:2", "", ErrNoSuchImage},
		{"", "", ErrBadReference},
		{"UPPER", "", ErrBadReference},
		{"abc3" + hex64[4:], "", ErrNoSuchImage},
	}
	for _, tt := range tests {
		img, _, err := resolve(st, tt.in)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("resolve(%q) = %v, want %v", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || img.ID != tt.wantID {
			t.Errorf("resolve(%q) = %v, %v; want %s", tt.in, img, err, tt.wantID)
		}
	}
}

func TestNoSuchImageNamesTheFix(t *testing.T) {
	err := noSuchImage("demo:1")
	if !errors.Is(err, ErrNoSuchImage) || !strings.Contains(err.Error(), "demo:1") || !strings.Contains(err.Error(), "pull it or import it") {
		t.Fatalf("error %q", err)
	}
}
