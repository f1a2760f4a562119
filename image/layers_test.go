package image

import (
	"sort"
	"testing"

	"github.com/pod-project/pod/storage"
)

func TestUnreferencedLayersPruned(t *testing.T) {
	st := openTestStore(t)
	mk := func(parent string) string {
		l, err := st.CreateLayer("", parent, nil, "", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	base := mk("")
	top := mk(base)
	if _, err := st.CreateImage("", []string{"localhost/kept:1"}, top, "", nil); err != nil {
		t.Fatal(err)
	}
	ctr, err := st.CreateContainer("", nil, "", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// What an interrupted pull leaves: a chain no image took, and a layer
	// on a kept one.
	orphanBase := mk("")
	orphanTop := mk(orphanBase)
	onKept := mk(base)

	layers, err := UnreferencedLayers(st)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range layers {
		got = append(got, l.ID)
	}
	if len(got) != 3 || got[len(got)-1] == orphanTop {
		t.Fatalf("unreferenced %v, want the two orphans and the layer on the kept chain, children first", got)
	}
	// A writer at work: its layers may be the unreferenced ones.
	release, err := storage.HoldWriting(st.GraphRoot())
	if err != nil {
		t.Fatal(err)
	}
	if pruned, err := PruneLayers(st); err != nil || len(pruned) != 0 {
		t.Fatalf("PruneLayers with a writer = %v, %v; want nothing removed", pruned, err)
	}
	release()
	pruned, err := PruneLayers(st)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range pruned {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	want := []string{orphanBase, orphanTop, onKept}
	sort.Strings(want)
	if len(ids) != 3 || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] {
		t.Fatalf("pruned %v, want %v", ids, want)
	}
	for _, id := range []string{base, top, ctr.LayerID} {
		if _, err := st.Layer(id); err != nil {
			t.Fatalf("a referenced layer %s went: %v", id, err)
		}
	}
}
