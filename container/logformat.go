package container

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// LogConfig is how a container's output is logged (--log-driver,
// --log-opt). The zero value is the json-file driver without rotation.
type LogConfig struct {
	// Driver is "json-file" (or ""), "k8s-file", "none" or "passthrough".
	Driver string `json:"driver,omitempty"`
	// MaxSize rotates the log when it would grow past this many bytes;
	// 0 means never.
	MaxSize int64 `json:"maxSize,omitempty"`
	// MaxFile is how many files (the log and its rotated copies) are kept;
	// 0 means 1.
	MaxFile int `json:"maxFile,omitempty"`
}

// The log drivers.
const (
	LogDriverJSON        = "json-file"
	LogDriverK8s         = "k8s-file"
	LogDriverNone        = "none"
	LogDriverPassthrough = "passthrough"
	LogDriverJournald    = "journald"
)

// LogFileName is the container's log in its directory; rotated copies
// are LogFileName.1 (the newest) to LogFileName.N.
const LogFileName = "ctr.log"

// LogPath is where the container's log is written.
func (r *Record) LogPath() string { return filepath.Join(r.Dir, LogFileName) }

// logEntry is one line of the log file: a chunk of one stream. Data ends
// with "\n" unless the chunk was a partial line.
type logEntry struct {
	Time   time.Time
	Stream string
	Data   []byte
}

func (e logEntry) endsLine() bool { return bytes.HasSuffix(e.Data, []byte{'\n'}) }

var errBadLogLine = errors.New("malformed log line")

// parseLogLine decodes one line (without its newline) of either format:
// json-file ({"log":"...","stream":"stdout","time":"..."}) or k8s-file
// (CRI: "TIME STREAM P|F CONTENT").
func parseLogLine(line []byte) (logEntry, error) {
	if len(line) > 0 && line[0] == '{' {
		return parseJSONLine(line)
	}
	return parseCRILine(line)
}

func parseCRILine(line []byte) (logEntry, error) {
	parts := bytes.SplitN(line, []byte{' '}, 4)
	if len(parts) < 3 {
		return logEntry{}, errBadLogLine
	}
	t, err := time.Parse(time.RFC3339Nano, string(parts[0]))
	if err != nil {
		return logEntry{}, errBadLogLine
	}
	e := logEntry{Time: t, Stream: string(parts[1])}
	if len(parts) == 4 {
		e.Data = append(e.Data, parts[3]...)
	}
	// The tag is P (partial) or F (full), possibly with more flags after ':'.
	if tag, _, _ := strings.Cut(string(parts[2]), ":"); tag != "P" {
		e.Data = append(e.Data, '\n')
	}
	return e, nil
}

// parseJSONLine decodes a json-file line. Its strings keep raw bytes: the
// writer escapes bytes that are not UTF-8 as \udc80-\udcff (lone low
// surrogates), which this decoder turns back into the bytes. Lines with
// other value types fall back to encoding/json.
func parseJSONLine(line []byte) (logEntry, error) {
	var e logEntry
	p := skipSpace(line, 1)
	for p < len(line) && line[p] != '}' {
		key, np, err := readJSONString(line, p)
		if err != nil {
			return e, err
		}
		p = skipSpace(line, np)
		if p >= len(line) || line[p] != ':' {
			return e, errBadLogLine
		}
		p = skipSpace(line, p+1)
		if p >= len(line) || line[p] != '"' {
			return parseJSONLineStd(line)
		}
		val, np, err := readJSONString(line, p)
		if err != nil {
			return e, err
		}
		switch string(key) {
		case "log":
			e.Data = val
		case "stream":
			e.Stream = string(val)
		case "time":
			if e.Time, err = time.Parse(time.RFC3339Nano, string(val)); err != nil {
				return e, errBadLogLine
			}
		}
		p = skipSpace(line, np)
		if p < len(line) && line[p] == ',' {
			p = skipSpace(line, p+1)
		}
	}
	if p >= len(line) {
		return e, errBadLogLine
	}
	return e, nil
}

func parseJSONLineStd(line []byte) (logEntry, error) {
	var v struct {
		Log    string    `json:"log"`
		Stream string    `json:"stream"`
		Time   time.Time `json:"time"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return logEntry{}, errBadLogLine
	}
	return logEntry{Time: v.Time, Stream: v.Stream, Data: []byte(v.Log)}, nil
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r') {
		p++
	}
	return p
}

// readJSONString reads the JSON string starting at b[p] ('"') and returns
// its bytes and the position after its closing quote.
func readJSONString(b []byte, p int) ([]byte, int, error) {
	if p >= len(b) || b[p] != '"' {
		return nil, p, errBadLogLine
	}
	var out []byte
	for i := p + 1; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			return out, i + 1, nil
		case c != '\\':
			out = append(out, c)
			continue
		}
		if i+1 >= len(b) {
			return nil, i, errBadLogLine
		}
		i++
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, i+1)
			if !ok {
				return nil, i, errBadLogLine
			}
			i += 4
			switch {
			case r >= 0xdc80 && r <= 0xdcff:
				out = append(out, byte(r-0xdc00))
			case r >= 0xd800 && r < 0xdc00:
				if i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					if lo, ok := hex4(b, i+3); ok && lo >= 0xdc00 && lo < 0xe000 {
						out = utf8.AppendRune(out, 0x10000+(r-0xd800)<<10+(lo-0xdc00))
						i += 6
						continue
					}
				}
				out = utf8.AppendRune(out, utf8.RuneError)
			default:
				out = utf8.AppendRune(out, r)
			}
		default:
			return nil, i, errBadLogLine
		}
	}
	return nil, len(b), errBadLogLine
}

func hex4(b []byte, p int) (rune, bool) {
	if p+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[p:p+4]), 16, 32)
	return rune(v), err == nil
}

// ParseLogTime parses --since and --until as Docker does: a duration
// before now ("10m", "1h30m"), an RFC 3339 date or date-time (local time
// when it has no zone), or a Unix timestamp with optional fraction
// ("1700000000.5"). An empty string is the zero time.
func ParseLogTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && s != "0" {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02Z07:00", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	sec, frac, hasFrac := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err == nil && hasFrac {
		if len(frac) == 0 || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
			err = errBadLogLine
		}
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q: use a duration (10m), an RFC 3339 time (2006-01-02T15:04:05Z) or a Unix timestamp", s)
	}
	var nsec int64
	if hasFrac {
		nsec, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	return time.Unix(n, nsec), nil
}
