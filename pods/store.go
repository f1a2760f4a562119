// Package pods keeps the records of pods: groups of containers that share
// namespaces (the network's, and IPC's and UTS's by default) held by an
// infra container. A record is one ID.json in the "pods" directory next
// to the graph root, as volumes and secrets are, created whole or not at
// all and removed with one unlink; the containers say which pod they
// belong to in their own records (container.Config.Pod).
package pods

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

var (
	// ErrNoSuchPod: no pod has the name or ID given.
	ErrNoSuchPod = errors.New("no such pod")
	// ErrPodExists: the name is taken by another pod.
	ErrPodExists = errors.New("pod already exists")
)

// Pod is one pod's record.
type Pod struct {
	Version int               `json:"version"`
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Created time.Time         `json:"created"`
	Labels  map[string]string `json:"labels,omitempty"`
	// Hostname is the pod's (its UTS namespace's) when UTS is shared.
	Hostname string `json:"hostname,omitempty"`
	// Share are the namespaces the containers share: some of "net",
	// "ipc", "uts", "pid".
	Share []string `json:"share"`
	// InfraID is the infra container's ID, chosen before it is made (a
	// pod whose infra is missing after a crash gets it at its next use);
	// "" with --infra=false.
	InfraID       string   `json:"infraID,omitempty"`
	CreateCommand []string `json:"createCommand,omitempty"`
	ExitPolicy    string   `json:"exitPolicy,omitempty"`
	// InfraName is --infra-name ("" for DefaultInfraName); InfraConfig the
	// infra container's template: the pod's network (--network, -p,
	// --dns...), which its containers share.
	InfraName   string            `json:"infraName,omitempty"`
	InfraConfig *container.Config `json:"infraConfig,omitempty"`
	// Member is what every container of the pod gets (pod create's -v,
	// --volumes-from, --device, --shm-size): its Mounts, VolumesFrom,
	// Devices and ShmSize.
	Member *container.Config `json:"member,omitempty"`
}

const recordVersion = 1

// Namespaces pods may share, and the default (Podman's, but cgroup).
var (
	Shareable    = []string{"net", "ipc", "uts", "pid"}
	DefaultShare = []string{"ipc", "net", "uts"}
)

// ParseShare reads --share: a comma-separated list of namespaces, or
// "none"; a leading "+" adds to the default.
func ParseShare(v string) ([]string, error) {
	out := []string{}
	if strings.HasPrefix(v, "+") {
		out, v = slices.Clone(DefaultShare), v[1:]
	}
	if v == "none" || v == "" {
		return out, nil
	}
	for _, ns := range strings.Split(v, ",") {
		switch {
		case ns == "cgroup":
			// Each container has a cgroup namespace of its own (or the
			// host's on cgroup v1): nothing for the infra to hold.
			continue
		case !slices.Contains(Shareable, ns):
			return nil, fmt.Errorf("--share %s: %q is not a namespace a pod shares (%s, or none)", v, ns, strings.Join(Shareable, ", "))
		case !slices.Contains(out, ns):
			out = append(out, ns)
		}
	}
	return out, nil
}

// Shares tells whether p shares namespace ns.
func (p *Pod) Shares(ns string) bool { return p.InfraID != "" && slices.Contains(p.Share, ns) }

// DefaultInfraName is the infra container's name, as Podman's.
func (p *Pod) DefaultInfraName() string { return p.ID[:12] + "-infra" }

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// NewID is a pod's (or its infra container's) ID: 64 hex digits.
func NewID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Store is the directory of pod records.
type Store struct{ dir string }

// New returns the pod store of graphRoot: "pods" next to it.
func New(graphRoot string) *Store {
	return &Store{dir: filepath.Join(filepath.Dir(filepath.Clean(graphRoot)), "pods")}
}

// Dir is the directory of the records (and of the infra's empty root
// filesystem, InfraRootfs).
func (s *Store) Dir() string { return s.dir }

// InfraRootfs is the empty directory every infra container runs in: its
// only program is pod's own executable, bound in.
func (s *Store) InfraRootfs() (string, error) {
	dir := filepath.Join(s.dir, "rootfs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the infra root filesystem: %w", err)
	}
	return dir, nil
}

func (s *Store) file(id string) string { return filepath.Join(s.dir, id+".json") }

// Lock takes the pods' lock: names are checked and records created and
// removed under it.
func (s *Store) Lock() (func(), error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the pods directory: %w", err)
	}
	return storage.Lock(filepath.Join(s.dir, ".lock"))
}

// Create writes p's record, choosing its ID and a name when it has none;
// the name must be free. The caller holds Lock.
func (s *Store) Create(p *Pod, freeName func(taken func(string) bool) string) error {
	all, _, err := s.List()
	if err != nil {
		return err
	}
	taken := func(name string) bool {
		return slices.ContainsFunc(all, func(o *Pod) bool { return o.Name == name })
	}
	if p.Name == "" {
		p.Name = freeName(taken)
	} else if !validName.MatchString(p.Name) {
		return fmt.Errorf("pod name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", p.Name)
	} else if taken(p.Name) {
		return fmt.Errorf("pod %s: %w: remove it (pod pods rm %s), choose another name, or --replace", p.Name, ErrPodExists, p.Name)
	}
	if p.ID == "" {
		p.ID = NewID()
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("creating the pods directory: %w", err)
	}
	p.Version = recordVersion
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := storage.CreateFileOnce(s.file(p.ID), b, 0o600); err != nil {
		return fmt.Errorf("creating pod %s: %w", p.Name, err)
	}
	return nil
}

func (s *Store) read(id string) (*Pod, error) {
	b, err := os.ReadFile(s.file(id))
	if err != nil {
		return nil, fmt.Errorf("reading pod %s: %w", id, err)
	}
	var p Pod
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("reading pod %s (%s): %w: remove the file", id, s.file(id), err)
	}
	if p.Version > recordVersion {
		return nil, fmt.Errorf("reading pod %s: written by a newer pod (version %d, this pod knows %d): use that pod", id, p.Version, recordVersion)
	}
	p.ID = id
	return &p, nil
}

// List returns every pod, oldest first, and the errors of records that
// cannot be read.
func (s *Store) List() ([]*Pod, []error, error) {
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("listing pods: %w", err)
	}
	var out []*Pod
	var damaged []error
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p, err := s.read(id)
		if err != nil {
			damaged = append(damaged, err)
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, damaged, nil
}

// Get finds a pod by name, full ID or a unique prefix of its ID.
func (s *Store) Get(ref string) (*Pod, error) {
	all, _, err := s.List()
	if err != nil {
		return nil, err
	}
	var byPrefix []*Pod
	for _, p := range all {
		if p.Name == ref || p.ID == ref {
			return p, nil
		}
		if ref != "" && strings.HasPrefix(p.ID, ref) {
			byPrefix = append(byPrefix, p)
		}
	}
	switch {
	case len(byPrefix) == 1:
		return byPrefix[0], nil
	case len(byPrefix) > 1:
		return nil, fmt.Errorf("pod %q: more than one pod's ID starts with it: give more of the ID or the name", ref)
	}
	return nil, fmt.Errorf("%s: %w (pod pods ls lists them)", ref, ErrNoSuchPod)
}

// Remove removes p's record: the last step of removing a pod.
func (s *Store) Remove(id string) error {
	if err := os.Remove(s.file(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing pod %s: %w", id, err)
	}
	return nil
}
