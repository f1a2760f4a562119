package image

import (
	"context"
	"slices"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"

	"github.com/pod-project/pod/storage"
)

// InspectData is an image as `docker image inspect` shows it. Field names
// are Docker's JSON keys, so --format templates read the same ({{.Id}},
// {{.Config.Cmd}}, {{.RootFS.Layers}}).
type InspectData struct {
	Id            string //nolint:revive // Docker's key
	RepoTags      []string
	RepoDigests   []string
	Parent        string
	Comment       string
	Created       string // RFC 3339 with nanoseconds
	DockerVersion string
	Author        string
	Config        InspectConfig
	Architecture  string
	Variant       string   `json:",omitempty"`
	Os            string   //nolint:revive // Docker's key
	OsVersion     string   `json:",omitempty"` //nolint:revive // Docker's key
	OsFeatures    []string `json:",omitempty"` //nolint:revive // Docker's key
	// Digest is the digest of the image's manifest, as Podman shows it.
	Digest      string `json:",omitempty"`
	Size        int64
	GraphDriver GraphDriver
	RootFS      RootFS
	History     []v1.History
	Metadata    Metadata
}

// ID answers Podman's spelling in --format templates ({{.ID}}) beside
// Docker's {{.Id}}.
func (d InspectData) ID() string { return d.Id }

// InspectConfig is the image config with Docker's capitalised keys.
type InspectConfig struct {
	User         string              `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Env          []string            `json:",omitempty"`
	Cmd          []string            `json:",omitempty"`
	Entrypoint   []string            `json:",omitempty"`
	Volumes      map[string]struct{} `json:",omitempty"`
	WorkingDir   string              `json:",omitempty"`
	Labels       map[string]string   `json:",omitempty"`
	StopSignal   string              `json:",omitempty"`
}

// GraphDriver names the storage driver holding the image's layers.
type GraphDriver struct {
	Name string
}

// RootFS lists the layers' diff IDs.
type RootFS struct {
	Type   string
	Layers []string
}

// Metadata is Docker's image metadata; pod does not record tag times.
type Metadata struct {
	LastTagTime time.Time
}

// Inspect returns the inspect view of the image nameOrID names (see Lookup).
func Inspect(ctx context.Context, store storage.Store, nameOrID string) (*InspectData, error) {
	img, _, err := resolve(store, nameOrID)
	if err != nil {
		return nil, err
	}
	loc, err := localFrom(store, img)
	if err != nil {
		return nil, err
	}
	layers, err := layerMap(store)
	if err != nil {
		return nil, err
	}
	d := inspectData(loc, img.Digests)
	d.Size = imageSize(img.TopLayer, layers)
	d.GraphDriver.Name = store.GraphDriverName()
	return d, nil
}

// inspectData builds the view from an image's record and config.
func inspectData(loc *Local, digests []digest.Digest) *InspectData {
	cfg := loc.Config
	d := &InspectData{
		Id:           "sha256:" + loc.ID,
		RepoTags:     []string{},
		RepoDigests:  []string{},
		Author:       cfg.Author,
		Architecture: cfg.Architecture,
		Variant:      cfg.Variant,
		Os:           cfg.OS,
		OsVersion:    cfg.OSVersion,
		OsFeatures:   cfg.OSFeatures,
		Config: InspectConfig{
			User:         cfg.Config.User,
			ExposedPorts: cfg.Config.ExposedPorts,
			Env:          cfg.Config.Env,
			Cmd:          cfg.Config.Cmd,
			Entrypoint:   cfg.Config.Entrypoint,
			Volumes:      cfg.Config.Volumes,
			WorkingDir:   cfg.Config.WorkingDir,
			Labels:       cfg.Config.Labels,
			StopSignal:   cfg.Config.StopSignal,
		},
		RootFS:  RootFS{Type: cfg.RootFS.Type, Layers: []string{}},
		History: cfg.History,
	}
	if d.RootFS.Type == "" {
		d.RootFS.Type = "layers"
	}
	if d.History == nil {
		d.History = []v1.History{}
	}
	if !loc.Created.IsZero() {
		d.Created = loc.Created.UTC().Format(time.RFC3339Nano)
	}
	if n := len(cfg.History); n > 0 {
		d.Comment = cfg.History[n-1].Comment
	}
	for _, l := range cfg.RootFS.DiffIDs {
		d.RootFS.Layers = append(d.RootFS.Layers, l.String())
	}
	d.Digest = loc.Digest.String()
	if loc.Digest != "" && !slices.Contains(digests, loc.Digest) {
		digests = append([]digest.Digest{loc.Digest}, digests...)
	}
	var repos []string
	for _, n := range sortedNames(loc.Names) {
		named, err := reference.ParseNormalizedNamed(n)
		if err != nil {
			continue
		}
		if _, ok := named.(reference.Tagged); ok {
			d.RepoTags = append(d.RepoTags, reference.FamiliarString(named))
		}
		if repo := reference.FamiliarName(named); !slices.Contains(repos, repo) {
			repos = append(repos, repo)
		}
	}
	for _, repo := range repos {
		for _, dg := range digests {
			d.RepoDigests = append(d.RepoDigests, repo+"@"+dg.String())
		}
	}
	return d
}
