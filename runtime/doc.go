// Package runtime builds the OCI runtime spec of a container and calls the OCI runtime binary (crun or runc).
package runtime
