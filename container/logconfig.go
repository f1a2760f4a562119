package container

import (
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
)

// ParseLogConfig checks a --log-driver and its --log-opt values
// (KEY=VALUE, several per value separated by commas): max-size (10m, 1g,
// bytes) and max-file (a count, needs max-size), for json-file and k8s-file.
func ParseLogConfig(driver string, opts []string) (LogConfig, error) {
	o := LogConfig{Driver: driver}
	switch driver {
	case "", "json-file", "k8s-file":
		if o.Driver == "" {
			o.Driver = LogDriverJSON
		}
	case LogDriverNone, LogDriverPassthrough, LogDriverJournald:
		if len(opts) > 0 {
			return o, fmt.Errorf("--log-opt: the %s log driver takes no options", driver)
		}
		return o, nil
	default:
		return o, fmt.Errorf("--log-driver %q: use json-file, k8s-file, journald, none or passthrough", driver)
	}
	for _, opt := range opts {
		for _, kv := range strings.Split(opt, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || v == "" {
				return o, fmt.Errorf("--log-opt %q: use KEY=VALUE (max-size=10m, max-file=3)", kv)
			}
			switch k {
			case "max-size":
				n, err := units.RAMInBytes(v)
				if err != nil || n < 0 {
					return o, fmt.Errorf("--log-opt max-size=%s: use a size such as 10m or 1g", v)
				}
				o.MaxSize = n
			case "max-file":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return o, fmt.Errorf("--log-opt max-file=%s: use a count of at least 1", v)
				}
				o.MaxFile = n
			default:
				return o, fmt.Errorf("--log-opt %q: unknown option for %s (use max-size, max-file)", k, o.Driver)
			}
		}
	}
	if o.MaxFile > 1 && o.MaxSize == 0 {
		return o, fmt.Errorf("--log-opt max-file=%d needs max-size", o.MaxFile)
	}
	return o, nil
}
