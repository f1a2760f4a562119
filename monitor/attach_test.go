package monitor

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pod-project/pod/monitor/protocol"
)

// dialAttach connects a client to the test server and waits until the
// server has it in its set.
func dialAttach(t *testing.T, a *attachServer, dir string, want int) *net.UnixConn {
	t.Helper()
	p, d, err := protocol.ShortPath(protocol.AttachSocketDir(dir), "ctr")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		a.mu.Lock()
		n := len(a.conn)
		a.mu.Unlock()
		if n == want {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d clients, want %d", n, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// readUntilExit reads frames until the exit frame and returns the output
// and the exit code as sent.
func readUntilExit(t *testing.T, c *net.UnixConn) (string, string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out strings.Builder
	for {
		typ, p, err := protocol.ReadFrame(c)
		if err != nil {
			t.Fatalf("reading frames: %v (after %q)", err, out.String())
		}
		switch typ {
		case protocol.FrameStdout:
			out.Write(p)
		case protocol.FrameExit:
			return out.String(), string(p)
		}
	}
}

// TestAttachClientDrainingAcrossRestarts: a restarted container exits
// again while a client of its previous run is still draining its frames;
// the monitor must neither send to that client again nor panic.
func TestAttachClientDrainingAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	out := newOutputs(nil, nil, nil)
	a, err := listenAttach(dir, "ctr", out, newInputs(false, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	slow := dialAttach(t, a, dir, 1)
	// More than the socket buffers hold: the client's writer is still
	// blocked on it when the container exits, twice.
	chunk := strings.Repeat("first run\n", 3200)
	for range 200 {
		out.write("stdout", []byte(chunk))
	}
	a.exited(0)
	// The restarted run gets a new client; the slow one has not read yet.
	fresh := dialAttach(t, a, dir, 1)
	out.write("stdout", []byte("second run\n"))
	a.exited(1)

	got, code := readUntilExit(t, slow)
	if code != "0" || got != strings.Repeat(chunk, 200) {
		t.Fatalf("the first run's client got %d bytes and exit %q, want all of the first run and 0", len(got), code)
	}
	if _, _, err := protocol.ReadFrame(slow); err == nil {
		t.Fatal("the first run's client got a frame after its exit frame")
	}
	got, code = readUntilExit(t, fresh)
	if code != "1" || got != "second run\n" {
		t.Fatalf("the second run's client got %q and exit %q, want the second run and 1", got, code)
	}
}
