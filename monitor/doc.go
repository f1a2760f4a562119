// Package monitor runs a container from creation to exit: it prepares the
// bundle, creates and starts the container with the OCI runtime, holds its
// stdio, forwards signals, records its exit and cleans up.
package monitor
