// Package events keeps the one log of what pod did to containers, images
// and volumes: JSON lines in $XDG_RUNTIME_DIR/pod/events/events.log, as
// Podman's file events backend keeps them.
package events
