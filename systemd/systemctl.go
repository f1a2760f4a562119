package systemd

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// RestartUnit restarts unit with systemctl, of the user's service manager
// (user) or the system's, and waits for the job: an error when the unit
// does not come back (a Type=notify unit's container did not start).
func RestartUnit(ctx context.Context, unit string, user bool) error {
	args := []string{"restart", unit}
	if user {
		args = append([]string{"--user"}, args...)
	}
	cmd := exec.CommandContext(ctx, "systemctl", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(out.String()); msg != "" {
			return fmt.Errorf("systemctl %s: %v: %s", strings.Join(args, " "), err, msg)
		}
		return fmt.Errorf("systemctl %s: %w", strings.Join(args, " "), err)
	}
	return nil
}
