// Package storage opens go.podman.io/storage with pod's paths and driver
// choice, and holds the file-locking and atomic-write helpers every record uses.
package storage
