package main

import "testing"

// TestSelfNamed: in the drop-in mode the commands an error suggests are
// spelt with the name pod was called by; pods' names and "pod's" stay.
func TestSelfNamed(t *testing.T) {
	newRootCommand(&globalOptions{}) // fills commandNames
	for _, tc := range []struct{ self, in, want string }{
		{"podman", "no such container: \"x\" (pod ps -a lists containers)", "no such container: \"x\" (podman ps -a lists containers)"},
		{"podman", "remove the pod (pod pods rm web)", "remove the pod (podman pod rm web)"},
		{"docker", "stop it first (pod stop x), or pod rm -f x", "stop it first (docker stop x), or docker rm -f x"},
		{"podman", "pod web has running containers; pod's storage", "pod web has running containers; pod's storage"},
		{"podman", "see mypod rm", "see mypod rm"},
		{"pod", "pod rm x", "pod rm x"},
	} {
		if got := selfNamedAs(tc.in, tc.self); got != tc.want {
			t.Errorf("as %s, %q became %q, want %q", tc.self, tc.in, got, tc.want)
		}
	}
}
