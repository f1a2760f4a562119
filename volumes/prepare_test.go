package volumes

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
)

func TestComplete(t *testing.T) {
	s := testStore(t)
	other := &container.Record{Config: container.Config{ID: "other", Mounts: []container.Mount{
		{Type: container.MountVolume, Name: "shared", Source: s.DataDir("shared"), Destination: "/shared", Anonymous: true},
		{Type: container.MountBind, Source: "/etc", Destination: "/hostetc"},
		{Type: container.MountTmpfs, Destination: "/tmp"},
		{Type: container.MountVolume, Name: "mine", Source: s.DataDir("mine"), Destination: "/d"},
	}}}
	load := func(name string) (*container.Record, error) {
		if name == "other" {
			return other, nil
		}
		return nil, container.ErrNoSuchContainer
	}
	cfg := &container.Config{
		Mounts: []container.Mount{
			{Type: container.MountVolume, Name: "mine", Destination: "/d"},
			{Type: container.MountVolume, Anonymous: true, Destination: "/anon"},
		},
		VolumesFrom: []string{"other:ro"},
	}
	img := &container.ImageConfig{Volumes: map[string]struct{}{"/anon": {}, "/var/lib/db/": {}, "/d": {}, "relative": {}}}
	if err := complete(s, cfg, img, load); err != nil {
		t.Fatal(err)
	}
	got := map[string]container.Mount{}
	for _, m := range cfg.Mounts {
		got[m.Destination] = m
	}
	if len(cfg.Mounts) != 5 {
		t.Fatalf("mounts: %+v", cfg.Mounts)
	}
	if m := got["/d"]; m.Name != "mine" || m.Source != s.DataDir("mine") || m.ReadOnly {
		t.Errorf("-v mine:/d: %+v (the user's mount wins over --volumes-from and VOLUME)", m)
	}
	if m := got["/anon"]; len(m.Name) != 64 || !m.Anonymous || m.Source != s.DataDir(m.Name) {
		t.Errorf("anonymous volume: %+v", m)
	}
	if m := got["/shared"]; m.Name != "shared" || !m.ReadOnly || m.Anonymous {
		t.Errorf("--volumes-from volume: %+v (ro, and not this container's anonymous volume)", m)
	}
	if m := got["/hostetc"]; m.Type != container.MountBind || !m.ReadOnly {
		t.Errorf("--volumes-from bind: %+v", m)
	}
	if m := got["/var/lib/db"]; !m.Anonymous || len(m.Name) != 64 {
		t.Errorf("image VOLUME: %+v", m)
	}
	if _, ok := got["/tmp"]; ok {
		t.Error("--volumes-from copied a tmpfs")
	}

	bad := &container.Config{VolumesFrom: []string{"nosuch"}}
	if err := complete(s, bad, nil, load); !errors.Is(err, container.ErrNoSuchContainer) {
		t.Errorf("--volumes-from nosuch: %v", err)
	}
	missing := &container.Config{Mounts: []container.Mount{{Type: container.MountBind, Source: filepath.Join(t.TempDir(), "gone"), Destination: "/x"}}}
	if err := complete(s, missing, nil, load); !errors.Is(err, ErrBindSourceGone) {
		t.Errorf("--mount with a missing source: %v", err)
	}
	created := &container.Config{Mounts: []container.Mount{{Type: container.MountBind, Source: filepath.Join(t.TempDir(), "gone"), Destination: "/x", CreateSource: true}}}
	if err := complete(s, created, nil, load); err != nil {
		t.Errorf("-v with a missing source: %v", err)
	}
}

func TestTmpfsMount(t *testing.T) {
	for _, c := range []struct {
		m    container.Mount
		want []string
	}{
		{container.Mount{Destination: "/t"}, []string{"rw", "nosuid", "nodev", "noexec", "mode=1777"}},
		{container.Mount{Destination: "/t", ReadOnly: true, Options: []string{"size=64m", "exec", "mode=700"}}, []string{"ro", "nosuid", "nodev", "size=64m", "mode=700"}},
		{container.Mount{Destination: "/t", Options: []string{"noexec", "suid"}}, []string{"rw", "nodev", "noexec", "mode=1777"}},
	} {
		got := tmpfsMount(c.m)
		want := specs.Mount{Destination: "/t", Type: "tmpfs", Source: "tmpfs", Options: c.want}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("tmpfsMount(%+v) = %+v, want %+v", c.m, got, want)
		}
	}
}

func TestBindMount(t *testing.T) {
	src := t.TempDir()
	got := bindMount(container.Mount{Destination: "/d", ReadOnly: true, Propagation: "rshared", Options: []string{"noexec"}}, src)
	if got.Type != "bind" || got.Source != src || !reflect.DeepEqual(got.Options[:4], []string{"rbind", "rshared", "ro", "noexec"}) {
		t.Errorf("bindMount = %+v", got)
	}
	got = bindMount(container.Mount{Destination: "/d"}, src)
	if !reflect.DeepEqual(got.Options[:3], []string{"rbind", "rprivate", "rw"}) {
		t.Errorf("bindMount defaults = %+v", got)
	}
}

func TestFilters(t *testing.T) {
	now := time.Now()
	old := &Volume{Name: "old-data", Driver: "local", CreatedAt: now.Add(-48 * time.Hour), Labels: map[string]string{"env": "prod", "keep": ""}}
	fresh := &Volume{Name: "fresh", Driver: "local", CreatedAt: now, Labels: map[string]string{"env": "dev"}}
	for _, c := range []struct {
		filters        []string
		old, fresh     bool
		oldUse, frUsed bool
	}{
		{nil, true, true, false, false},
		{[]string{"name=data"}, true, false, false, false},
		{[]string{"label=env"}, true, true, false, false},
		{[]string{"label=env=dev"}, false, true, false, false},
		{[]string{"label=env=dev", "label=env=prod"}, true, true, false, false},
		{[]string{"label!=keep"}, false, true, false, false},
		{[]string{"dangling=true"}, false, true, true, false},
		{[]string{"dangling=false"}, true, false, true, false},
		{[]string{"until=24h"}, true, false, false, false},
		{[]string{"driver=local", "name=fresh"}, false, true, false, false},
	} {
		f, err := ParseFilters(c.filters, map[string]bool{"name": true, "label": true, "label!": true, "dangling": true, "driver": true, "until": true})
		if err != nil {
			t.Fatalf("%v: %v", c.filters, err)
		}
		if got := f.Match(old, c.oldUse); got != c.old {
			t.Errorf("%v: old matched %v, want %v", c.filters, got, c.old)
		}
		if got := f.Match(fresh, c.frUsed); got != c.fresh {
			t.Errorf("%v: fresh matched %v, want %v", c.filters, got, c.fresh)
		}
	}
	for _, bad := range [][]string{{"bogus=1"}, {"name"}, {"dangling=maybe"}, {"until=yesterday"}, {"label="}} {
		if _, err := ParseFilters(bad, pruneFilterKeys); !errors.Is(err, ErrBadFilter) {
			t.Errorf("%v: want ErrBadFilter, got %v", bad, err)
		}
	}
	if _, err := ListFilters([]string{"until=1h"}); !errors.Is(err, ErrBadFilter) {
		t.Errorf("ls takes no until=: %v", err)
	}
}
