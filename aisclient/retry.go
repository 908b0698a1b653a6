package aisclient

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Retries. An idempotent request (GET, HEAD, a list page, the empty upload probe, a PATCH of
// custom metadata) is
// repeated with exponential backoff and jitter after a transient failure: a connection
// refused or reset, a body cut short or stalled, a 5xx other than the permanent ones, 429,
// and ErrNoNodes, which AIS answers (400 for GET, 500 for HEAD) while targets (re)join.
// Requests that change state are repeated only when no connection could be opened. Every
// request has a total budget, Config.OpTimeout: when it is spent the call fails with a
// *BudgetError, which matches ErrUnavailable.

// errBudget is the cause of a context ended by the op budget.
var errBudget = errors.New("aisclient: operation budget spent")

// BudgetError reports a request that did not succeed within Config.OpTimeout, retries
// included. It matches ErrUnavailable; Err is the last failure.
type BudgetError struct {
	Op       string
	Method   string
	Path     string // without the query
	Budget   time.Duration
	Attempts int
	Err      error
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("aisclient: %s %s %s: no success within the %v budget (%d attempts); last error: %v",
		e.Op, e.Method, e.Path, e.Budget, e.Attempts, e.Err)
}

func (e *BudgetError) Unwrap() error { return e.Err }

func (e *BudgetError) Is(target error) bool { return target == ErrUnavailable }

// budget is the time one call may take.
type budget struct {
	total    time.Duration
	deadline time.Time
}

func (c *Client) newBudget(*call) budget {
	return budget{total: c.opTimeout, deadline: time.Now().Add(c.opTimeout)}
}

func (b budget) spent(cl *call, attempts int, last error) error {
	return &BudgetError{Op: cl.op, Method: cl.method, Path: cl.path, Budget: b.total, Attempts: attempts, Err: last}
}

func randDuration(n time.Duration) time.Duration { return rand.N(n) }

// retryable decides whether a failed attempt may be repeated.
func (c *Client) retryable(ctx context.Context, cl *call, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var herr *HTTPError
	if errors.As(err, &herr) {
		return cl.retry && herr.transient()
	}
	var terr *TransportError
	var rerr *readError
	switch {
	case errors.As(err, &terr):
		// Nothing was sent when the dial failed: safe for any replayable request.
		return cl.retry || isDialError(err) && c.replayable(cl)
	case errors.As(err, &rerr):
		return cl.retry
	}
	return false
}

// transient: the same request may well succeed a little later.
func (e *HTTPError) transient() bool {
	switch {
	case e.TCode == tcodeNoNodes, e.Status == http.StatusTooManyRequests:
		return true
	case e.Status < 500:
		return false
	}
	switch e.Status {
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported, http.StatusInsufficientStorage:
		return false
	}
	// A stored checksum that does not match stays so; out of space is not transient either.
	return !e.Is(ErrBadChecksum) && !e.Is(ErrNoSpace)
}

// backoffFor returns the wait before retry i+1: exponential, with jitter in [d/2, d].
func (c *Client) backoffFor(i int) time.Duration {
	d := c.backoff << min(i, 16)
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	return d/2 + randDuration(d/2+1)
}
