package vm

import (
	"strings"
	"testing"
)

// TestUpdateCgroupV2: on cgroup v2, pod update sets a rootful
// container's memory.max and cpu.max at once and keeps them for its next
// start, and run's --memory and --pids-limit reach the cgroup; a rootless
// container, with no cgroup of its own, is refused with the reason.
func TestUpdateCgroupV2(t *testing.T) {
	v := podInstalled(t)
	const img = "localhost/vm/busybox:latest"
	v.ImportBusybox(t, Root, img)
	t.Cleanup(func() { v.Run(t, Root, "pod rm -f upd; pod rmi -f "+img) })
	out := v.MustRun(t, Root, `set -e
id=$(pod run -d --name upd `+img+` sleep 1000)
pod update --memory 64m --cpus 0.5 upd >/dev/null
cat /sys/fs/cgroup/pod/$id/memory.max /sys/fs/cgroup/pod/$id/cpu.max
pod restart -t 0 upd >/dev/null
cat /sys/fs/cgroup/pod/$id/memory.max
pod inspect --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' upd`)
	if want := "67108864\n50000 100000\n67108864\n67108864 500000000\n"; out != want {
		t.Fatalf("rootful update on cgroup v2:\n%s\nwant:\n%s", out, want)
	}
	out = v.MustRun(t, Root, `set -e
id=$(pod run -d --name lim --memory 48m --pids-limit 20 `+img+` sleep 1000)
cat /sys/fs/cgroup/pod/$id/memory.max /sys/fs/cgroup/pod/$id/pids.max
pod rm -f -t 0 lim >/dev/null`)
	if want := "50331648\n20\n"; out != want {
		t.Fatalf("run --memory --pids-limit on cgroup v2:\n%s\nwant:\n%s", out, want)
	}
	v.ImportBusybox(t, TestUser, img)
	t.Cleanup(func() { v.Run(t, TestUser, "pod rm -f updu; pod rmi -f "+img) })
	v.MustRun(t, TestUser, "pod run -d --name updu "+img+" sleep 1000")
	_, stderr, code := v.Run(t, TestUser, "pod update --memory 64m updu")
	if code != 125 || !strings.Contains(stderr, "delegated to you") {
		t.Fatalf("rootless update on cgroup v2: exit %d, want 125 and the reason:\n%s", code, stderr)
	}
}

// TestOOMKilledCgroupV2: on cgroup v2 a rootful container over --memory
// is ended by the OOM killer, exits 137 and inspect says OOMKilled (pod
// watches memory.events while it runs); pod chose crun there.
func TestOOMKilledCgroupV2(t *testing.T) {
	v := podInstalled(t)
	const img = "localhost/vm/busybox:latest"
	v.ImportBusybox(t, Root, img)
	t.Cleanup(func() { v.Run(t, Root, "pod rm -f hog fine; pod rmi -f "+img) })
	out := v.MustRun(t, Root, `pod run --name hog --memory 16m --memory-swap 16m `+img+` sh -c 'sleep 0.5; x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done'; echo "exit $?"
pod inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}} {{.OCIRuntime}}' hog
pod run --name fine --memory 16m `+img+` sh -c 'exit 3'; echo "exit $?"
pod inspect --format '{{.State.OOMKilled}}' fine`)
	// crun, pod's first choice, works on a pure cgroup v2 host.
	if want := "exit 137\ntrue 137 crun\nexit 3\nfalse\n"; out != want {
		t.Fatalf("the OOM killer on cgroup v2:\n%s\nwant:\n%s", out, want)
	}
}

// TestRootlessDelegatedCgroup: a rootless container with limits, started
// from a cgroup delegated to the user (systemd-run --user --scope -p
// Delegate=yes), gets a cgroup of its own: its memory.max and pids.max are
// set, pod update changes them, pause freezes it, stats reads it; a
// build's RUN step gets its --memory there too; one started from the login
// shell says what it lacks.
func TestRootlessDelegatedCgroup(t *testing.T) {
	v := podInstalled(t)
	const img = "localhost/vm/busybox:latest"
	v.ImportBusybox(t, TestUser, img)
	t.Cleanup(func() { v.Run(t, TestUser, "pod rm -f -t 0 lim plain; pod rmi -f "+img) })
	out := v.MustRun(t, TestUser, `set -e
systemd-run --user --scope --quiet -p Delegate=yes pod run -d --name lim --memory 48m --pids-limit 30 `+img+` sleep 1000 >/dev/null
cg=/sys/fs/cgroup$(pod inspect --format '{{.State.Pid}}' lim | xargs -I{} cat /proc/{}/cgroup | sed 's/^0:://')
cat $cg/memory.max $cg/pids.max
pod update --memory 64m lim >/dev/null
cat $cg/memory.max
pod pause lim >/dev/null
cat $cg/cgroup.freeze
pod inspect --format '{{.State.Status}}' lim
pod unpause lim >/dev/null
cat $cg/cgroup.freeze
pod stats --no-stream --format '{{.Name}} {{.MemUsage}}' lim`)
	if !strings.HasPrefix(out, "50331648\n30\n67108864\n1\npaused\n0\nlim ") || !strings.HasSuffix(out, " / 64MiB\n") {
		t.Fatalf("a rootless container in a delegated cgroup:\n%s", out)
	}
	// A build's RUN step with limits, from the same delegated cgroup.
	out = v.MustRun(t, TestUser, `set -e
d=$(mktemp -d)
printf 'FROM `+img+`\nRUN cat /sys/fs/cgroup/memory.max > /m\n' > $d/Dockerfile
systemd-run --user --scope --quiet -p Delegate=yes pod build -q --memory 32m -t localhost/vm/limited $d >/dev/null
rm -rf $d
pod run --rm localhost/vm/limited cat /m
pod rmi localhost/vm/limited >/dev/null`)
	if out != "33554432\n" {
		t.Fatalf("a RUN step's --memory in a delegated cgroup: %q", out)
	}
	v.MustRun(t, TestUser, "pod run -d --name plain --memory 48m "+img+" sleep 1000 >/dev/null")
	_, stderr, code := v.Run(t, TestUser, "pod pause plain")
	if code != 125 || !strings.Contains(stderr, "delegated to you") {
		t.Fatalf("pause of a container started from the login shell: exit %d:\n%s", code, stderr)
	}
}
