package aisclient

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Observer sees the requests a Client makes (metrics, tracing). It is called once per
// logical call, after redirects, the fallback from a target to the proxy, and retries:
//
//   - op is the Client method ("GetRange", "GetObject", "HeadObject", "ListObjects",
//     "ListBuckets", "HeadBucket", "CreateBucket", "DestroyBucket", "PutObject", "Append",
//     "Flush", "DeleteObject", "RenameObject", "PatchCustom", "ClusterCapacity", "GetBatch") or an
//     internal request: "ClusterMap" (finding the targets), and "PutObjectProbe" /
//     "AppendProbe" (the empty request that asks the proxy where an upload goes).
//   - status is the HTTP status of the last attempt's response, 0 if it got none.
//   - dur runs from the call's start to its end, retries and backoff included. For
//     GetObject, whose body the caller streams, the call ends when the caller closes the
//     reader (err is then the first read error other than io.EOF).
//   - sent counts request body bytes handed to the network (a body resent to a redirect's
//     target or on a retry counts again); received counts response body bytes read, error
//     bodies included.
//   - err is what the caller gets (nil on success).
//
// Calls refused before any request (an invalid name) are not observed. The Observer runs
// on the caller's goroutine, concurrently with others: it must be safe for concurrent use
// and quick.
type Observer func(op, method string, status int, dur time.Duration, sent, received int64, err error)

// observation is the measure of one call in progress.
type observation struct {
	c      *Client
	op     string
	method string
	start  time.Time

	sent, received atomic.Int64 // the transport writes streamed bodies from its own goroutine
	status         int          // of the last attempt's response

	streaming bool // the caller owns the body: the observation ends when it is closed
	once      sync.Once
	readErr   error // first failed Read of a streamed body
}

// observe starts measuring cl when the Client has an Observer; it returns nil otherwise,
// and every method below is a no-op on nil.
func (c *Client) observe(cl *call) *observation {
	if c.observer == nil {
		return nil
	}
	o := &observation{c: c, op: cl.op, method: cl.method, start: time.Now()}
	if cl.probe {
		o.op += "Probe"
	}
	if cl.stream != nil && !sendsFile(cl) {
		cl.stream = &meteredReader{r: cl.stream, n: &o.sent}
	}
	cl.obs = o
	return o
}

// end reports the call unless its body is still being streamed to the caller.
func (o *observation) end(err error) {
	if o == nil || err == nil && o.streaming {
		return
	}
	o.report(err)
}

func (o *observation) report(err error) {
	o.once.Do(func() {
		o.c.observer(o.op, o.method, o.status, time.Since(o.start), o.sent.Load(), o.received.Load(), err)
	})
}

// attempt forgets what the previous attempt's response said.
func (o *observation) attempt() {
	if o != nil {
		o.status, o.readErr = 0, nil
	}
}

// response records the status of an attempt's final response and counts its body.
func (o *observation) response(resp *http.Response) {
	if o == nil {
		return
	}
	o.status = resp.StatusCode
	if resp.Body != nil {
		resp.Body = &meteredBody{ReadCloser: resp.Body, o: o}
	}
}

// sentBody counts a replayable body, or a file sent whole by the kernel (which no reader sees),
// once per exchange that got an answer.
func (o *observation) sentBody(cl *call) {
	switch {
	case o == nil:
	case cl.stream == nil:
		o.sent.Add(int64(len(cl.body)))
	case sendsFile(cl):
		o.sent.Add(cl.size)
	}
}

// handOff: the caller now owns the response body; closing it ends the call.
func (o *observation) handOff() {
	if o != nil {
		o.streaming = true
	}
}

// meteredReader counts what the transport reads of a streamed request body.
type meteredReader struct {
	r io.Reader
	n *atomic.Int64
}

// WriteTo keeps r's own WriteTo (large writes) under the meter.
func (m *meteredReader) WriteTo(w io.Writer) (int64, error) {
	if wt, ok := m.r.(io.WriterTo); ok {
		return wt.WriteTo(&meteredWriter{w: w, n: m.n})
	}
	return io.Copy(w, struct{ io.Reader }{m})
}

type meteredWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (m *meteredWriter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	m.n.Add(int64(n))
	return n, err
}

func (m *meteredReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n.Add(int64(n))
	return n, err
}

// meteredBody counts a response body; when the caller streams it, its Close ends the call.
type meteredBody struct {
	io.ReadCloser
	o *observation
}

func (b *meteredBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.o.received.Add(int64(n))
	if err != nil && err != io.EOF && b.o.readErr == nil {
		b.o.readErr = err
	}
	return n, err
}

func (b *meteredBody) Close() error {
	err := b.ReadCloser.Close()
	if b.o.streaming {
		b.o.report(b.o.readErr)
	}
	return err
}
