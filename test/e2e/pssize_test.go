package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// ps -s shows the writable layer's size and the virtual size, as Docker.
func TestPsSize(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "sz", testImage, "sh", "-c", "dd if=/dev/zero of=/big bs=1k count=300 2>/dev/null")
	out := strings.TrimSpace(e.ok("ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}"))
	if !regexp.MustCompile(`^sz 3\d\dkB \(virtual \d+(\.\d+)?MB\)$`).MatchString(out) {
		t.Fatalf("ps -s: %q, want about 300kB (virtual a few MB)", out)
	}
	header := strings.SplitN(e.ok("ps", "-a", "-s"), "\n", 2)[0]
	if !strings.HasSuffix(strings.TrimSpace(header), "SIZE") {
		t.Fatalf("ps -s header: %q", header)
	}
	if strings.Contains(e.ok("ps", "-a"), "SIZE") {
		t.Fatalf("ps without -s shows a SIZE column")
	}
}
