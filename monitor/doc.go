// Package monitor is the per-container monitor role: pod re-executed (see
// protocol) in its own session to run one container through the OCI
// runtime, hold its stdio and log, serve attach clients, record its
// exits, apply its restart policy and health checks, and clean up. The
// commands that start and talk to it live in lifecycle.
package monitor
