package aisclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

const (
	maxHops    = 4        // proxy -> target is one; more means a loop
	drainLimit = 64 << 10 // read at most this much of an unwanted body to keep the connection
	userAgent  = "aisfs-aisclient"
)

// errNoResponse: the server took longer than ResponseHeaderTimeout to start answering.
// It wraps context.DeadlineExceeded so callers can treat it like any timeout.
var errNoResponse = fmt.Errorf("no response within the response header timeout: %w", context.DeadlineExceeded)

// errStalled: a response body sent nothing for ResponseHeaderTimeout; the attempt is retried.
var errStalled = fmt.Errorf("response body stalled for the response header timeout: %w", context.DeadlineExceeded)

// call describes one logical request; do runs it with redirects, routing and retries.
type call struct {
	op     string // Client method, for errors and logs
	method string
	path   string     // escaped, "/v1/..."
	query  url.Values // may be nil
	header http.Header

	body []byte // replayable body (JSON, append bytes); nil = empty
	json bool   // body is JSON

	url string // send here (a target URL from a probe) instead of routing

	// stream is a body that can be sent once (PutObject); size < 0 = unknown (chunked).
	stream io.Reader
	size   int64

	retry     bool   // idempotent: retry transient failures (retry.go)
	meta      bool   // bound each attempt by RequestTimeout, the call by OpTimeout
	bounded   bool   // bound the call by OpTimeout (a range read: its size is bounded)
	firstByte bool   // bound the wait for response headers by ResponseHeaderTimeout
	route     string // Bck.key of the object: learn its target from redirects
	direct    bool   // a read that may go straight to the learned target
	probe     bool   // return the first redirect instead of following it
	keepBody  bool   // fn takes ownership of resp.Body (streams); closing it ends the attempt
	bucketOp  bool   // a 404 means the bucket is missing

	obs *observation // nil unless Config.Observer is set
}

// readError marks a failure while reading a successful response body: worth a retry.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// do runs cl, calling fn with the final 2xx response (or, for a probe, the redirect).
// fn's errors end the call unless they are readErrors on a retryable call. The whole call,
// retries included, has the budget Config.OpTimeout (retry.go).
func (c *Client) do(ctx context.Context, cl *call, fn func(*http.Response) error) (err error) {
	if o := c.observe(cl); o != nil {
		defer func() { o.end(err) }()
	}
	b := c.newBudget(cl)
	if cl.meta || cl.bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, b.deadline, errBudget)
		defer cancel()
	}
	for i := 0; ; i++ {
		err := c.attempt(ctx, cl, fn)
		if err == nil {
			return nil
		}
		if context.Cause(ctx) == errBudget {
			return b.spent(cl, i+1, err)
		}
		if !c.retryable(ctx, cl, err) || c.maxRetries >= 0 && i >= c.maxRetries {
			return err
		}
		d := c.backoffFor(i)
		if time.Until(b.deadline) < d {
			return b.spent(cl, i+1, err)
		}
		c.log.Debug("aisclient: retrying", "op", cl.op, "path", cl.path, "attempt", i+1, "backoff", d, "err", err)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			if context.Cause(ctx) == errBudget {
				return b.spent(cl, i+1, err)
			}
			return fmt.Errorf("%w; last error: %w", ctx.Err(), err)
		case <-t.C:
		}
	}
}

func (c *Client) replayable(cl *call) bool { return cl.stream == nil }

// attempt runs cl once: directly to a known target if allowed, else through the proxy.
func (c *Client) attempt(ctx context.Context, cl *call, fn func(*http.Response) error) error {
	actx, release := c.attemptContext(ctx, cl)
	cl.obs.attempt()
	resp, err := c.route(actx, cl)
	if err != nil {
		release()
		return err
	}
	cl.obs.response(resp)
	ok := resp.StatusCode/100 == 2 || cl.probe && isRedirect(resp.StatusCode)
	if !ok {
		herr := c.httpError(cl, resp)
		drainClose(resp.Body)
		release()
		return herr
	}
	if cl.keepBody {
		resp.Body = &streamBody{ReadCloser: resp.Body, release: release}
		if err := fn(resp); err != nil {
			resp.Body.Close()
			return err
		}
		cl.obs.handOff()
		return nil
	}
	if fn != nil {
		err = fn(resp)
	}
	drainClose(resp.Body)
	release()
	return err
}

// attemptContext bounds one attempt; release must be called when its body is done.
func (c *Client) attemptContext(ctx context.Context, cl *call) (context.Context, func()) {
	if cl.meta {
		return context.WithTimeout(ctx, c.reqTimeout)
	}
	return context.WithCancel(ctx)
}

