// Package systemd reads and writes systemd unit files, turns
// Quadlet-format files (.container, .volume, .image) into units that run
// pod, and writes units for existing containers (pod generate systemd).
package systemd
