// Package userns is pod's rootless entry: it parses /etc/subuid and
// /etc/subgid, keeps one per-user namespace holder (the pause process),
// joins it by re-executing pod through nsenter, and says exactly what to fix
// when any of that cannot work.
package userns
