package image

import (
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/types"
)

// The rate is bytes over the last few seconds, whatever the sizes of the
// events: a tail of small late events does not drag it to bytes per second.
func TestMeterRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	m := newMeter(t0)
	if r := m.rate(t0.Add(time.Second)); r != 0 {
		t.Errorf("rate before any progress = %v, want 0", r)
	}
	off := int64(0)
	for i := 1; i <= 20; i++ { // 1 MiB per 100ms
		off += 1 << 20
		m.add(t0.Add(time.Duration(i)*100*time.Millisecond), off)
	}
	m.add(t0.Add(2100*time.Millisecond), off+1) // one byte, late
	now := t0.Add(2100 * time.Millisecond)
	if r := m.rate(now); r < 9<<20 || r > 11<<20 {
		t.Errorf("rate = %.0f B/s, want about 10 MiB/s", r)
	}
	// Later samples push the old ones out of the window.
	for i := 1; i <= 40; i++ { // 100 KiB per 100ms
		off += 100 << 10
		m.add(now.Add(time.Duration(i)*100*time.Millisecond), off)
	}
	now = now.Add(4 * time.Second)
	if r := m.rate(now); r < 900<<10 || r > 1100<<10 {
		t.Errorf("rate after slowing = %.0f B/s, want about 1 MiB/s", r)
	}
	// A stall brings the rate down.
	if r := m.rate(now.Add(30 * time.Second)); r > 150<<10 {
		t.Errorf("rate after a 30s stall = %.0f B/s", r)
	}
}

func TestTransferStatus(t *testing.T) {
	for _, c := range []struct {
		cur, size int64
		rate      float64
		want      string
	}{
		{1 << 20, 4 << 20, 1 << 20, "1.0 MiB / 4.0 MiB | 1.0 MiB/s | ETA 0:03"},
		{0, 4 << 20, 0, "0.0 b / 4.0 MiB"},
		{3 << 20, 0, 512 << 10, "3.0 MiB | 512.0 KiB/s"},
		{1 << 20, 7201 << 20, 1 << 20, "1.0 MiB / 7.0 GiB | 1.0 MiB/s | ETA 2:00:00"},
	} {
		if got := transferStatus(c.cur, c.size, c.rate); got != c.want {
			t.Errorf("transferStatus(%d, %d, %v) = %q, want %q", c.cur, c.size, c.rate, got, c.want)
		}
	}
}

func TestBlobLabel(t *testing.T) {
	for mt, want := range map[string]string{
		"application/vnd.docker.container.image.v1+json":    "Copying config 0123456789ab",
		"application/vnd.oci.image.config.v1+json":          "Copying config 0123456789ab",
		"application/vnd.oci.image.layer.v1.tar+gzip":       "Copying blob 0123456789ab",
		"application/vnd.docker.image.rootfs.diff.tar.gzip": "Copying blob 0123456789ab",
		"": "Copying blob 0123456789ab",
	} {
		info := blobInfo("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", mt)
		if got := blobLabel(info); got != want {
			t.Errorf("%q: %q, want %q", mt, got, want)
		}
	}
}

func blobInfo(d, mt string) types.BlobInfo {
	return types.BlobInfo{Digest: digest.Digest(d), MediaType: mt}
}
