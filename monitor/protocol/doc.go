// Package protocol is what a container's monitor and the pod commands that
// start, attach to and stop it agree on: the role name, the inherited file
// descriptors, the typed handshake messages on the control socket, the
// attach socket's frames, and the protocol version.
package protocol
