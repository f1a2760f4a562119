// Package lifecycle is the client side of a container's life, one workflow
// per verb: create (pull, resolve, volumes), start and attach (through the
// container's monitor), stop, kill, exec, pause, stats, health checks, the
// one removal path, and loading records with stale ones repaired.
package lifecycle
