// Package bench measures pod's latency from the outside: Go benchmarks
// that run the built binary (go test -bench . ./bench/), and compare.sh,
// which sets pod against Podman and a bare runc (make bench).
package bench
