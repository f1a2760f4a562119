package runtime

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCgroupDirStats(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"cpu.stat":       "usage_usec 1500\nuser_usec 1000\n",
		"memory.current": "3000000\n",
		"memory.max":     "max\n",
		"memory.stat":    "anon 100\nfile 2000\n",
		"pids.current":   "3\n",
		"pids.max":       "30\n",
		"io.stat":        "8:0 rbytes=100 wbytes=20 rios=1 wios=1\n8:16 rbytes=5 wbytes=1\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := cgroupDirStats(dir)
	if s.CPU.Usage.Total != 1500000 || s.Memory.Usage.Usage != 3000000 || s.Memory.Usage.Limit != 0 || s.Memory.Cache != 2000 ||
		s.Pids.Current != 3 || s.Pids.Limit != 30 || len(s.Blkio.IoServiceBytesRecursive) != 2 ||
		s.Blkio.IoServiceBytesRecursive[0].Value != 105 || s.Blkio.IoServiceBytesRecursive[1].Value != 21 {
		t.Fatalf("stats: %+v", s)
	}
}
