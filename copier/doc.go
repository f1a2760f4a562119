// Package copier is pod's one way to copy files into or out of a root
// filesystem: tree to tree, tree to tar and tar to tree, every path
// resolved inside its root and no symbolic link ever followed out of it.
//
// Paths inside a root are resolved as if the root were "/" (the semantics
// of github.com/cyphar/filepath-securejoin, through its file-descriptor
// based pathrs-lite helpers): a symbolic link, absolute or relative, and
// "..", never lead above the root. Every entry is written relative to a
// directory handle with O_NOFOLLOW or O_EXCL and *at system calls, after
// whatever was at its place is removed, so nothing is written through an
// existing link. Owners, modes (setuid, setgid, sticky), times, extended
// attributes (best effort) and hard links within one copy are kept.
//
// No chroot helper process is needed: a running container can race the
// copy by swapping a directory for a link, but each step resolves inside
// the root again, so the worst it gets is a copy to or from another place
// in its own root.
package copier
