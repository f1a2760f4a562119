// Package completions holds pod's generated shell completion scripts
// (bash, zsh, fish, PowerShell); `make completions` regenerates them and a
// test in cmd/pod fails when they are stale.
package completions
