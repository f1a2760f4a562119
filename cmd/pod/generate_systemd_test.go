package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/systemd"
)

// runConfig parses pod run's arguments (after "run") with run's own flag
// registry into the container's Config.
func runConfig(t *testing.T, args []string) *container.Config {
	t.Helper()
	var f containerFlags
	cmd := &cobra.Command{Use: "run"}
	f.register(cmd)
	if err := cmd.Flags().Parse(args); err != nil {
		t.Fatalf("parsing %q: %v", args, err)
	}
	rest := cmd.Flags().Args()
	cfg, err := f.config(cmd, rest[0], rest[1:])
	if err != nil {
		t.Fatalf("run %q: %v", args, err)
	}
	cfg.Created = time.Time{}
	return cfg
}

// roundTripCases are run command lines that between them give every flag
// whose value the container's record keeps.
func roundTripCases(t *testing.T) [][]string {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "app.env")
	profile := filepath.Join(dir, "seccomp.json")
	for p, text := range map[string]string{envFile: "FROM_FILE=1\nSPACED=a b\n", profile: `{"defaultAction":"SCMP_ACT_ALLOW"}`} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("POD_TEST_HOST_VAR", "from the host")
	t.Chdir(dir)
	return [][]string{
		{
			"--name", "web", "--hostname", "web1", "--domainname", "example.com", "-w", "/srv", "-u", "1000:1000",
			"--entrypoint", "/bin/busybox", "-e", "A=1", "-e", "PCT=100%$x", "-e", "POD_TEST_HOST_VAR",
			"-e", "MULTI=line1\nline2", "--env-file", envFile, "-l", "tier=front", "-l", "app=web",
			"--cap-add", "NET_ADMIN,SYS_TIME", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
			"--security-opt", "seccomp=" + profile, "-i", "-t", "--read-only", "--stop-signal", "SIGQUIT",
			"--stop-timeout", "25",
			"-v", "data:/data", "-v", "./rel:/rel:ro,U", "-v", "/anon", "-v", "/anon2:ro",
			"--mount", "type=bind,src=/srv,dst=/mnt/srv,ro,bind-propagation=rslave",
			"--mount", "type=volume,src=cache,dst=/cache,volume-nocopy",
			"--mount", "type=tmpfs,dst=/scratch,tmpfs-size=1m,tmpfs-mode=1777",
			"--tmpfs", "/run:size=64m,noexec", "--tmpfs", "/tmp", "--volumes-from", "other:ro",
			"--secret", "db", "--secret", "tok,type=env,target=TOKEN", "--secret", "key,target=/etc/k,uid=5,gid=6,mode=0400",
			"--restart", "on-failure:3",
			"--health-cmd", "wget -q -O- localhost || exit 1", "--health-interval", "10s",
			"--health-timeout", "3s", "--health-start-period", "1m30s", "--health-retries", "4",
			"--health-on-failure", "kill",
			"--log-driver", "k8s-file", "--log-opt", "max-size=10m", "--log-opt", "max-file=2",
			"--network", "slirp4netns:allow_host_loopback=true", "-p", "8080:80", "-p", "127.0.0.1:5353:53/udp",
			"-p", "[::1]:8443:443", "-p", "9000-9001:9000-9001", "--expose", "7000-7001/udp",
			"--dns", "192.0.2.53", "--dns-search", "example.com", "--dns-option", "ndots:2",
			"--add-host", "db:192.0.2.10",
			"localhost/web:1", "httpd", "-f", "-p", "80", "a b",
		},
		{"--rm", "--privileged", "--entrypoint", "", "--no-healthcheck", "--network", "none", "img"},
		{"--health-cmd", `["CMD", "/check", "--quick"]`, "--log-driver", "none", "--network", "pasta:-T,8080", "img"},
		{"--health-cmd", `["CMD-SHELL", "[ -f /ok ]"]`, "--network", "host", "img", "true"},
		{"--health-retries", "0", "--network", "container:db", "img"},
		{"-p", "80", "--restart", "always", "img"},
		{"--sdnotify", "healthy", "--health-cmd", "true", "--cgroups", "split", "--systemd", "always",
			"--pidfile", "/run/c.pid", "--conmon-pidfile", "/run/m.pid", "img", "/sbin/init"},
		{"--sdnotify", "ignore", "--systemd", "false", "--no-hosts", "img"},
		{"--memory", "67108864", "--memory-reservation", "33554432", "--memory-swap", "-1", "--memory-swappiness", "10",
			"--cpu-shares", "512", "--cpu-quota", "50000", "--cpu-period", "100000", "--cpu-rt-period", "1000", "--cpu-rt-runtime", "500",
			"--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--blkio-weight", "300", "--pids-limit", "100", "img"},
		{"--ulimit", "nofile=1024:2048", "--ulimit", "core=0", "--shm-size", "134217728", "--sysctl", "kernel.shmmax=100000", "--sysctl", "net.ipv4.ip_forward=1",
			"--umask", "0077", "--tz", "local", "--annotation", "a=1", "--annotation", "b=2", "--env-merge", "PATH=/x:${PATH}",
			"--unsetenv", "HOSTNAME", "--unsetenv-all", "img"},
		{"--init", "img", "sleep", "1"},
		{"--ipc", "host", "--pid", "private", "--uts", "ns:/proc/1/ns/uts", "--cgroupns", "private", "--device", "/dev/null:/dev/mynull:r", "img"},
		{"--userns", "keep-id", "img"},
		{"--uidmap", "0:1:1000", "--uidmap", "1000:0:1", "--gidmap", "0:1:2000", "img"},
		{"--subuidname", "bob", "--subgidname", "bob", "--chrootdirs", "/srv/jail", "--chrootdirs", "/other", "img"},
		{"--rootfs", "/srv/root", "sh"},
		{"--requires", "aaa,bbb", "--timeout", "30", "--oom-kill-disable", "--device-cgroup-rule", "c 1:3 mr", "--device-cgroup-rule", "b 8:* rw", "img"},
		{"--hostuser", "root", "--passwd=false", "--passwd-entry", "$USERNAME:x:$UID:$GID::/:/bin/sh", "img"},
		{"--image-volume", "tmpfs", "--personality", "LINUX32", "--cgroup-parent", "/mine", "--cgroup-conf", "memory.high=1000000", "img"},
		{"--entrypoint", `["/bin/sh","-c"]`, "--group-add", "wheel", "--group-add", "100", "--oom-score-adj", "500", "--read-only", "--read-only-tmpfs=false", "img", "echo hi"},
		{"--init", "--init-path", "/bin/sh", "img"},
		{"--pod", "web", "--userns", "auto:size=500", "--mount", "type=devpts,dst=/dev/pts,ptmxmode=0600", "img"},
		{"--network", "appnet", "--network-alias", "db", "--network-alias", "database", "--ip", "10.89.0.9", "--ip6", "fd00::9", "--mac-address", "02:42:0a:59:00:09", "img"},
		{"--network", "a:ip=10.89.0.9,alias=x,mac=02:00:00:00:00:01", "--network", "b", "img"},
	}
}

