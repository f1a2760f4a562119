package runtime

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/sys/capability"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
)

func TestParseSecurityOpts(t *testing.T) {
	tests := []struct {
		opts    []string
		want    SecurityOptions
		wantErr string
	}{
		{opts: nil, want: SecurityOptions{}},
		{opts: []string{"seccomp=unconfined"}, want: SecurityOptions{Seccomp: "unconfined"}},
		{opts: []string{"seccomp:unconfined"}, want: SecurityOptions{Seccomp: "unconfined"}},
		{opts: []string{"seccomp=/etc/p.json"}, want: SecurityOptions{Seccomp: "/etc/p.json"}},
		{opts: []string{"no-new-privileges"}, want: SecurityOptions{NoNewPrivileges: true}},
		{opts: []string{"no-new-privileges=true"}, want: SecurityOptions{NoNewPrivileges: true}},
		{opts: []string{"no-new-privileges:true"}, want: SecurityOptions{NoNewPrivileges: true}},
		{opts: []string{"no-new-privileges", "no-new-privileges=false"}, want: SecurityOptions{}},
		{opts: []string{"systempaths=unconfined"}, want: SecurityOptions{UnconfinedSystemPaths: true}},
		{opts: []string{"writable-cgroups=true"}, want: SecurityOptions{WritableCgroups: true}},
		{opts: []string{"label=disable", "apparmor=unconfined"}, want: SecurityOptions{}},
		{opts: []string{"no-new-privileges=maybe"}, wantErr: `invalid --security-opt "no-new-privileges=maybe"`},
		{opts: []string{"seccomp="}, wantErr: `invalid --security-opt "seccomp="`},
		{opts: []string{"systempaths=confined"}, wantErr: `"systempaths=confined"`},
		{opts: []string{"bogus=1"}, wantErr: `unknown option "bogus"`},
		{opts: []string{"bogus"}, wantErr: `invalid --security-opt "bogus"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.opts, ","), func(t *testing.T) {
			got, err := ParseSecurityOpts(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func hasSyscall(f *specs.LinuxSeccomp, name string, action specs.LinuxSeccompAction) bool {
	return slices.ContainsFunc(f.Syscalls, func(s specs.LinuxSyscall) bool {
		return s.Action == action && slices.Contains(s.Names, name)
	})
}

func TestSpecSeccomp(t *testing.T) {
	s := mustSpec(t, &container.Config{}, baseOptions())
	f := s.Linux.Seccomp
	if f == nil || f.DefaultAction != specs.ActErrno || !hasSyscall(f, "read", specs.ActAllow) {
		t.Fatalf("default profile = %+v", f)
	}
	if len(f.Architectures) == 0 {
		t.Error("default profile has no architectures")
	}
	// The profile follows the capabilities: mount needs CAP_SYS_ADMIN.
	if hasSyscall(f, "mount", specs.ActAllow) {
		t.Error("mount allowed without CAP_SYS_ADMIN")
	}
	s = mustSpec(t, &container.Config{CapAdd: []string{"SYS_ADMIN"}}, baseOptions())
	if !hasSyscall(s.Linux.Seccomp, "mount", specs.ActAllow) {
		t.Error("mount not allowed with CAP_SYS_ADMIN")
	}
	for _, opt := range []string{"seccomp=unconfined", "seccomp:unconfined"} {
		if s := mustSpec(t, &container.Config{SecurityOpt: []string{opt}}, baseOptions()); s.Linux.Seccomp != nil {
			t.Errorf("%s: seccomp %+v", opt, s.Linux.Seccomp)
		}
	}
	if s := mustSpec(t, &container.Config{SecurityOpt: []string{"seccomp=builtin"}}, baseOptions()); s.Linux.Seccomp == nil {
		t.Error("seccomp=builtin: no profile")
	}
	profile := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO"}]}`
	s = mustSpec(t, &container.Config{SecurityOpt: []string{"seccomp=/p.json"}, SeccompProfile: []byte(profile)}, baseOptions())
	f = s.Linux.Seccomp
	if f == nil || f.DefaultAction != specs.ActAllow || len(f.Syscalls) != 1 || !hasSyscall(f, "fchmodat", specs.ActErrno) {
		t.Errorf("file profile = %+v", f)
	}
}

func TestSpecNoNewPrivileges(t *testing.T) {
	for opt, want := range map[string]bool{
		"no-new-privileges":       true,
		"no-new-privileges=true":  true,
		"no-new-privileges:true":  true,
		"no-new-privileges=false": false,
	} {
		s := mustSpec(t, &container.Config{SecurityOpt: []string{opt}}, baseOptions())
		if s.Process.NoNewPrivileges != want {
			t.Errorf("%s: noNewPrivileges = %v", opt, s.Process.NoNewPrivileges)
		}
	}
}

func TestDefaultCapabilitiesCopy(t *testing.T) {
	c := DefaultCapabilities()
	c[0] = "CAP_SYS_ADMIN"
	if defaultCapabilities[0] != "CAP_CHOWN" {
		t.Fatal("DefaultCapabilities returned the package's slice")
	}
	if len(c) != 14 {
		t.Fatalf("%d default capabilities, want Docker's 14", len(c))
	}
}

// TestAllCapabilitiesBounded: "all" is this process's bounding set, which is
// what root in a restricted container can hand on.
func TestAllCapabilitiesBounded(t *testing.T) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	var bnd uint64
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			bnd, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	last, err := capability.LastCap()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range capability.ListKnown() {
		if c <= last && bnd&(1<<uint(c)) != 0 {
			want = append(want, "CAP_"+strings.ToUpper(c.String()))
		}
	}
	if got := allCapabilities(); !slices.Equal(got, want) {
		t.Errorf("allCapabilities() = %v\nwant %v", got, want)
	}
}
