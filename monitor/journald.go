package monitor

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"

	"github.com/pod-project/pod/container"
)

// journalStream sends one stream of a container's output to systemd's
// journal (--log-driver journald), one entry a line, with the fields
// Docker's and Podman's journald drivers set.
type journalStream struct {
	conn   *net.UnixConn
	fields []byte
}

// newJournalStreams connects to the journal and returns the writers of
// stdout and stderr.
func newJournalStreams(cfg *container.Config) (map[string]io.Writer, error) {
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: container.JournalSocket, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	var base []byte
	for _, kv := range [][2]string{
		{"CONTAINER_ID", container.ShortID(cfg.ID)}, {"CONTAINER_ID_FULL", cfg.ID},
		{"CONTAINER_NAME", cfg.Name}, {"SYSLOG_IDENTIFIER", cfg.Name}, {"IMAGE_NAME", cfg.Image},
	} {
		base = appendJournalField(base, kv[0], kv[1])
	}
	return map[string]io.Writer{
		"stdout": &journalStream{conn: conn, fields: appendJournalField(append([]byte(nil), base...), "PRIORITY", "6")},
		"stderr": &journalStream{conn: conn, fields: appendJournalField(append([]byte(nil), base...), "PRIORITY", "3")},
	}, nil
}

func (j *journalStream) Write(p []byte) (int, error) {
	for _, line := range bytes.SplitAfter(p, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		msg := bytes.TrimSuffix(line, []byte{'\n'})
		entry := appendJournalField(append([]byte(nil), j.fields...), "MESSAGE", string(msg))
		if _, err := j.conn.Write(entry); err != nil {
			// The journal is gone or full: the container goes on.
			return len(p), nil
		}
	}
	return len(p), nil
}

// appendJournalField appends KEY=VALUE in journald's native protocol: as
// is when VALUE is one line, else KEY, newline, its length (64-bit
// little endian) and VALUE.
func appendJournalField(b []byte, key, value string) []byte {
	if !bytes.ContainsRune([]byte(value), '\n') {
		return append(append(append(append(b, key...), '='), value...), '\n')
	}
	b = append(append(b, key...), '\n')
	b = binary.LittleEndian.AppendUint64(b, uint64(len(value)))
	return append(append(b, value...), '\n')
}
