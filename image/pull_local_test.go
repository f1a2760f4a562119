package image

import (
	"context"
	"testing"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/types"
)

func TestLocalChain(t *testing.T) {
	a, b, c := digest.FromString("a"), digest.FromString("b"), digest.FromString("c")
	chain := ChainIDs([]digest.Digest{a, b, c})
	set := func(ids ...string) func(string) bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return func(id string) bool { return m[id] }
	}
	for _, tc := range []struct {
		name    string
		diffIDs []digest.Digest
		has     func(string) bool
		top     string
		ok      bool
	}{
		{"all local", []digest.Digest{a, b, c}, set(chain...), chain[2], true},
		{"top missing", []digest.Digest{a, b, c}, set(chain[0], chain[1]), "", false},
		{"base missing", []digest.Digest{a, b, c}, set(chain[1], chain[2]), "", false},
		// The same diff ID on another parent is another layer.
		{"same content, other parent", []digest.Digest{b}, set(chain[1]), "", false},
		{"a prefix is local", []digest.Digest{a, b}, set(chain...), chain[1], true},
		// An older pod's random layer IDs are not found by chain ID.
		{"random IDs", []digest.Digest{a}, set("0123456789abcdef"), "", false},
		{"no layers", nil, set(), "", true},
	} {
		top, ok := localChain(tc.diffIDs, tc.has)
		if top != tc.top || ok != tc.ok {
			t.Errorf("%s: localChain = %q, %v; want %q, %v", tc.name, top, ok, tc.top, tc.ok)
		}
	}
}

type fakeSource struct {
	types.ImageSource
	closed int
}

func (s *fakeSource) Close() error { s.closed++; return nil }

type fakeRef struct {
	types.ImageReference
	opened int
}

func (r *fakeRef) NewImageSource(context.Context, *types.SystemContext) (types.ImageSource, error) {
	r.opened++
	return &fakeSource{}, nil
}

// copy.Image gets the source the pre-check opened once; a retry opens its
// own; a source never taken is closed.
func TestOpenedRef(t *testing.T) {
	inner, first := &fakeRef{}, &fakeSource{}
	ref := &openedRef{ImageReference: inner, src: first}
	if got, _ := ref.NewImageSource(context.Background(), nil); got != first || inner.opened != 0 {
		t.Fatalf("first NewImageSource = %v (opened %d), want the open source", got, inner.opened)
	}
	if got, _ := ref.NewImageSource(context.Background(), nil); got == first || inner.opened != 1 {
		t.Fatalf("second NewImageSource reused the source")
	}
	ref.close()
	if first.closed != 0 {
		t.Error("close closed a source copy.Image had taken")
	}
	unused := &fakeSource{}
	ref = &openedRef{ImageReference: inner, src: unused}
	ref.close()
	ref.close()
	if unused.closed != 1 {
		t.Errorf("an untaken source closed %d times, want 1", unused.closed)
	}
}
