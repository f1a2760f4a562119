// Package e2e holds pod's end-to-end tests: they run the built pod binary
// as an unprivileged user (podtest when the tests run as root), each test
// with its own --root, --runroot and XDG_RUNTIME_DIR, against the real OCI
// runtime, overlayfs and newuidmap, and assert what a user sees: output,
// exit codes and files on disk.
package e2e
