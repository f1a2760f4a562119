package container

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseVolume(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Mount
	}{
		{"data:/var/lib/app", Mount{Type: MountVolume, Name: "data", Destination: "/var/lib/app"}},
		{"data:/d:ro", Mount{Type: MountVolume, Name: "data", Destination: "/d", ReadOnly: true, Mode: "ro"}},
		{"data:/d/:rw,U,z", Mount{Type: MountVolume, Name: "data", Destination: "/d", Chown: true, Mode: "rw,U,z"}},
		{"pg.data_1-x:/d:nocopy,noexec,nosuid", Mount{Type: MountVolume, Name: "pg.data_1-x", Destination: "/d", NoCopy: true, Options: []string{"noexec", "nosuid"}, Mode: "nocopy,noexec,nosuid"}},
		{"/data", Mount{Type: MountVolume, Anonymous: true, Destination: "/data"}},
		{"/data:ro", Mount{Type: MountVolume, Anonymous: true, Destination: "/data", ReadOnly: true, Mode: "ro"}},
		{"/host/dir/:/src:ro", Mount{Type: MountBind, Source: "/host/dir", Destination: "/src", ReadOnly: true, CreateSource: true, Mode: "ro"}},
		{"./rel:/src", Mount{Type: MountBind, Source: "./rel", Destination: "/src", CreateSource: true}},
		{"/h:/c:rshared,Z,nodev", Mount{Type: MountBind, Source: "/h", Destination: "/c", CreateSource: true, Propagation: "rshared", Options: []string{"nodev"}, Mode: "rshared,Z,nodev"}},
		{"/h:/a/../b", Mount{Type: MountBind, Source: "/h", Destination: "/b", CreateSource: true}},
	} {
		got, err := ParseVolume(c.in)
		if err != nil {
			t.Errorf("ParseVolume(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseVolume(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseVolumeErrors(t *testing.T) {
	for _, in := range []string{
		"", ":", ":/d", "data:", "data:rel", "data:/", "/", "a:b:c:d",
		"../x:/d", "..:/d", // relative host paths: binds, checked below
		"a/b:/d", "-x:/d", "_x:/d", "a b:/d", "da\x00ta:/d", "data:/d:bogus", "data:/d:ro,rw",
		"data:/d:rshared", "/h:/d:nocopy",
	} {
		if in == "../x:/d" || in == "..:/d" {
			// A path starting with "." is a host path (bind), not a name.
			if m, err := ParseVolume(in); err != nil || m.Type != MountBind {
				t.Errorf("ParseVolume(%q) = %+v, %v: want a bind", in, m, err)
			}
			continue
		}
		if m, err := ParseVolume(in); err == nil || !errors.Is(err, ErrBadMount) {
			t.Errorf("ParseVolume(%q) = %+v, %v: want ErrBadMount", in, m, err)
		}
	}
}

func TestParseMount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Mount
	}{
		{"type=volume,src=data,dst=/d,ro", Mount{Type: MountVolume, Name: "data", Destination: "/d", ReadOnly: true}},
		{"source=data,target=/d,volume-nocopy", Mount{Type: MountVolume, Name: "data", Destination: "/d", NoCopy: true}},
		{"type=volume,destination=/d,readonly=false", Mount{Type: MountVolume, Anonymous: true, Destination: "/d"}},
		{"type=bind,src=/h,dst=/c,bind-propagation=rslave", Mount{Type: MountBind, Source: "/h", Destination: "/c", Propagation: "rslave"}},
		{"type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1700", Mount{Type: MountTmpfs, Destination: "/t", Options: []string{"size=67108864", "mode=1700"}}},
		{"type=volume,src=v,dst=/d,U=true", Mount{Type: MountVolume, Name: "v", Destination: "/d", Chown: true}},
	} {
		got, err := ParseMount(c.in)
		if err != nil {
			t.Errorf("ParseMount(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseMount(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	for _, in := range []string{
		"type=volume", "type=nfs,dst=/d", "type=bind,dst=/d", "type=tmpfs,src=x,dst=/t", "src=../x,dst=/d",
		"src=a/b,dst=/d", "dst=/d,ro=maybe", "dst=/d,bogus=1", "type=bind,src=/h,dst=/d,bind-propagation=weird",
		"type=volume,dst=/d,tmpfs-size=1m", "type=tmpfs,dst=/t,tmpfs-size=lots", "type=tmpfs,dst=/t,tmpfs-mode=999",
		"type=bind,src=/h,dst=/d,volume-nocopy", "dst=/d,bind-propagation=rshared", "dst=relative", "dst=/",
	} {
		if m, err := ParseMount(in); !errors.Is(err, ErrBadMount) {
			t.Errorf("ParseMount(%q) = %+v, %v: want ErrBadMount", in, m, err)
		}
	}
}

func TestParseTmpfs(t *testing.T) {
	got, err := ParseTmpfs("/scratch:size=64m,mode=1770,noexec,uid=1000")
	want := Mount{Type: MountTmpfs, Destination: "/scratch", Options: []string{"size=64m", "mode=1770", "noexec", "uid=1000"}, Mode: "size=64m,mode=1770,noexec,uid=1000"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseTmpfs = %+v, %v; want %+v", got, err, want)
	}
	if got, err := ParseTmpfs("/t:ro"); err != nil || !got.ReadOnly {
		t.Errorf("ParseTmpfs(/t:ro) = %+v, %v", got, err)
	}
	for _, in := range []string{"", "rel", "/", "/t:size=big", "/t:mode=9", "/t:uid=x", "/t:what"} {
		if m, err := ParseTmpfs(in); !errors.Is(err, ErrBadMount) {
			t.Errorf("ParseTmpfs(%q) = %+v, %v: want ErrBadMount", in, m, err)
		}
	}
}

func TestParseVolumesFrom(t *testing.T) {
	for in, want := range map[string][2]string{"db": {"db", ""}, "db:ro": {"db", "ro"}, "db:rw": {"db", "rw"}} {
		c, m, err := ParseVolumesFrom(in)
		if err != nil || c != want[0] || m != want[1] {
			t.Errorf("ParseVolumesFrom(%q) = %q, %q, %v", in, c, m, err)
		}
	}
	for _, in := range []string{"", ":ro", "db:rx"} {
		if _, _, err := ParseVolumesFrom(in); !errors.Is(err, ErrBadMount) {
			t.Errorf("ParseVolumesFrom(%q): want ErrBadMount, got %v", in, err)
		}
	}
}

func TestCheckMounts(t *testing.T) {
	ok := []Mount{{Destination: "/a"}, {Destination: "/b"}}
	if err := CheckMounts(ok); err != nil {
		t.Error(err)
	}
	if err := CheckMounts(append(ok, Mount{Destination: "/a"})); !errors.Is(err, ErrBadMount) {
		t.Errorf("duplicate destination: got %v", err)
	}
}

func TestValidVolumeName(t *testing.T) {
	for _, n := range []string{"a", "data", "A-b_c.d", "0", "7fe9bed670df"} {
		if !ValidVolumeName(n) {
			t.Errorf("%q refused", n)
		}
	}
	for _, n := range []string{"", ".", "..", "../x", "a/b", "/a", ".a", "-a", "_a", "a b", "a\x00b", "a:b", "ä"} {
		if ValidVolumeName(n) {
			t.Errorf("%q accepted", n)
		}
	}
}

func TestInspectMounts(t *testing.T) {
	got := inspectMounts([]Mount{
		{Type: MountVolume, Name: "v", Source: "/vols/v/_data", Destination: "/d", ReadOnly: true, Mode: "ro"},
		{Type: MountBind, Source: "/h", Destination: "/c"},
		{Type: MountTmpfs, Destination: "/t"},
	})
	want := []any{
		InspectMount{Type: "volume", Name: "v", Source: "/vols/v/_data", Destination: "/d", Driver: "local", Mode: "ro", RW: false},
		InspectMount{Type: "bind", Source: "/h", Destination: "/c", RW: true, Propagation: "rprivate"},
		InspectMount{Type: "tmpfs", Destination: "/t", RW: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inspectMounts = %+v\nwant %+v", got, want)
	}
	if got := inspectMounts(nil); got == nil || len(got) != 0 {
		t.Errorf("no mounts: want an empty, non-nil list, got %#v", got)
	}
}

// TestParseMountDevpts: type=devpts takes devpts's options and no source.
func TestParseMountDevpts(t *testing.T) {
	m, err := ParseMount("type=devpts,destination=/dev/pts,ptmxmode=0600,gid=5")
	if err != nil || m.Type != MountDevpts || m.Destination != "/dev/pts" || strings.Join(m.Options, ",") != "ptmxmode=0600,gid=5" {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"type=devpts,src=x,dst=/dev/pts", "type=bind,src=/x,dst=/y,ptmxmode=0600", "type=devpts,dst=/dev/pts,mode=x"} {
		if _, err := ParseMount(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
