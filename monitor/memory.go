package monitor

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// trimResident drops the pages of pod's own executable that the start-up
// touched (package initialisation of a large binary) from this process's
// resident set: read-only, file-backed mappings only, which the kernel
// reads back from the page cache if they are needed again. A monitor lives
// as long as its container, and most of the binary is never used again.
func trimResident() {
	self, err := os.Executable()
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 00400000-00452000 r-xp 00000000 08:02 173521  /usr/bin/pod
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != self || strings.Contains(fields[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_ = madvise(uintptr(start), uintptr(end-start))
	}
}

func madvise(addr, length uintptr) error {
	_, _, e := unix.Syscall(unix.SYS_MADVISE, addr, length, uintptr(unix.MADV_DONTNEED))
	if e != 0 {
		return e
	}
	return nil
}
