package monitor

import (
	"bytes"
	"testing"
)

func TestParseDetachKeys(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []byte
		bad  bool
	}{
		{"ctrl-p,ctrl-q", []byte{16, 17}, false},
		{"ctrl-x", []byte{24}, false},
		{"ctrl-@,ctrl-[,ctrl-_", []byte{0, 27, 31}, false},
		{"a,ctrl-A", []byte{'a', 1}, false},
		{"", nil, false},
		{"ctrl-1", nil, true},
		{"ab", nil, true},
	} {
		got, err := ParseDetachKeys(c.in)
		if (err != nil) != c.bad || !bytes.Equal(got, c.want) {
			t.Errorf("ParseDetachKeys(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestDetachScanner(t *testing.T) {
	for _, c := range []struct {
		name   string
		chunks []string
		out    string
		detach bool
	}{
		{"plain", []string{"hello"}, "hello", false},
		{"keys", []string{"ab\x10\x11cd"}, "ab", true},
		{"split keys", []string{"ab\x10", "\x11"}, "ab", true},
		{"partial then other", []string{"a\x10b"}, "a\x10b", false},
		{"partial held across chunks", []string{"a\x10", "b"}, "a\x10b", false},
		{"repeated first key", []string{"\x10\x10\x11"}, "\x10", true},
	} {
		d := &detachScanner{keys: []byte{16, 17}}
		var out []byte
		detached := false
		for _, ch := range c.chunks {
			p, det := d.scan([]byte(ch))
			out = append(out, p...)
			if det {
				detached = true
				break
			}
		}
		if string(out) != c.out || detached != c.detach {
			t.Errorf("%s: out %q detach %v, want %q %v", c.name, out, detached, c.out, c.detach)
		}
	}
}

func TestFrames(t *testing.T) {
	var b bytes.Buffer
	if err := writeFrame(&b, frameStdout, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if err := writeFrame(&b, frameExit, []byte("3")); err != nil {
		t.Fatal(err)
	}
	typ, p, err := readFrame(&b)
	if err != nil || typ != frameStdout || string(p) != "hi" {
		t.Fatalf("first frame %d %q %v", typ, p, err)
	}
	typ, p, err = readFrame(&b)
	if err != nil || typ != frameExit || string(p) != "3" {
		t.Fatalf("second frame %d %q %v", typ, p, err)
	}
	if _, _, err := readFrame(&b); err == nil {
		t.Fatal("a frame from nothing")
	}
	b.Write([]byte{1, 0xff, 0xff, 0xff, 0xff})
	if _, _, err := readFrame(&b); err == nil {
		t.Fatal("an oversized frame was accepted")
	}
}

func TestMessagesRoundTrip(t *testing.T) {
	var b bytes.Buffer
	_ = send(&b, message{Type: msgStarted, Pid: 42})
	_ = send(&b, message{Type: msgExited, Code: 3, Restarting: true})
	dec := newDecoder(&b)
	m, err := receive(dec)
	if err != nil || m.Type != msgStarted || m.Pid != 42 {
		t.Fatalf("started: %+v %v", m, err)
	}
	m, err = receive(dec)
	if err != nil || m.Type != msgExited || m.Code != 3 || !m.Restarting {
		t.Fatalf("exited: %+v %v", m, err)
	}
}
