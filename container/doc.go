// Package container owns the container record: its Config, its state file and
// the locked, atomic changes that move it through its lifecycle.
package container
