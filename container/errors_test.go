package container

import (
	"errors"
	"fmt"
	"os/exec"
	"testing"
)

func TestExitCodeOfIgnoresHelpers(t *testing.T) {
	helper := exec.Command("sh", "-c", "exit 1").Run()
	var ee *exec.ExitError
	if !errors.As(helper, &ee) {
		t.Fatalf("sh -c 'exit 1' = %v", helper)
	}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{errors.New("plain"), 125},
		{fmt.Errorf("storing layer: %w", helper), 125},
		{WithExitCode(127, errors.New("not found")), 127},
		{ExitStatus(3), 3},
		{fmt.Errorf("step: %w", WithExitCode(126, helper)), 126},
	} {
		if got := ExitCodeOf(tt.err); got != tt.want {
			t.Errorf("ExitCodeOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
