package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pod-project/pod/container"
)

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

func newTestWriter(t *testing.T, opts container.LogConfig) (*LogWriter, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), container.LogFileName)
	w, err := NewLogWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	w.now = func() time.Time { return fixedTime }
	return w, path
}

func TestLogWriterJSONFormat(t *testing.T) {
	w, path := newTestWriter(t, container.LogConfig{Driver: "json-file"})
	fmt.Fprint(w.Stream("stdout"), "one\ntwo \"q\"\n")
	fmt.Fprint(w.Stream("stderr"), "prompt> ")
	fmt.Fprint(w.Stream("stdout"), "tab\there\x01\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := `{"log":"one\n","stream":"stdout","time":"2026-01-02T03:04:05.000006Z"}
{"log":"two \"q\"\n","stream":"stdout","time":"2026-01-02T03:04:05.000006Z"}
{"log":"prompt> ","stream":"stderr","time":"2026-01-02T03:04:05.000006Z"}
{"log":"tab\there\u0001\n","stream":"stdout","time":"2026-01-02T03:04:05.000006Z"}
`
	if string(b) != want {
		t.Fatalf("log file:\n%s\nwant:\n%s", b, want)
	}
	// Valid UTF-8 output gives lines any JSON reader (jq, Docker's) decodes.
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var v struct{ Log, Stream, Time string }
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
}

func TestLogWriterK8sFormat(t *testing.T) {
	w, path := newTestWriter(t, container.LogConfig{Driver: "k8s-file"})
	fmt.Fprint(w.Stream("stdout"), "full\npart")
	fmt.Fprint(w.Stream("stderr"), "\n")
	_ = w.Close()
	b, _ := os.ReadFile(path)
	want := "2026-01-02T03:04:05.000006Z stdout F full\n" +
		"2026-01-02T03:04:05.000006Z stdout P part\n" +
		"2026-01-02T03:04:05.000006Z stderr F \n"
	if string(b) != want {
		t.Fatalf("log file:\n%q\nwant:\n%q", b, want)
	}
}

// readBack reads the log at path the way pod logs does.
func readBack(t *testing.T, path string, driver string, opts container.LogsOptions) (string, string) {
	t.Helper()
	rec := &container.Record{Dir: filepath.Dir(path), Config: container.Config{Name: "c", LogConfig: container.LogConfig{Driver: driver}}}
	var out, errb bytes.Buffer
	if err := container.ReadLogs(context.Background(), rec, opts, &out, &errb); err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String()
}

func TestLogRoundTripBinaryAndPartial(t *testing.T) {
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	chunks := [][]byte{
		all,
		[]byte("\xff\xfe invalid \xed\xa0\x80 surrogate bytes, \xef\xbf\xbd real U+FFFD, é, 日本\n"),
		[]byte("no newline"),
		[]byte(" continued\n"),
		[]byte("\\udc80 literal escape text\n"),
	}
	for _, driver := range []string{"json-file", "k8s-file"} {
		t.Run(driver, func(t *testing.T) {
			w, path := newTestWriter(t, container.LogConfig{Driver: driver})
			var want bytes.Buffer
			for _, c := range chunks {
				if _, err := w.Stream("stdout").Write(c); err != nil {
					t.Fatal(err)
				}
				want.Write(c)
			}
			fmt.Fprint(w.Stream("stderr"), "err line\n")
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			out, errOut := readBack(t, path, driver, container.LogsOptions{Tail: -1})
			if out != want.String() {
				t.Fatalf("stdout round trip:\n got %q\nwant %q", out, want.String())
			}
			if errOut != "err line\n" {
				t.Fatalf("stderr: %q", errOut)
			}
			if driver == "json-file" {
				b, _ := os.ReadFile(path)
				if !bytes.Contains(b, []byte(`"log":"no newline","stream"`)) {
					t.Fatalf("a partial line must be logged without its newline:\n%s", b)
				}
			}
		})
	}
}

func TestLogRotation(t *testing.T) {
	line := strings.Repeat("x", 50) + "\n" // about 120 bytes as a JSON line
	t.Run("keeps max-file files", func(t *testing.T) {
		w, path := newTestWriter(t, container.LogConfig{Driver: "json-file", MaxSize: 300, MaxFile: 3})
		for i := 0; i < 20; i++ {
			fmt.Fprintf(w.Stream("stdout"), "%02d%s", i, line)
		}
		_ = w.Close()
		for _, p := range []string{path, path + ".1", path + ".2"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() > 300 {
				t.Errorf("%s has %d bytes, more than max-size", p, fi.Size())
			}
		}
		if _, err := os.Stat(path + ".3"); !os.IsNotExist(err) {
			t.Fatalf("max-file=3 must keep 3 files, found %s.3", path)
		}
		out, _ := readBack(t, path, "json-file", container.LogsOptions{Tail: -1})
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		// The newest lines survive, in order, ending with the last one.
		if len(got) < 4 || got[len(got)-1] != "19"+strings.TrimSuffix(line, "\n") {
			t.Fatalf("after rotation got %q", got)
		}
		for i := 1; i < len(got); i++ {
			if got[i][:2] <= got[i-1][:2] {
				t.Fatalf("lines out of order: %q", got)
			}
		}
	})
	t.Run("a large chunk rotates line by line", func(t *testing.T) {
		w, path := newTestWriter(t, container.LogConfig{Driver: "json-file", MaxSize: 300, MaxFile: 2})
		var chunk strings.Builder
		for i := 0; i < 40; i++ {
			fmt.Fprintf(&chunk, "%02d%s", i, line)
		}
		fmt.Fprint(w.Stream("stdout"), chunk.String())
		_ = w.Close()
		for _, p := range []string{path, path + ".1"} {
			if fi, err := os.Stat(p); err != nil || fi.Size() > 300 {
				t.Fatalf("%s: %v, want at most 300 bytes", p, err)
			}
		}
		out, _ := readBack(t, path, "json-file", container.LogsOptions{Tail: -1})
		if !strings.HasSuffix(out, "39"+line) || strings.Count(out, "\n") > 4 {
			t.Fatalf("got %q", out)
		}
	})
	t.Run("one file is truncated", func(t *testing.T) {
		w, path := newTestWriter(t, container.LogConfig{Driver: "json-file", MaxSize: 300})
		for i := 0; i < 10; i++ {
			fmt.Fprintf(w.Stream("stdout"), "%02d%s", i, line)
		}
		_ = w.Close()
		fi, _ := os.Stat(path)
		if fi.Size() > 300 {
			t.Fatalf("log has %d bytes", fi.Size())
		}
		if m, _ := filepath.Glob(path + ".*"); len(m) > 0 {
			t.Fatalf("max-file=1 must not keep rotated files: %v", m)
		}
		out, _ := readBack(t, path, "json-file", container.LogsOptions{Tail: -1})
		if !strings.HasSuffix(out, "09"+line) {
			t.Fatalf("got %q", out)
		}
	})
}

func TestLogWriterNoneAndAppend(t *testing.T) {
	w, path := newTestWriter(t, container.LogConfig{Driver: "none"})
	fmt.Fprint(w.Stream("stdout"), "dropped\n")
	_ = w.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the none driver wrote %s", path)
	}
	// A restart appends to the same log.
	dir := t.TempDir()
	path = filepath.Join(dir, container.LogFileName)
	for _, s := range []string{"first run\n", "second run\n"} {
		w, err := NewLogWriter(path, container.LogConfig{Driver: "json-file"})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(w.Stream("stdout"), s)
		_ = w.Close()
	}
	if out, _ := readBack(t, path, "json-file", container.LogsOptions{Tail: -1}); out != "first run\nsecond run\n" {
		t.Fatalf("got %q", out)
	}
}

func TestLogWriterConcurrentStreams(t *testing.T) {
	w, path := newTestWriter(t, container.LogConfig{Driver: "json-file", MaxSize: 4096, MaxFile: 100})
	var wg sync.WaitGroup
	for _, s := range []string{"stdout", "stderr"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				fmt.Fprintf(w.Stream(s), "%s %d\n", s, i)
			}
		}()
	}
	wg.Wait()
	_ = w.Close()
	out, errOut := readBack(t, path, "json-file", container.LogsOptions{Tail: -1})
	for s, text := range map[string]string{"stdout": out, "stderr": errOut} {
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if len(lines) != 200 || lines[199] != s+" 199" {
			t.Fatalf("%s: %d lines, last %q", s, len(lines), lines[len(lines)-1])
		}
	}
}
