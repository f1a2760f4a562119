package container

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pod-project/pod/procid"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// jsonLine is a json-file line as encoding/json (Docker) writes it.
func jsonLine(at time.Duration, stream, data string) string {
	b, _ := json.Marshal(map[string]string{"log": data, "stream": stream, "time": t0.Add(at).Format(time.RFC3339Nano)})
	return string(b) + "\n"
}

func TestParseLogLine(t *testing.T) {
	for _, tc := range []struct {
		line   string
		stream string
		data   string
		ok     bool
	}{
		{`{"log":"hi\n","stream":"stdout","time":"2026-03-04T05:06:07Z"}`, "stdout", "hi\n", true},
		{`{"stream":"stderr","log":"a\"b\\c\/\t\u00e9\ud83d\ude00","time":"2026-03-04T05:06:07.5Z"}`, "stderr", "a\"b\\c/\té😀", true},
		{`{"log":"\udcff\udc80x","stream":"stdout","time":"2026-03-04T05:06:07Z"}`, "stdout", "\xff\x80x", true},
		{`{"log":"lone \ud800 high","stream":"stdout","time":"2026-03-04T05:06:07Z"}`, "stdout", "lone \uFFFD high", true},
		{`{ "log" : "spaced" , "stream" : "stdout" , "time" : "2026-03-04T05:06:07Z" }`, "stdout", "spaced", true},
		{`{"log":"attrs\n","stream":"stdout","attrs":{"k":"v"},"time":"2026-03-04T05:06:07Z"}`, "stdout", "attrs\n", true},
		{"2026-03-04T05:06:07.123Z stdout F full line", "stdout", "full line\n", true},
		{"2026-03-04T05:06:07Z stderr P part", "stderr", "part", true},
		{"2026-03-04T05:06:07Z stdout F", "stdout", "\n", true},
		{`{"log":"unterminated`, "", "", false},
		{`{"log":"x","time":"yesterday"}`, "", "", false},
		{"garbage", "", "", false},
	} {
		e, err := parseLogLine([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("parseLogLine(%s): err %v, want ok=%v", tc.line, err, tc.ok)
			continue
		}
		if tc.ok && (e.Stream != tc.stream || string(e.Data) != tc.data || e.Time.IsZero()) {
			t.Errorf("parseLogLine(%s) = %q %q %v; want %q %q", tc.line, e.Stream, e.Data, e.Time, tc.stream, tc.data)
		}
	}
}

func TestParseLogTime(t *testing.T) {
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"10m", now.Add(-10 * time.Minute), true},
		{"1h30m", now.Add(-90 * time.Minute), true},
		{"2026-01-02T03:04:05Z", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"2026-01-02T03:04:05.25+01:00", time.Date(2026, 1, 2, 2, 4, 5, 250000000, time.UTC), true},
		{"2026-01-02T03:04:05", time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local), true},
		{"2026-01-02", time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local), true},
		{"1700000000", time.Unix(1700000000, 0), true},
		{"1700000000.5", time.Unix(1700000000, 500000000), true},
		{"0", time.Unix(0, 0), true},
		{"1700000000.", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"12abc", time.Time{}, false},
	} {
		got, err := ParseLogTime(tc.in, now)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("ParseLogTime(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// logRecord is a container record in a temporary directory with log lines
// written to its log.
func logRecord(t *testing.T, lines ...string) *Record {
	t.Helper()
	r := &Record{Dir: t.TempDir(), Config: Config{Name: "c"}, State: State{Status: StatusExited}}
	if err := r.writeState(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.LogPath(), []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

func readLogs(t *testing.T, r *Record, o LogsOptions) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := ReadLogs(context.Background(), r, o, &out, &errb); err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String()
}

func TestReadLogsSelection(t *testing.T) {
	r := logRecord(t,
		jsonLine(0, "stdout", "one\n"),
		jsonLine(time.Second, "stderr", "err one\n"),
		jsonLine(2*time.Second, "stdout", "tw"),
		jsonLine(3*time.Second, "stdout", "o\n"),
		"not a log line\n",
		jsonLine(4*time.Second, "stdout", "three\n"),
		jsonLine(5*time.Second, "stdout", "par"),
	)
	for _, tc := range []struct {
		name     string
		o        LogsOptions
		out, err string
	}{
		{"all", LogsOptions{Tail: -1}, "one\ntwo\nthree\npar", "err one\n"},
		{"tail 1 is the final partial line", LogsOptions{Tail: 1}, "par", ""},
		{"tail 2", LogsOptions{Tail: 2}, "three\npar", ""},
		{"tail 3 keeps a line split in chunks", LogsOptions{Tail: 3}, "two\nthree\npar", ""},
		{"tail 4 counts both streams", LogsOptions{Tail: 4}, "two\nthree\npar", "err one\n"},
		{"tail 0", LogsOptions{Tail: 0}, "", ""},
		{"tail beyond", LogsOptions{Tail: 100}, "one\ntwo\nthree\npar", "err one\n"},
		{"since", LogsOptions{Tail: -1, Since: t0.Add(time.Second)}, "two\nthree\npar", "err one\n"},
		{"until", LogsOptions{Tail: -1, Until: t0.Add(3 * time.Second)}, "one\ntwo\n", "err one\n"},
		{"since and until", LogsOptions{Tail: -1, Since: t0.Add(2 * time.Second), Until: t0.Add(4 * time.Second)}, "two\nthree\n", ""},
		{"timestamps", LogsOptions{Tail: 2, Timestamps: true}, "2026-03-04T05:06:11.000000000Z three\n2026-03-04T05:06:12.000000000Z par", ""},
	} {
		out, errOut := readLogs(t, r, tc.o)
		if out != tc.out || errOut != tc.err {
			t.Errorf("%s: stdout %q stderr %q; want %q %q", tc.name, out, errOut, tc.out, tc.err)
		}
	}
}

func TestReadLogsTimestampsPartial(t *testing.T) {
	r := logRecord(t, jsonLine(0, "stdout", "a"), jsonLine(time.Second, "stdout", "b\n"), jsonLine(2*time.Second, "stdout", "c\n"))
	out, _ := readLogs(t, r, LogsOptions{Tail: -1, Timestamps: true})
	want := "2026-03-04T05:06:07.000000000Z ab\n2026-03-04T05:06:09.000000000Z c\n"
	if out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestReadLogsRotatedAndMissing(t *testing.T) {
	r := logRecord(t, jsonLine(4*time.Second, "stdout", "4\n"))
	for n, line := range map[int]string{1: jsonLine(3*time.Second, "stdout", "3\n"), 2: jsonLine(2*time.Second, "stdout", "2\n"), 10: jsonLine(time.Second, "stdout", "1\n")} {
		if err := os.WriteFile(fmt.Sprintf("%s.%d", r.LogPath(), n), []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if out, _ := readLogs(t, r, LogsOptions{Tail: -1}); out != "1\n2\n3\n4\n" {
		t.Fatalf("rotated files oldest first: got %q", out)
	}
	if out, _ := readLogs(t, r, LogsOptions{Tail: 3}); out != "2\n3\n4\n" {
		t.Fatalf("tail across rotated files: got %q", out)
	}
	empty := &Record{Dir: t.TempDir(), Config: Config{Name: "new"}}
	if out, _ := readLogs(t, empty, LogsOptions{Tail: -1, Follow: true}); out != "" {
		t.Fatalf("a container that never ran has no logs: %q", out)
	}
	none := &Record{Dir: t.TempDir(), Config: Config{Name: "quiet", LogConfig: LogConfig{Driver: LogDriverNone}}}
	if err := ReadLogs(context.Background(), none, LogsOptions{Tail: -1}, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, ErrNoLogs) {
		t.Fatalf("log driver none: %v, want ErrNoLogs", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestReadLogsFollow(t *testing.T) {
	r := logRecord(t, jsonLine(0, "stdout", "before\n"))
	// Running: a monitor (this test) holds the container's lock.
	r.State = State{Status: StatusRunning}
	r.State.SetInit(procid.Self())
	if err := r.writeState(); err != nil {
		t.Fatal(err)
	}
	lock, err := r.TryLockMonitor()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- ReadLogs(context.Background(), r, LogsOptions{Follow: true, Tail: -1}, &out, &errOut) }()
	appendLog := func(s string) {
		f, err := os.OpenFile(r.LogPath(), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	waitOut := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for out.String() != want {
			if time.Now().After(deadline) {
				t.Fatalf("stdout %q, want %q", out.String(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitOut("before\n")
	// A line written in two pieces is printed once it is complete.
	l := jsonLine(time.Second, "stdout", "during\n")
	appendLog(l[:10])
	time.Sleep(3 * followInterval / 2)
	if out.String() != "before\n" {
		t.Fatalf("half a log line was printed: %q", out.String())
	}
	appendLog(l[10:] + jsonLine(2*time.Second, "stderr", "oops\n"))
	waitOut("before\nduring\n")
	// Rotation: the log moves to ctr.log.1 and a new one starts.
	appendLog(jsonLine(3*time.Second, "stdout", "last of old\n"))
	if err := os.Rename(r.LogPath(), r.LogPath()+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.LogPath(), []byte(jsonLine(4*time.Second, "stdout", "first of new\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	waitOut("before\nduring\nlast of old\nfirst of new\n")
	select {
	case err := <-done:
		t.Fatalf("follow ended while the container runs: %v", err)
	default:
	}
	// The container exits: what it wrote last is printed, then follow
	// ends once the monitor lets go of the lock.
	appendLog(jsonLine(5*time.Second, "stdout", "bye\n"))
	r.State = State{Status: StatusExited}
	if err := r.writeState(); err != nil {
		t.Fatal(err)
	}
	lock.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end after the container exited")
	}
	if got := out.String(); got != "before\nduring\nlast of old\nfirst of new\nbye\n" || errOut.String() != "oops\n" {
		t.Fatalf("stdout %q stderr %q", got, errOut.String())
	}
}

func TestReadLogsFollowMonitorAlive(t *testing.T) {
	// Exited but its monitor lives (waiting to restart it): follow goes on
	// until the context ends.
	r := logRecord(t, jsonLine(0, "stdout", "x\n"))
	r.State = State{Status: StatusExited, Restarting: true}
	r.State.SetMonitor(procid.Self())
	if err := r.writeState(); err != nil {
		t.Fatal(err)
	}
	lock, err := r.TryLockMonitor()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 4*followInterval)
	defer cancel()
	start := time.Now()
	var out bytes.Buffer
	if err := ReadLogs(ctx, r, LogsOptions{Follow: true, Tail: -1}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 3*followInterval || out.String() != "x\n" {
		t.Fatalf("follow returned after %v with %q", time.Since(start), out.String())
	}
	// Follow with --until ends at that time.
	start = time.Now()
	if err := ReadLogs(context.Background(), r, LogsOptions{Follow: true, Tail: -1, Until: time.Now().Add(2 * followInterval)}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("follow with --until did not end")
	}
}
