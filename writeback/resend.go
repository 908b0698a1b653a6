package writeback

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// errBudget: the upload did not finish within Config.OpTimeout.
var errBudget = errors.New("writeback: upload did not finish within the operation timeout")

// errStaging marks a failure to read the local staging file, which no resend can fix.
var errStaging = errors.New("writeback: reading staging file")

// permanentErrs are failures a resend of the same bytes cannot fix.
var permanentErrs = []error{
	errStaging,
	ErrClosed,
	syscall.ENOSPC,
	aisclient.ErrUnauthorized,
	aisclient.ErrInvalidName,
	aisclient.ErrNameTooLong,
	aisclient.ErrInvalidArgument,
	aisclient.ErrBucketNotFound,
	aisclient.ErrNameConflict,
	aisclient.ErrNoSpace,
}

// permanent reports whether err ends the upload at once. Everything else (a broken append
// chain, a reset, a 5xx, AIS's 400 ErrNoNodes while a target rejoins, a checksum mismatch
// from a damaged transfer) is worth sending the staging file again.
func permanent(err error) bool {
	for _, p := range permanentErrs {
		if errors.Is(err, p) {
			return true
		}
	}
	return false
}

// uploadResending makes the content durable in AIS: one upload, then, after each transient
// failure, the staging file again (PUT, or a fresh append chain) after a backoff, until it
// works or Config.OpTimeout has passed since the start. A final failure is latched. When
// ctx itself ends, nothing is latched and the File stays dirty.
func (f *File) uploadResending(ctx context.Context, streamErr error) error {
	start := time.Now()
	bctx, cancel := context.WithTimeout(ctx, f.m.cfg.OpTimeout)
	defer cancel()
	var first, last error
	attempts := 0
	for {
		attempts++
		err := f.upload(bctx)
		if err == nil {
			if first != nil {
				f.m.log.Info("writeback: upload finished after resending the staging file",
					"bucket", f.bck.String(), "object", f.name, "attempts", attempts, "first_err", first)
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("writeback: sync of %s/%s: %w", f.bck, f.name, err)
		}
		if first == nil {
			first = err
		}
		last = err
		if permanent(err) || bctx.Err() != nil || !sleepCtx(bctx, f.backoff(attempts)) {
			break
		}
	}
	if ctx.Err() != nil { // the caller left during the last backoff
		return fmt.Errorf("writeback: sync of %s/%s: %w", f.bck, f.name, last)
	}
	var cause error
	switch {
	case bctx.Err() != nil:
		cause = fmt.Errorf("%w (%v, %d attempts): first: %w; last: %w",
			errBudget, time.Since(start).Round(time.Millisecond), attempts, flatten(first), flatten(last))
	case attempts == 1:
		cause = flatten(last)
	default:
		cause = fmt.Errorf("%d attempts: first: %w; last: %w", attempts, flatten(first), flatten(last))
	}
	if streamErr != nil {
		cause = fmt.Errorf("streaming: %w; then %w", flatten(streamErr), cause)
	}
	return f.latch("sync", cause)
}

// flatten keeps err visible to errors.Is, except for a context ending inside it: a failure
// that ran out of time is EIO to the caller, never the ETIMEDOUT or EINTR a context maps
// to, while the AIS errors that came before stay matchable.
func flatten(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &ranOut{err}
	}
	return err
}

// ranOut is an error that matches what err matches except the context errors. It does not
// unwrap, so errors.As finds no socket errno inside it either.
type ranOut struct{ err error }

func (e *ranOut) Error() string { return e.err.Error() }

func (e *ranOut) Is(target error) bool {
	return target != context.DeadlineExceeded && target != context.Canceled && errors.Is(e.err, target)
}

// backoff is the wait before resend number attempt: exponential from Config.Backoff up to
// maxBackoff, with jitter in [d/2, d].
func (f *File) backoff(attempt int) time.Duration {
	d := f.m.cfg.Backoff << min(attempt-1, 16)
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// sleepCtx waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
