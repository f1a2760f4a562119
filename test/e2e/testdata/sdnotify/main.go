// Command sdnotify sends its arguments, one a line, to $NOTIFY_SOCKET, as
// systemd-notify does; the e2e tests mount it into containers (busybox has
// no sd_notify client).
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	sock := os.Getenv("NOTIFY_SOCKET")
	if sock == "" {
		fmt.Fprintln(os.Stderr, "sdnotify: NOTIFY_SOCKET is not set")
		os.Exit(2)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err == nil {
		_, err = conn.Write([]byte(strings.Join(os.Args[1:], "\n")))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdnotify:", err)
		os.Exit(1)
	}
}
