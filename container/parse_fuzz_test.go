package container

import (
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// The fuzz targets of the parsers of user input in this package. Their
// seeds run with every go test; go test -fuzz=FuzzX explores further.

// checkMount asserts what every accepted mount is, whatever flag made it.
func checkMount(t *testing.T, flag, v string, m Mount) {
	t.Helper()
	if !path.IsAbs(m.Destination) || path.Clean(m.Destination) != m.Destination || m.Destination == "/" {
		t.Fatalf("%s %q: destination %q is not a clean absolute path other than /", flag, v, m.Destination)
	}
	for _, s := range append([]string{m.Source, m.Destination, m.Name, m.Propagation, m.Mode}, m.Options...) {
		if strings.ContainsRune(s, 0) {
			t.Fatalf("%s %q: a NUL accepted in %+v", flag, v, m)
		}
	}
	switch m.Type {
	case MountVolume:
		if m.Source != "" || (m.Name == "") != m.Anonymous || (m.Name != "" && !ValidVolumeName(m.Name)) {
			t.Fatalf("%s %q: volume %+v", flag, v, m)
		}
	case MountBind:
		if m.Source == "" || cleanHostPath(m.Source) != m.Source && path.Clean(m.Source) != m.Source || m.Name != "" {
			t.Fatalf("%s %q: bind %+v", flag, v, m)
		}
	case MountTmpfs:
		if m.Source != "" || m.Name != "" {
			t.Fatalf("%s %q: tmpfs %+v", flag, v, m)
		}
		for _, o := range m.Options {
			if strings.ContainsAny(o, ",\n") || o == "" {
				t.Fatalf("%s %q: tmpfs option %q is not one option", flag, v, o)
			}
		}
	default:
		t.Fatalf("%s %q: type %q", flag, v, m.Type)
	}
}

// volumeSpec writes m back as -v takes it.
func volumeSpec(m Mount) string {
	var s string
	switch {
	case m.Type == MountBind:
		s = m.Source + ":" + m.Destination
	case m.Name != "":
		s = m.Name + ":" + m.Destination
	default:
		s = m.Destination
	}
	if m.Mode != "" {
		s += ":" + m.Mode
	}
	return s
}

func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"/data", "/data:ro", "data:/var/lib/app", "data:/d/:rw,U,z", "/h:/c:rshared,Z,nodev",
		"./rel:/src", "/host/dir/:/src:ro", "/h:/d:nocopy", "data:/d:ro,rw", "a b:/d", "da\x00ta:/d", "data:",
		"..:/d", "a:b:c:d", ":/d", "/h:/a/../b", "data:rel", "data:/", "/d:ro,nocopy", ".:/d:rbind,noexec,suid"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := ParseVolume(v)
		if err != nil {
			if !strings.Contains(err.Error(), "-v") {
				t.Fatalf("ParseVolume(%q): %v does not name -v", v, err)
			}
			return
		}
		checkMount(t, "-v", v, m)
		// What was accepted reads back the same from its canonical form.
		again, err := ParseVolume(volumeSpec(m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("ParseVolume(%q) = %+v; its form %q parses to %+v, %v", v, m, volumeSpec(m), again, err)
		}
	})
}

func FuzzParseMount(f *testing.F) {
	for _, s := range []string{"type=bind,src=/h,dst=/c", "type=volume,source=data,target=/d,readonly",
		"type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770", "type=bind,src=/h,dst=/c,bind-propagation=rshared",
		"type=volume,dst=/anon,volume-nocopy=true", "dst=/x,ro=false,U", "type=tmpfs,src=x,dst=/t",
		"type=bind,dst=/c", "type=nfs,dst=/c", "dst=/c,bogus=1", "type=volume,src=a b,dst=/d",
		"type=tmpfs,dst=/t,tmpfs-size=0", "type=tmpfs,dst=/t,tmpfs-mode=9", "volume-driver=local,dst=/v", "dst=/c,ro=maybe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := ParseMount(v)
		if err != nil {
			if !strings.Contains(err.Error(), "--mount") {
				t.Fatalf("ParseMount(%q): %v does not name --mount", v, err)
			}
			return
		}
		checkMount(t, "--mount", v, m)
		if m.Type != MountBind && m.Propagation != "" || m.Type != MountVolume && m.NoCopy {
			t.Fatalf("ParseMount(%q) = %+v: an option of another type", v, m)
		}
	})
}

