package container

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCommand(t *testing.T) {
	img := &ImageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"img-cmd", "arg"}}
	noEntry := &ImageConfig{Cmd: []string{"sh"}}
	tests := []struct {
		name    string
		cfg     Config
		img     *ImageConfig
		want    []string
		wantErr bool
	}{
		{name: "image entrypoint and cmd", img: img, want: []string{"/entry", "img-cmd", "arg"}},
		{name: "args replace cmd", cfg: Config{Cmd: []string{"x"}}, img: img, want: []string{"/entry", "x"}},
		{name: "entrypoint drops image cmd", cfg: Config{Entrypoint: []string{"/bin/echo"}}, img: img, want: []string{"/bin/echo"}},
		{name: "entrypoint with args", cfg: Config{Entrypoint: []string{"/bin/echo"}, Cmd: []string{"hi"}}, img: img, want: []string{"/bin/echo", "hi"}},
		{name: "empty entrypoint clears, keeps image cmd", cfg: Config{Entrypoint: []string{}}, img: img, want: []string{"img-cmd", "arg"}},
		{name: "empty entrypoint with args", cfg: Config{Entrypoint: []string{}, Cmd: []string{"ls"}}, img: img, want: []string{"ls"}},
		{name: "cmd only", img: noEntry, want: []string{"sh"}},
		{name: "nothing", img: &ImageConfig{}, wantErr: true},
		{name: "nil image", cfg: Config{Cmd: []string{"true"}}, want: []string{"true"}},
		{name: "cleared with no cmd", cfg: Config{Entrypoint: []string{}}, img: &ImageConfig{Entrypoint: []string{"/e"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Command(&tt.cfg, tt.img)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "no command specified") {
					t.Fatalf("got %q, %v; want no command error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// The image's slices must not be changed by appending.
	_, _ = Command(&Config{Cmd: []string{"z"}}, img)
	if !reflect.DeepEqual(img.Entrypoint, []string{"/entry"}) {
		t.Errorf("image entrypoint modified: %q", img.Entrypoint)
	}
}

func TestEnvironment(t *testing.T) {
	u := ExecUser{UID: 1000, Home: "/home/app"}
	tests := []struct {
		name string
		cfg  Config
		img  *ImageConfig
		want []string
	}{
		{
			name: "defaults",
			want: []string{"PATH=" + DefaultPath, "HOSTNAME=h", "container=pod", "HOME=/home/app"},
		},
		{
			name: "tty",
			cfg:  Config{Tty: true},
			want: []string{"PATH=" + DefaultPath, "HOSTNAME=h", "TERM=xterm", "container=pod", "HOME=/home/app"},
		},
		{
			name: "image path and vars, then overrides in order",
			img:  &ImageConfig{Env: []string{"PATH=/opt/bin:/bin", "A=img", "B=img"}},
			cfg:  Config{Env: []string{"B=cli", "C=cli", "A=cli2", "HOME=/h"}},
			want: []string{"PATH=/opt/bin:/bin", "HOSTNAME=h", "container=pod", "HOME=/h", "A=cli2", "B=cli", "C=cli"},
		},
		{
			name: "bare key removes, later value wins",
			img:  &ImageConfig{Env: []string{"X=1", "Y=2"}},
			cfg:  Config{Env: []string{"X", "Y=3", "Y=4", "NOTSET"}},
			want: []string{"PATH=" + DefaultPath, "HOSTNAME=h", "container=pod", "HOME=/home/app", "Y=4"},
		},
		{
			name: "value with equals sign",
			cfg:  Config{Env: []string{"Q=a=b"}},
			want: []string{"PATH=" + DefaultPath, "HOSTNAME=h", "container=pod", "HOME=/home/app", "Q=a=b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Environment(&tt.cfg, tt.img, "h", u)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	if got := Environment(&Config{}, nil, "h", ExecUser{}); got[len(got)-1] != "HOME=/" {
		t.Errorf("no home: %q", got)
	}
}

func TestWorkingDir(t *testing.T) {
	tests := []struct {
		cfg, img, want string
	}{
		{"", "", "/"},
		{"", "/app", "/app"},
		{"/work", "/app", "/work"},
		{"/work/../x/", "", "/x"},
		{"", "rel", "/rel"},
	}
	for _, tt := range tests {
		if got := WorkingDir(&Config{WorkingDir: tt.cfg}, &ImageConfig{WorkingDir: tt.img}); got != tt.want {
			t.Errorf("WorkingDir(%q, %q) = %q, want %q", tt.cfg, tt.img, got, tt.want)
		}
	}
	if got := WorkingDir(&Config{}, nil); got != "/" {
		t.Errorf("nil image: %q", got)
	}
}

func TestHostname(t *testing.T) {
	id := "0123456789abcdef0123"
	if got := Hostname(&Config{ID: id}); got != "0123456789ab" {
		t.Errorf("default: %q", got)
	}
	if got := Hostname(&Config{ID: id, Hostname: "web"}); got != "web" {
		t.Errorf("given: %q", got)
	}
	host, _ := os.Hostname()
	if got := Hostname(&Config{ID: id, NetworkMode: "host"}); got != host {
		t.Errorf("host network: %q, want %q", got, host)
	}
	if got := Hostname(&Config{ID: "abc"}); got != "abc" {
		t.Errorf("short id: %q", got)
	}
}

// makeRootfs builds a root with executables, a directory, a plain file and
// links.
func makeRootfs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	mk := func(name string, mode os.FileMode) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	mk("bin/podbox", 0o755)
	mk("usr/local/bin/tool", 0o755)
	mk("etc/passwd", 0o644)
	mk("app/run.sh", 0o755)
	mk("app/data.txt", 0o644)
	mk("opt/noexec/prog", 0o644)
	if err := os.MkdirAll(filepath.Join(root, "usr/bin/adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	link("/bin/podbox", "bin/sh")                // absolute link, resolved inside root
	link("podbox", "bin/ls")                     // relative link
	link("/nonexistent/x", "bin/dangling")       // dangling inside the root
	link("../../../../../../bin/true", "bin/up") // climbs out, clamped at root: /bin/true missing
	return root
}

func TestLookPath(t *testing.T) {
	root := makeRootfs(t)
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	tests := []struct {
		name, cwd, argv0 string
		env              []string
		code             int // 0: found
	}{
		{name: "in PATH", argv0: "tool", env: env},
		{name: "absolute symlink in PATH", argv0: "sh", env: env},
		{name: "relative symlink", argv0: "ls", env: env},
		{name: "absolute path", argv0: "/bin/podbox", env: env},
		{name: "absolute symlink path", argv0: "/bin/sh", env: env},
		{name: "relative with slash", cwd: "/app", argv0: "./run.sh", env: env},
		{name: "relative with slash no dot", cwd: "/", argv0: "app/run.sh", env: env},
		{name: "default PATH", argv0: "tool"},
		{name: "relative PATH entry", cwd: "/app", argv0: "run.sh", env: []string{"PATH=."}},
		{name: "empty PATH entry is cwd", cwd: "/app", argv0: "run.sh", env: []string{"PATH=/bin:"}},
		{name: "not found", argv0: "nope", env: env, code: 127},
		{name: "not in this PATH", argv0: "tool", env: []string{"PATH=/bin"}, code: 127},
		{name: "absolute missing", argv0: "/bin/nope", env: env, code: 127},
		{name: "dangling link", argv0: "/bin/dangling", env: env, code: 127},
		{name: "link climbing out", argv0: "/bin/up", env: env, code: 127},
		{name: "directory", argv0: "/usr/bin", env: env, code: 126},
		{name: "directory in PATH", argv0: "adir", env: env, code: 126},
		{name: "not executable", argv0: "/etc/passwd", env: env, code: 126},
		{name: "not executable relative", cwd: "/app", argv0: "./data.txt", env: env, code: 126},
		{name: "not executable in PATH", argv0: "prog", env: []string{"PATH=/opt/noexec"}, code: 126},
		{name: "empty", argv0: "", env: env, code: 127},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := LookPath(root, tt.env, tt.cwd, tt.argv0)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("LookPath(%q): %v", tt.argv0, err)
				}
				return
			}
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("LookPath(%q) = %v, want a *CommandError", tt.argv0, err)
			}
			if ce.ExitCode() != tt.code {
				t.Errorf("LookPath(%q) exit code %d, want %d (%v)", tt.argv0, ce.ExitCode(), tt.code, err)
			}
			wantIs := fs.ErrNotExist
			if tt.code == 126 {
				wantIs = fs.ErrPermission
			}
			if !errors.Is(err, wantIs) {
				t.Errorf("error %v is not %v", err, wantIs)
			}
		})
	}
}

func TestLookPathMessages(t *testing.T) {
	root := makeRootfs(t)
	env := []string{"PATH=/bin"}
	tests := []struct{ argv0, want string }{
		{"nope", `executable file "nope" not found in $PATH: no such file or directory`},
		{"/usr/bin", `executable file "/usr/bin" is a directory: permission denied`},
		{"/etc/passwd", `executable file "/etc/passwd" is not executable: permission denied`},
	}
	for _, tt := range tests {
		err := LookPath(root, env, "/", tt.argv0)
		if err == nil || err.Error() != tt.want {
			t.Errorf("LookPath(%q) = %v, want %q", tt.argv0, err, tt.want)
		}
	}
}
