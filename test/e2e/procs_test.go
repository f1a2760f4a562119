package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// pauseRoleEnv marks the pause process in its environment.
const pauseRoleEnv = "POD_ROLE=pause"

// proc is one host process as the tests see it.
type proc struct {
	pid     int
	uid     int // real uid, as the host sees it
	environ []string
	cmdline string
}

func (p proc) hasEnv(kv string) bool {
	for _, e := range p.environ {
		if e == kv {
			return true
		}
	}
	return false
}

func (p proc) String() string {
	return strconv.Itoa(p.pid) + " (uid " + strconv.Itoa(p.uid) + "): " + p.cmdline
}

// alive reports whether pid runs (zombies are dead).
func alive(pid int) bool {
	f := statFields(pid)
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// parentOf is the PID of pid's parent process (0 when pid is gone).
func parentOf(pid int) int {
	f := statFields(pid)
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// statFields are the fields of /proc/PID/stat after the command name
// (state, ppid, ...); nil when pid is gone.
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// statusField is the first word of KEY's line in a /proc/PID/status
// text ("" when there is none).
func statusField(status, key string) string {
	for _, line := range strings.Split(status, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == key {
			return f[1]
		}
	}
	return ""
}

// processes lists the live host processes (those it can read).
func processes() []proc {
	ents, _ := os.ReadDir("/proc")
	var out []proc
	for _, ent := range ents {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid == os.Getpid() || !alive(pid) {
			continue
		}
		dir := "/proc/" + ent.Name()
		status, err := os.ReadFile(dir + "/status")
		if err != nil {
			continue
		}
		p := proc{pid: pid, uid: -1}
		if uid := statusField(string(status), "Uid:"); uid != "" {
			p.uid, _ = strconv.Atoi(uid)
		}
		if b, err := os.ReadFile(dir + "/environ"); err == nil {
			p.environ = strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		}
		if b, err := os.ReadFile(dir + "/cmdline"); err == nil {
			p.cmdline = strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
		}
		out = append(out, p)
	}
	return out
}

// pauseProcesses lists the running pause processes of u.
func pauseProcesses(u *testUser) []proc {
	var out []proc
	for _, p := range processes() {
		if p.uid == u.uid && p.hasEnv(pauseRoleEnv) {
			out = append(out, p)
		}
	}
	return out
}

// isPause reports whether pid is a live pause process of u (a pid file may
// name a dead one whose PID was reused).
func isPause(pid int, u *testUser) bool {
	for _, p := range pauseProcesses(u) {
		if p.pid == pid {
			return true
		}
	}
	return false
}

// userNSInode returns the inode of pid's user namespace, 0 if unknown.
func userNSInode(pid int) uint64 {
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/user", &st); err != nil {
		return 0
	}
	return st.Ino
}

// inUserNS reports whether pid's user namespace is ns or a descendant of it.
func inUserNS(pid int, ns uint64) bool {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/user", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	for depth := 0; depth < 33; depth++ {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			break
		}
		if st.Ino == ns {
			unix.Close(fd)
			return true
		}
		parent, err := unix.IoctlRetInt(fd, unix.NS_GET_PARENT)
		unix.Close(fd)
		if err != nil {
			return false
		}
		fd = parent
	}
	unix.Close(fd)
	return false
}

// leftovers lists the test's processes other than the pause process: any
// in the pause process's user namespace (or below it), and any of the
// test user that carries the test's marker in its environment. pause 0
// means the one in the pid file, -1 none (the marker only).
func (e *env) leftovers(pause int) []proc {
	if pause == 0 {
		pause = e.pausePID()
	}
	var ns uint64
	if pause > 0 && pause != e.foreignPause && alive(pause) {
		ns = userNSInode(pause)
	}
	marker := e.marker()
	var out []proc
	for _, p := range processes() {
		if p.pid == pause {
			continue
		}
		if (p.uid == e.user.uid && p.hasEnv(marker)) || (ns != 0 && inUserNS(p.pid, ns)) {
			out = append(out, p)
		}
	}
	return out
}

// overlayMounts lists the overlay mounts below the test's --root that the
// pause process's mount namespace holds.
func (e *env) overlayMounts(pause int) []string {
	e.t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pause) + "/mountinfo")
	if err != nil {
		b = []byte(e.ok("unshare", "cat", "/proc/self/mountinfo"))
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		sep := -1
		for i, x := range f {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) || len(f) < 5 {
			continue
		}
		fstype, mnt := f[sep+1], f[4]
		under := mnt == e.root || strings.HasPrefix(mnt, e.root+"/")
		if under && (strings.Contains(fstype, "overlay") || filepath.Base(mnt) == "merged") {
			out = append(out, line)
		}
	}
	return out
}
