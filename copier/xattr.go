package copier

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// paxXattr prefixes an extended attribute in a tar header's PAX records.
const paxXattr = "SCHILY.xattr."

// copiedXattr says whether an extended attribute is copied: not the
// host's SELinux label, not POSIX ACLs (whose IDs belong to the source's
// namespace) and not a storage driver's own bookkeeping.
func copiedXattr(name string) bool {
	switch {
	case name == "security.selinux", strings.HasPrefix(name, "system."):
		return false
	case strings.HasPrefix(name, "trusted.overlay."), strings.HasPrefix(name, "user.overlay."),
		strings.HasPrefix(name, "user.fuseoverlayfs."), strings.HasPrefix(name, "user.containers."):
		return false
	}
	return true
}

// readXattrs adds the copied extended attributes of the open file fd to h.
func readXattrs(fd int, h *tar.Header) error {
	size, err := unix.Flistxattr(fd, nil)
	if errors.Is(err, unix.ENOTSUP) || size <= 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing extended attributes: %w", err)
	}
	buf := make([]byte, size)
	if size, err = unix.Flistxattr(fd, buf); err != nil {
		return fmt.Errorf("listing extended attributes: %w", err)
	}
	for _, name := range bytes.Split(buf[:size], []byte{0}) {
		n := string(name)
		if n == "" || !copiedXattr(n) {
			continue
		}
		val, err := getXattr(fd, n)
		if errors.Is(err, unix.ENODATA) || errors.Is(err, unix.ENOTSUP) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading the extended attribute %s: %w", n, err)
		}
		if h.PAXRecords == nil {
			h.PAXRecords = map[string]string{}
		}
		h.PAXRecords[paxXattr+n] = string(val)
	}
	return nil
}

func getXattr(fd int, name string) ([]byte, error) {
	for size := 256; ; size *= 4 {
		buf := make([]byte, size)
		n, err := unix.Fgetxattr(fd, name, buf)
		if errors.Is(err, unix.ERANGE) && size < 1<<20 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// setXattrs sets h's extended attributes on the open file fd or, with fd
// -1, on the file at p, not followed. Attributes the file system does not
// hold, and (unprivileged) trusted.* and security.* ones, are dropped with
// a debug note; user.* ones are kept where the kernel allows them.
func setXattrs(fd int, p string, h *tar.Header) error {
	names := make([]string, 0, len(h.PAXRecords))
	for k := range h.PAXRecords {
		if n, ok := strings.CutPrefix(k, paxXattr); ok && copiedXattr(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		val := []byte(h.PAXRecords[paxXattr+n])
		var err error
		if fd >= 0 {
			err = unix.Fsetxattr(fd, n, val, 0)
		} else {
			err = unix.Lsetxattr(p, n, val, 0)
		}
		if err == nil {
			continue
		}
		user := strings.HasPrefix(n, "user.")
		special := h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir
		switch {
		case errors.Is(err, unix.ENOTSUP),
			!user && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)),
			user && special && errors.Is(err, unix.EPERM):
			logrus.Debugf("copier: %s: extended attribute %s not kept: %v", h.Name, n, err)
		default:
			return fmt.Errorf("setting the extended attribute %s: %w", n, err)
		}
	}
	return nil
}
