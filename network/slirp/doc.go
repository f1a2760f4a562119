// Package slirp gives rootless containers user-mode networking (slirp4netns
// or pasta), published ports, and their /etc/hosts and /etc/resolv.conf.
package slirp
