package systemd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// GeneratorOptions are what the generator role is given besides its
// command line.
type GeneratorOptions struct {
	// Quadlet says how files become units; its User is set from the name
	// the role was started as.
	Quadlet QuadletOptions
	// Getenv is os.Getenv in production.
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
}

// GeneratorMain is the generator role: pod started by systemd as
// pod-user-generator or pod-system-generator with the generator's
// arguments (NORMAL-DIR EARLY-DIR LATE-DIR). It reads the Quadlet-format
// files of QuadletDirs and writes their units, and the links their
// [Install] sections ask for, into NORMAL-DIR. With --dryrun (and no
// directories) it prints them instead. Each file that makes no unit is
// reported on stderr, which systemd logs; the others are written, and
// the exit status is 1 when any failed.
func GeneratorMain(args []string, o GeneratorOptions) int {
	prog := filepath.Base(args[0])
	o.Quadlet.User = prog == UserGeneratorName
	dryrun := false
	var dirs []string
	for _, a := range args[1:] {
		switch a {
		case "--dryrun", "-dryrun":
			dryrun = true
		case "--user", "-user":
			o.Quadlet.User = true
		case "-v", "--no-kmsg-log", "-no-kmsg-log":
		default:
			dirs = append(dirs, a)
		}
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(o.Stderr, "%s: %s\n", prog, fmt.Sprintf(format, a...))
	}
	if !dryrun && len(dirs) == 0 {
		logf("missing the output directory (systemd gives NORMAL-DIR EARLY-DIR LATE-DIR)")
		return 1
	}
	units, failed := GenerateQuadlets(o.Quadlet, o.Getenv)
	for _, err := range failed {
		logf("%v", err)
	}
	if dryrun {
		if err := PrintUnits(o.Stdout, firstOr(dirs, ""), units); err != nil {
			logf("%v", err)
			return 1
		}
	} else if _, err := WriteUnits(dirs[0], units); err != nil {
		logf("%v", err)
		return 1
	}
	if len(failed) > 0 {
		return 1
	}
	return 0
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// GenerateQuadlets reads the Quadlet-format files of the user's or the
// system's directories (QuadletDirs) and makes their units. It returns
// the units and why the other files made none.
func GenerateQuadlets(o QuadletOptions, getenv func(string) string) ([]Generated, []error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	dirs, err := QuadletDirs(o.User, getenv)
	if err != nil {
		return nil, []error{err}
	}
	srcs, loadErrs := LoadQuadlets(dirs)
	units, errs := ConvertQuadlets(srcs, o)
	return units, append(loadErrs, errs...)
}