// TestRunArgsRoundTrip: run's flags give a Config; systemd.RunArgs of that
// Config, parsed by run's flags again, gives the same Config.
func TestRunArgsRoundTrip(t *testing.T) {
	for _, args := range roundTripCases(t) {
		cfg := runConfig(t, args)
		back, err := systemd.RunArgs(cfg, systemd.RunArgsOptions{})
		if err != nil {
			t.Fatalf("RunArgs of %q: %v", args, err)
		}
		again := runConfig(t, back)
		if !reflect.DeepEqual(cfg, again) {
			t.Errorf("run %q\ngave %+v\nRunArgs %q\ngave %+v", args, cfg, back, again)
		}
		if back2, _ := systemd.RunArgs(again, systemd.RunArgsOptions{}); !slices.Equal(back, back2) {
			t.Errorf("RunArgs not stable: %q, then %q", back, back2)
		}
	}
}

// notRecorded are run's flags whose values the container's record does
// not keep as such: how to pull, how run waits, -P (its ports are kept),
// --env-file (its variables are kept).
var notRecorded = []string{
	"pull", "quiet", "platform", "os", "arch", "variant", "disable-content-trust", "authfile", "cert-dir", "creds", "retry", "retry-delay", "tls-verify",
	"detach", "attach", "sig-proxy", "detach-keys", "preserve-fds", "publish-all", "env-file", "help", "cidfile", "replace",
	// Kept as --pod, the pod's ID; Docker's spellings, kept as --network
	// and --dns-option.
	"pod-id-file", "net", "dns-opt",
	// Kept as --cpu-quota and --cpu-period; as the variables and labels.
	"cpus", "env-host", "label-file", "http-proxy",
	// What run does after the container ended.
	"rmi",
	// Only its default is taken.
	"seccomp-policy",
	// Block devices' limits: their round trip is container's
	// TestResourcesArgs (parsing them here needs a block device).
	"blkio-weight-device", "device-read-bps", "device-write-bps", "device-read-iops", "device-write-iops",
}

// TestRunArgsCoverAllFlags: every flag of pod run is either covered by
// the round trip or listed as not recorded, so a new flag must be given
// to RunArgs (and to the round trip) before this passes.
func TestRunArgsCoverAllFlags(t *testing.T) {
	used := map[string]bool{}
	run := newRunCommand(&globalOptions{})
	for _, args := range roundTripCases(t) {
		cfg := runConfig(t, args)
		back, _ := systemd.RunArgs(cfg, systemd.RunArgsOptions{})
		for _, a := range append(args, back...) {
			if !strings.HasPrefix(a, "-") {
				continue
			}
			name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if len(name) == 1 {
				if f := run.Flags().ShorthandLookup(name); f != nil {
					name = f.Name
				}
			}
			used[name] = true
		}
	}
	run.Flags().VisitAll(func(f *pflag.Flag) {
		if !used[f.Name] && !slices.Contains(notRecorded, f.Name) {
			t.Errorf("run's --%s is neither written by systemd.RunArgs nor listed as not recorded", f.Name)
		}
	})
}

// TestPodHasFlag: the generators ask pod's own command tree which flags
// exist.
func TestPodHasFlag(t *testing.T) {
	for _, tc := range []struct {
		cmd, flag string
		want      bool
	}{
		{"run", "publish", true},
		{"run", "root", true},
		{"run", "no-such-flag", false},
		{"image pull", "tls-verify", true},
		{"volume create", "ignore", true},
		{"no-such-command", "name", false},
	} {
		if got := podHasFlag(tc.cmd, tc.flag); got != tc.want {
			t.Errorf("podHasFlag(%q, %q) = %v", tc.cmd, tc.flag, got)
		}
	}
}

// TestQuadletWithPodsFlags: a Quadlet key whose flag this pod lacks fails
// its unit, naming the flag.
func TestQuadletWithPodsFlags(t *testing.T) {
	u, err := systemd.ParseUnit("/q/t.container", []byte("[Container]\nImage=img\nTimezone=local\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, errs := systemd.ConvertQuadlets([]*systemd.Unit{u}, systemd.QuadletOptions{Pod: "/bin/pod", HasFlag: podHasFlag})
	if podHasFlag("run", "tz") {
		t.Skip("pod run has --tz")
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "/q/t.container:3: Timezone=: pod run has no --tz yet") {
		t.Errorf("errors %v", errs)
	}
}