// route sends cl to a learned target when allowed, falling back to the proxy once.
func (c *Client) route(ctx context.Context, cl *call) (*http.Response, error) {
	if cl.url != "" {
		return c.hops(ctx, cl, cl.url)
	}
	if cl.direct {
		if base := c.routes.target(ctx, cl.route); base != "" {
			resp, err := c.hops(ctx, cl, base+cl.path+encodeQuery(cl.query))
			fallback := err != nil
			if err == nil {
				switch resp.StatusCode {
				case http.StatusUnauthorized, http.StatusForbidden:
					c.routes.refuse()
					fallback = true
				case http.StatusBadRequest, http.StatusNotFound:
					fallback = true
				}
			}
			if !fallback {
				return resp, nil
			}
			if resp != nil {
				drainClose(resp.Body)
			}
			if ctx.Err() != nil {
				return nil, err
			}
			c.routes.forget(cl.route, base, err)
			if err != nil {
				c.log.Debug("aisclient: direct read failed; via proxy", "op", cl.op, "target", base, "err", err)
			}
		}
	}
	return c.hops(ctx, cl, c.base.String()+cl.path+encodeQuery(cl.query))
}

// hops sends the request to target and follows redirects, replaying method, headers and body.
func (c *Client) hops(ctx context.Context, cl *call, target string) (*http.Response, error) {
	for hop := 0; ; hop++ {
		req, err := c.newRequest(ctx, cl, target)
		if err != nil {
			return nil, err
		}
		resp, err := c.send(req, cl)
		if err != nil {
			return nil, c.transportError(ctx, cl, req, err)
		}
		cl.obs.sentBody(cl)
		if !isRedirect(resp.StatusCode) {
			return resp, nil
		}
		loc, lerr := resp.Location()
		if lerr == nil {
			c.routes.learn(cl.route, loc)
		}
		if cl.probe {
			return resp, nil
		}
		drainClose(resp.Body)
		if lerr != nil || hop+1 >= maxHops || cl.stream != nil { // a stream cannot be sent twice
			return nil, &TransportError{Op: cl.op, Method: cl.method, Path: req.URL.Path,
				Err: fmt.Errorf("bad redirect (%d, hop %d)", resp.StatusCode, hop+1)}
		}
		target = loc.String()
	}
}

// send performs one HTTP exchange; with cl.firstByte the wait for headers is bounded.
func (c *Client) send(req *http.Request, cl *call) (*http.Response, error) {
	if !cl.firstByte || c.hdrTimeout <= 0 {
		return c.hc.Do(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	var (
		mu      sync.Mutex
		timer   *time.Timer
		arrived bool
	)
	// The clock starts once the request (body included) is on the wire: uploads take as
	// long as they take; the server then must answer promptly.
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		if arrived {
			return
		}
		if timer != nil {
			timer.Stop() // the transport re-sent the request on a fresh connection
		}
		timer = time.AfterFunc(c.hdrTimeout, func() { cancel(errNoResponse) })
	}}
	resp, err := c.hc.Do(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	mu.Lock()
	arrived = true
	fired := timer != nil && !timer.Stop()
	mu.Unlock()
	if err != nil {
		if fired {
			err = errNoResponse
		}
		cancel(nil)
		return nil, err
	}
	// The body may stream for long; cancel only when it is closed, or when it stalls.
	resp.Body = &watchBody{ReadCloser: resp.Body, idle: c.hdrTimeout, cancel: cancel}
	return resp, nil
}

func (c *Client) newRequest(ctx context.Context, cl *call, target string) (*http.Request, error) {
	var body io.Reader
	switch {
	case sendsFile(cl):
		// As it is: net/http hands a body to sendfile only when it can see the file under
		// its own wrappers (one io.NopCloser more hides it). sentFile.Close does nothing.
		body = cl.stream
	case cl.stream != nil:
		body = io.NopCloser(cl.stream) // never let the transport close the caller's file
	case cl.body != nil:
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("aisclient: %s: %w", cl.op, err)
	}
	if cl.stream != nil {
		req.ContentLength = cl.size
		if cl.size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, vs := range cl.header {
		req.Header[k] = vs
	}
	if cl.json {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", userAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// transportError wraps a failed exchange without its URL (the query may hold handles).
func (c *Client) transportError(ctx context.Context, cl *call, req *http.Request, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if cause := context.Cause(ctx); cause != nil && errors.Is(err, context.Canceled) && cause != context.Canceled {
		err = cause
	}
	return &TransportError{Op: cl.op, Method: cl.method, Path: req.URL.Path, Err: err}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// drainClose reads a little of what is left so the connection can be reused, then closes.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, drainLimit)
	_ = body.Close()
}

// streamBody ends its attempt (timers, per-attempt context) when the caller closes it.
type streamBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *streamBody) Close() error {
	var err error
	b.once.Do(func() {
		_, _ = io.CopyN(io.Discard, b.ReadCloser, drainLimit)
		err = b.ReadCloser.Close()
		b.release()
	})
	return err
}

// watchBody ends a body that stalls: no byte for idle while the caller waits in Read. The
// pause only counts inside Read, so a slow consumer of a stream is not a stall.
type watchBody struct {
	io.ReadCloser
	idle    time.Duration
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	stalled atomic.Bool
}

func (b *watchBody) Read(p []byte) (int, error) {
	if b.timer == nil {
		b.timer = time.AfterFunc(b.idle, func() {
			b.stalled.Store(true)
			b.cancel(errStalled)
		})
	} else {
		b.timer.Reset(b.idle)
	}
	n, err := b.ReadCloser.Read(p)
	b.timer.Stop()
	if err != nil && b.stalled.Load() {
		err = errStalled
	}
	return n, err
}

func (b *watchBody) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
