package container

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// JournalSocket is systemd-journald's native socket.
const JournalSocket = "/run/systemd/journal/socket"

// CheckJournal fails unless systemd's journal takes entries here.
func CheckJournal() error {
	fi, err := os.Stat(JournalSocket)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("--log-driver journald: this host has no systemd journal (%s does not exist): use json-file (the default) or k8s-file", JournalSocket)
	}
	return nil
}

// readJournal prints the entries of rec's output that journald keeps,
// through journalctl (the journal's files are its own format).
func readJournal(ctx context.Context, rec *Record, opts LogsOptions, stdout, stderr io.Writer) error {
	jc, err := exec.LookPath("journalctl")
	if err != nil {
		return fmt.Errorf("container %s logs to the journal: reading it needs journalctl (package systemd): %w", rec.Config.Name, err)
	}
	args := []string{"--no-pager", "-o", "json", "CONTAINER_ID_FULL=" + rec.Config.ID}
	if opts.Follow {
		args = append(args, "--follow")
	}
	if opts.Tail >= 0 {
		args = append(args, "--lines", strconv.Itoa(opts.Tail))
	}
	if !opts.Since.IsZero() {
		args = append(args, "--since", "@"+strconv.FormatInt(opts.Since.Unix(), 10))
	}
	if !opts.Until.IsZero() {
		args = append(args, "--until", "@"+strconv.FormatInt(opts.Until.Unix(), 10))
	}
	cmd := exec.CommandContext(ctx, jc, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("reading the journal of %s: %w", rec.Config.Name, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var e struct {
			Message  any    `json:"MESSAGE"`
			Priority string `json:"PRIORITY"`
			Time     string `json:"__REALTIME_TIMESTAMP"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		msg, ok := e.Message.(string)
		if !ok {
			continue // a binary message: journalctl gives it as bytes
		}
		w := stdout
		if e.Priority == "3" {
			w = stderr
		}
		if opts.Timestamps {
			if us, err := strconv.ParseInt(e.Time, 10, 64); err == nil {
				fmt.Fprint(w, time.UnixMicro(us).UTC().Format(timestampFormat)+" ")
			}
		}
		fmt.Fprintln(w, msg)
	}
	if err := cmd.Wait(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the journal of %s: %v: %s", rec.Config.Name, err, strings.TrimSpace(errBuf.String()))
	}
	return nil
}
