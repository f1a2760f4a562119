package monitor

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pod-project/pod/container"
)

// LogWriter appends a container's output to its log file, one line per
// chunk of a stream with its time, rotating by size. It is safe for
// concurrent use by the stream writers. A failing disk never blocks the
// container: write errors are kept and returned by Close.
type LogWriter struct {
	mu   sync.Mutex
	path string
	opts container.LogConfig
	f    *os.File
	size int64
	buf  []byte
	err  error
	now  func() time.Time
}

// NewLogWriter opens (appending to) the log at path, normally
// <container dir>/ctr.log; with the none and passthrough drivers nothing is
// written.
func NewLogWriter(path string, opts container.LogConfig) (*LogWriter, error) {
	w := &LogWriter{path: path, opts: opts, now: time.Now}
	if opts.Driver == container.LogDriverNone || opts.Driver == container.LogDriverPassthrough || opts.Driver == container.LogDriverJournald {
		return w, nil
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *LogWriter) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening the container log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("opening the container log: %w", err)
	}
	w.f, w.size = f, fi.Size()
	return nil
}

// Stream returns the writer for one stream, "stdout" or "stderr". Each
// Write becomes one log line per line of output; a chunk that does not end
// with a newline is logged as a partial line (json-file: no "\n" at the end
// of "log"; k8s-file: the P tag), and bytes that are not UTF-8 are kept.
func (w *LogWriter) Stream(name string) io.Writer {
	if w.opts.Driver == container.LogDriverNone || w.opts.Driver == container.LogDriverPassthrough || w.opts.Driver == container.LogDriverJournald {
		return io.Discard
	}
	return streamWriter{w, name}
}

type streamWriter struct {
	w      *LogWriter
	stream string
}

func (s streamWriter) Write(p []byte) (int, error) {
	s.w.write(s.stream, p)
	return len(p), nil
}

func (w *LogWriter) write(stream string, p []byte) {
	if len(p) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return
	}
	ts := w.now().UTC()
	w.buf = w.buf[:0]
	for len(p) > 0 {
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line = p[:i+1]
		}
		p = p[len(line):]
		start := len(w.buf)
		if w.opts.Driver == container.LogDriverK8s {
			w.buf = appendCRILine(w.buf, ts, stream, line)
		} else {
			w.buf = appendJSONLine(w.buf, ts, stream, line)
		}
		// Rotate before the line that would not fit (a line alone larger
		// than max-size is written whole).
		if w.opts.MaxSize > 0 && w.size+int64(len(w.buf)) > w.opts.MaxSize && w.size+int64(start) > 0 {
			w.flush(w.buf[:start])
			if err := w.rotate(); err != nil {
				w.keepErr(err)
				if w.f == nil {
					return
				}
			}
			w.buf = w.buf[:copy(w.buf, w.buf[start:])]
		}
	}
	w.flush(w.buf)
}

// flush writes encoded lines to the log in one write, so that readers
// mostly see whole lines.
func (w *LogWriter) flush(b []byte) {
	if len(b) == 0 {
		return
	}
	n, err := w.f.Write(b)
	w.size += int64(n)
	w.keepErr(err)
}

func (w *LogWriter) keepErr(err error) {
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("writing the container log: %w", err)
	}
}

// rotate moves ctr.log to ctr.log.1 (and .1 to .2, ...), keeping MaxFile
// files in all, or truncates it when only one file is kept.
func (w *LogWriter) rotate() error {
	if w.opts.MaxFile <= 1 {
		if err := w.f.Truncate(0); err != nil {
			return err
		}
		w.size = 0
		return nil
	}
	_ = os.Remove(fmt.Sprintf("%s.%d", w.path, w.opts.MaxFile-1))
	for i := w.opts.MaxFile - 2; i >= 1; i-- {
		_ = os.Rename(fmt.Sprintf("%s.%d", w.path, i), fmt.Sprintf("%s.%d", w.path, i+1))
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		return err
	}
	old := w.f
	w.f = nil
	old.Close()
	return w.open()
}

// Close closes the log; it returns the first write error, if any.
func (w *LogWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		if err := w.f.Close(); err != nil {
			w.keepErr(err)
		}
		w.f = nil
	}
	return w.err
}

// appendJSONLine appends Docker's json-file line for one chunk.
func appendJSONLine(buf []byte, ts time.Time, stream string, data []byte) []byte {
	buf = append(buf, `{"log":`...)
	buf = appendJSONString(buf, data)
	buf = append(buf, `,"stream":`...)
	buf = appendJSONString(buf, []byte(stream))
	buf = append(buf, `,"time":"`...)
	buf = ts.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, "\"}\n"...)
}

// appendCRILine appends a CRI (k8s-file) line: TIME STREAM P|F CONTENT.
func appendCRILine(buf []byte, ts time.Time, stream string, data []byte) []byte {
	buf = ts.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, ' ')
	buf = append(buf, stream...)
	if content, ok := bytes.CutSuffix(data, []byte{'\n'}); ok {
		buf = append(buf, " F "...)
		buf = append(buf, content...)
	} else {
		buf = append(buf, " P "...)
		buf = append(buf, data...)
	}
	return append(buf, '\n')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Bytes that are not UTF-8 are
// escaped as \udc80-\udcff (lone low surrogates, as Python's
// surrogateescape), so the file stays valid UTF-8 text and pod's reader
// gets the exact bytes back; other JSON readers see U+FFFD there.
func appendJSONString(buf, s []byte) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, '\\', 'u', 'd', 'c', hexDigits[c>>4], hexDigits[c&0xf])
			i++
			continue
		}
		buf = append(buf, s[i:i+size]...)
		i += size
	}
	return append(buf, '"')
}
