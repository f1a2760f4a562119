package container

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/sys/user"
)

const testPasswd = `root:x:0:0:root:/root:/bin/sh
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App:/home/app:/bin/sh
nohome:x:1001:1001::/:/bin/sh
`

const testGroup = `root:x:0:root
wheel:x:10:app,root
audio:x:29:app
app:x:1000:
staff:x:50:
`

// writeRootfs makes a root filesystem holding the given files.
func writeRootfs(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestResolveUser(t *testing.T) {
	root := writeRootfs(t, map[string]string{"etc/passwd": testPasswd, "etc/group": testGroup})
	tests := []struct {
		spec    string
		want    ExecUser
		wantErr string
	}{
		{spec: "", want: ExecUser{UID: 0, GID: 0, AdditionalGids: []uint32{0, 10}, Home: "/root"}},
		{spec: "root", want: ExecUser{UID: 0, GID: 0, AdditionalGids: []uint32{0, 10}, Home: "/root"}},
		{spec: "app", want: ExecUser{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 29}, Home: "/home/app"}},
		{spec: "1000", want: ExecUser{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 29}, Home: "/home/app"}},
		{spec: "app:staff", want: ExecUser{UID: 1000, GID: 50, Home: "/home/app"}},
		{spec: "app:77", want: ExecUser{UID: 1000, GID: 77, Home: "/home/app"}},
		{spec: "1000:1000", want: ExecUser{UID: 1000, GID: 1000, Home: "/home/app"}},
		{spec: "4242", want: ExecUser{UID: 4242, GID: 0, Home: "/"}},
		{spec: "4242:4343", want: ExecUser{UID: 4242, GID: 4343, Home: "/"}},
		{spec: "daemon", want: ExecUser{UID: 1, GID: 1, Home: "/usr/sbin"}},
		{spec: "nobody", wantErr: "unable to find user nobody: no matching entries in passwd file"},
		{spec: "app:nogroup", wantErr: "unable to find group nogroup: no matching entries in group file"},
		{spec: "99999999999", wantErr: "uids and gids must be in range"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ResolveUser(root, tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ResolveUser(%q) error = %v, want %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveUser(%q): %v", tt.spec, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ResolveUser(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestResolveUserSentinel(t *testing.T) {
	_, err := ResolveUserFrom("app", strings.NewReader("root:x:0:0::/root:/bin/sh\n"), nil)
	if !errors.Is(err, user.ErrNoPasswdEntries) {
		t.Fatalf("error %v is not user.ErrNoPasswdEntries", err)
	}
}

func TestResolveUserNoFiles(t *testing.T) {
	root := t.TempDir()
	got, err := ResolveUser(root, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := (ExecUser{Home: "/"}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got, err := ResolveUser(root, "123:456"); err != nil || got.UID != 123 || got.GID != 456 {
		t.Errorf("numeric without passwd: %+v, %v", got, err)
	}
	if _, err := ResolveUser(root, "app"); err == nil || !strings.Contains(err.Error(), "unable to find user app") {
		t.Errorf("named without passwd: error %v", err)
	}
}

func TestResolveUserSymlinksStayInside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "passwd"), []byte("evil:x:666:666::/:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := writeRootfs(t, map[string]string{
		"shared/passwd": "app:x:1000:1000::/home/app:/bin/sh\n",
		"shared/group":  "extra:x:300:app\n",
	})
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	// An absolute link is resolved inside the root.
	if err := os.Symlink("/shared/passwd", filepath.Join(root, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	// A relative link climbing out is clamped at the root.
	if err := os.Symlink("../../../../../../../../"+outside+"/passwd", filepath.Join(root, "etc/group")); err != nil {
		t.Fatal(err)
	}
	got, err := ResolveUser(root, "app")
	if err != nil {
		t.Fatal(err)
	}
	if got.UID != 1000 || got.Home != "/home/app" || len(got.AdditionalGids) != 0 {
		t.Errorf("app = %+v", got)
	}
	// /etc/passwd pointing outside the root must not see the host file.
	if err := os.Remove(filepath.Join(root, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(root, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveUser(root, "evil"); err == nil {
		t.Fatal("resolved a user from a passwd file outside the root")
	}
}

func TestUserSpec(t *testing.T) {
	img := &ImageConfig{User: "app"}
	if got := UserSpec(&Config{}, img); got != "app" {
		t.Errorf("image user: %q", got)
	}
	if got := UserSpec(&Config{User: "0:0"}, img); got != "0:0" {
		t.Errorf("--user: %q", got)
	}
	if got := UserSpec(&Config{}, nil); got != "" {
		t.Errorf("no image: %q", got)
	}
}
