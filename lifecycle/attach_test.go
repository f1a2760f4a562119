package lifecycle

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
