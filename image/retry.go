package image

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/docker/distribution/registry/api/errcode"
	"go.podman.io/image/v5/docker"
)

// retry runs fn, and again up to retries more times while it fails with a
// transient error (a dropped connection, a timeout, HTTP 429 or
// 5xx), waiting delay (default 1s) between tries.
func retry(ctx context.Context, retries int, delay time.Duration, fn func() error) error {
	if delay <= 0 {
		delay = time.Second
	}
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || attempt >= retries || !transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// transient reports whether err is worth another try.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var unauth docker.ErrUnauthorizedForCredentials
	if errors.As(err, &unauth) {
		return false
	}
	if errors.Is(err, docker.ErrTooManyRequests) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	// A refused connection is not retried: nothing listens there.
	for _, e := range []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ETIMEDOUT} {
		if errors.Is(err, e) {
			return true
		}
	}
	var status docker.UnexpectedHTTPStatusError
	if errors.As(err, &status) {
		return status.StatusCode == 429 || status.StatusCode >= 500
	}
	var ec errcode.Error
	if errors.As(err, &ec) {
		return ec.Code == errcode.ErrorCodeTooManyRequests || ec.Code == errcode.ErrorCodeUnavailable
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
