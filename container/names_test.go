package container

import (
	"sync"
	"testing"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/storage"
)

// racingStore takes the name of every create it sees, as a concurrent
// pod create would between the name check and the create, the first
// times times.
type racingStore struct {
	storage.Store
	times int
}

func (s *racingStore) CreateContainer(id string, names []string, image, layer, metadata string, o *cstorage.ContainerOptions) (*cstorage.Container, error) {
	if s.times > 0 {
		s.times--
		if _, err := s.Store.CreateContainer("", names, image, "", "", nil); err != nil {
			return nil, err
		}
	}
	return s.Store.CreateContainer(id, names, image, layer, metadata, o)
}

func TestCreateChoosesAnotherNameWhenOneIsTaken(t *testing.T) {
	st := &racingStore{Store: openStore(t), times: 3}
	rec, err := Create(st, &Config{})
	if err != nil {
		t.Fatalf("Create lost a race for its automatic name: %v", err)
	}
	if cs, _ := st.Containers(); len(cs) != 4 {
		t.Fatalf("%d containers, want the 3 that took names and the new one", len(cs))
	}
	if c, err := st.Container(rec.Config.Name); err != nil || c.ID != rec.Config.ID {
		t.Fatalf("the record's name %q is not the container's: %v, %v", rec.Config.Name, c, err)
	}
	// A name the user gave is never changed.
	st.times = 1
	if _, err := Create(st, &Config{Name: "mine"}); err == nil {
		t.Fatal("Create with a taken user-given name succeeded")
	}
}

func TestCreateAutomaticNamesInParallel(t *testing.T) {
	st := openStore(t)
	const n = 200
	names := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := Create(st, &Config{})
			if err != nil {
				t.Error(err)
				return
			}
			names <- rec.Config.Name
		}()
	}
	wg.Wait()
	close(names)
	seen := map[string]bool{}
	for name := range names {
		if seen[name] {
			t.Errorf("name %s given twice", name)
		}
		seen[name] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct names, want %d", len(seen), n)
	}
}