func FuzzParseTmpfs(f *testing.F) {
	for _, s := range []string{"/t", "/t:ro", "/scratch:size=64m,mode=1770,noexec,uid=1000", "/t:size=50%", "/t:size=big",
		"/t:mode=9", "/t:uid=x", "/t:what", "/t:nr_inodes=100,gid=5,tmpcopyup", "t", "/:ro", "/t:size=%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := ParseTmpfs(v)
		if err != nil {
			if !strings.Contains(err.Error(), "--tmpfs") {
				t.Fatalf("ParseTmpfs(%q): %v does not name --tmpfs", v, err)
			}
			return
		}
		checkMount(t, "--tmpfs", v, m)
		again, err := ParseTmpfs(m.Destination + ":" + m.Mode)
		if m.Mode == "" {
			again, err = ParseTmpfs(m.Destination)
		}
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("ParseTmpfs(%q) = %+v; again %+v, %v", v, m, again, err)
		}
	})
}

func FuzzParseRestartPolicy(f *testing.F) {
	for _, s := range []string{"", "no", "always", "unless-stopped", "on-failure", "on-failure:0", "on-failure:5",
		"on-failure:-1", "on-failure:x", "always:3", "no:1", "sometimes", "on-failure:+7", "on-failure:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseRestartPolicy(s)
		if err != nil {
			if !strings.Contains(err.Error(), "restart policy") {
				t.Fatalf("ParseRestartPolicy(%q): %v does not say what it parsed", s, err)
			}
			return
		}
		if p.MaxRetries < 0 || p.MaxRetries > 0 && p.Name != RestartOnFailure {
			t.Fatalf("ParseRestartPolicy(%q) = %+v", s, p)
		}
		again, err := ParseRestartPolicy(p.String())
		if err != nil || again != p {
			t.Fatalf("ParseRestartPolicy(%q) = %+v; its String %q parses to %+v, %v", s, p, p.String(), again, err)
		}
	})
}

// FuzzParseEnv reads arbitrary env files and -e values: what is accepted
// is KEY=VALUE with a name of no whitespace or control character and no
// NUL anywhere, every key from the file or the flag.
func FuzzParseEnv(f *testing.F) {
	for _, s := range [][2]string{
		{"A=1\nB=two words\n# c\n\n  C=3\r\n", "D=4"},
		{"\xef\xbb\xbfA=1", "E"},
		{"A B=1", ""},
		{"A=x\x00y", ""},
		{"=x", "=y"},
		{"A=\xff", "K=multi\nline"},
		{"HOSTONLY\nUNSET\n", "HOSTONLY"},
		{"A=1\\\nB=2", "A\nB=1"},
	} {
		f.Add(s[0], s[1])
	}
	dir := f.TempDir()
	lookup := func(k string) (string, bool) { return "from-host", k == "HOSTONLY" }
	f.Fuzz(func(t *testing.T, file, flag string) {
		p := filepath.Join(dir, "env")
		if err := os.WriteFile(p, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		var env []string
		if flag != "" {
			env = []string{flag}
		}
		out, err := ParseEnv(env, []string{p}, lookup)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseEnv: a message of several lines: %q", err)
			}
			return
		}
		for _, kv := range out {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || strings.ContainsFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) || strings.ContainsRune(v, 0) {
				t.Fatalf("ParseEnv(%q, %q) accepted %q", file, flag, kv)
			}
			if !strings.Contains(file, k) && !strings.Contains(flag, k) {
				t.Fatalf("ParseEnv(%q, %q) made up %q", file, flag, kv)
			}
		}
	})
}

// FuzzCheckHostName: an accepted --hostname is one word of /etc/hosts and
// /etc/hostname, and fits the kernel's HOST_NAME_MAX.
func FuzzCheckHostName(f *testing.F) {
	for _, s := range []string{"web", "my-host.example.org", strings.Repeat("a", 64), strings.Repeat("a", 65), "two words", "a/b", "h\n1.2.3.4 evil", "-x", "x_y", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckHostName("--hostname", s)
		if err != nil {
			if !strings.Contains(err.Error(), "--hostname") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("CheckHostName(%q): %q is not one line naming --hostname", s, err)
			}
			return
		}
		if s == "" || len(s) > HostNameMax || strings.ContainsFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' || r == '#' || r > unicode.MaxASCII
		}) {
			t.Fatalf("CheckHostName accepted %q", s)
		}
	})
}
