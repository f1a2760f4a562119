// Package vm boots a Debian VM under qemu, with systemd as PID 1, cgroup
// v2 and a lingering test user, and runs scripts in it, for the tests of
// pod's systemd integration that this host (no systemd, cgroup v1 hybrid)
// cannot run.
//
// The tests of a package share one VM, booted by the first test that asks
// for it (a boot costs tens of seconds under emulation):
//
//	func TestMain(m *testing.M) { os.Exit(vm.Main(m, vm.Options{})) }
//
//	func TestUnitRestarts(t *testing.T) {
//		v := vm.Shared(t)
//		v.WriteFile(t, vm.TestUser, "/home/podtest/.config/systemd/user/web.service", unit, 0o644)
//		v.MustRun(t, vm.TestUser, "systemctl --user daemon-reload && systemctl --user start web")
//		v.Reboot(t)
//		out, stderr, code := v.Run(t, vm.TestUser, "systemctl --user is-active web")
//		...
//	}
//
// Scripts run with bash, as vm.Root or as vm.TestUser in a login session of
// its own (XDG_RUNTIME_DIR and the user's bus set, so systemctl --user
// works). The pod under test is /usr/local/bin/pod in the guest. The image
// is built by hack/vm-image.sh and cached; see docs/design.md.
package vm
