package aisclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// HeadObject returns an object's properties. A missing Content-Length means size 0
// (AIS omits it for empty objects).
func (c *Client) HeadObject(ctx context.Context, bck Bck, name string) (*ObjAttrs, error) {
	if err := validObjectName(name); err != nil {
		return nil, err
	}
	cl := &call{
		op: "HeadObject", method: http.MethodHead, path: objectPath(bck, name), query: bck.query(),
		retry: true, meta: true, route: bck.key(name), direct: true,
	}
	var attrs *ObjAttrs
	err := c.do(ctx, cl, func(resp *http.Response) error {
		attrs = attrsFromHeader(name, resp.Header)
		attrs.Size = max(resp.ContentLength, 0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return attrs, nil
}

// GetRange reads len(p) bytes at off with one Range GET, straight into p. It returns
// n < len(p) (and a nil error) only when the object ends first. The attributes come from
// the response (Size is the whole object's), so callers can tell that the object changed.
// Reading at or past the end (and any read of an empty object) fails with
// ErrRangeNotSatisfiable; the attributes then still carry the object's Size when AIS said it.
// len(p) == 0 sends no request.
func (c *Client) GetRange(ctx context.Context, bck Bck, name string, off int64, p []byte) (int, *ObjAttrs, error) {
	return c.GetRangeV(ctx, bck, name, off, [][]byte{p}, nil)
}

// GetRangeV is GetRange into consecutive buffers: one Range GET for all of them, read in order.
// filled, when not nil, is called with each buffer's index as soon as that buffer is complete,
// with the attributes of the response it came from; an error from it ends the read with that
// error. Once a buffer was handed to filled, a retry that finds another version of the object
// fails with ErrObjectChanged instead of reading the range again.
func (c *Client) GetRangeV(ctx context.Context, bck Bck, name string, off int64, bufs [][]byte, filled func(i int, a *ObjAttrs) error) (int, *ObjAttrs, error) {
	v := vector{bufs: bufs, filled: filled}
	total := v.len()
	if total == 0 {
		return 0, nil, nil
	}
	if err := validObjectName(name); err != nil {
		return 0, nil, err
	}
	if off < 0 {
		return 0, nil, fmt.Errorf("aisclient: GetRange offset %d: %w", off, ErrInvalidArgument)
	}
	last := off + int64(total) - 1
	cl := &call{
		op: "GetRange", method: http.MethodGet, path: objectPath(bck, name), query: bck.query(),
		header: http.Header{}, retry: true, bounded: true, firstByte: true, route: bck.key(name), direct: true,
	}
	var (
		attrs *ObjAttrs // of the response that filled the vector up to v.got
		n     int
	)
	// A retry after a body broke off asks only for the rest: from off+v.got.
	setRange := func() {
		cl.header.Set("Range", "bytes="+strconv.FormatInt(off+int64(v.got), 10)+"-"+strconv.FormatInt(last, 10))
	}
	setRange()
	err := c.do(ctx, cl, func(resp *http.Response) error {
		a := attrsFromHeader(name, resp.Header)
		start := off + int64(v.got)
		switch resp.StatusCode {
		case http.StatusPartialContent:
			a.Size = contentRangeTotal(resp.Header)
			if s := contentRangeStart(resp.Header); s != start {
				return fmt.Errorf("aisclient: GetRange %s: asked for offset %d, got Content-Range %q",
					resp.Request.URL.Path, start, resp.Header.Get("Content-Range"))
			}
		default: // 200: the Range was ignored and the whole object follows
			a.Size = resp.ContentLength
		}
		if v.got > 0 && otherVersion(attrs, a) {
			if v.handed > 0 {
				return fmt.Errorf("%w: %s/%s, version %q, now %q", ErrObjectChanged, bck, name, attrs.Version, a.Version)
			}
			// The bytes read so far are of another version: read the range again.
			v.got = 0
			setRange()
			return &readError{fmt.Errorf("aisclient: GetRange %s: object changed between attempts", resp.Request.URL.Path)}
		}
		attrs = a
		want := int64(total - v.got)
		if resp.StatusCode == http.StatusPartialContent {
			if resp.ContentLength >= 0 {
				want = min(want, resp.ContentLength)
			}
		} else {
			skip := start
			if resp.ContentLength >= 0 {
				skip = min(start, resp.ContentLength)
			}
			if _, err := io.CopyN(io.Discard, resp.Body, skip); err != nil {
				return bodyError(cl, resp, err)
			}
			if resp.ContentLength >= 0 {
				want = max(0, min(want, resp.ContentLength-start))
			}
		}
		err := v.readFrom(resp.Body, int(want), a)
		if v.stop != nil {
			return v.stop
		}
		if err != nil && !(resp.ContentLength < 0 && err == io.ErrUnexpectedEOF) {
			setRange()
			return bodyError(cl, resp, err)
		}
		n = v.got
		return nil
	})
	if err != nil {
		var herr *HTTPError
		if errors.As(err, &herr) && herr.Status == http.StatusRequestedRangeNotSatisfiable {
			a := attrsFromHeader(name, herr.header)
			a.Size = contentRangeTotal(herr.header)
			return 0, a, err
		}
		return 0, nil, err
	}
	return n, attrs, nil
}

// vector is GetRangeV's destination: bufs filled in order, got bytes so far, the first handed
// buffers given to filled.
type vector struct {
	bufs   [][]byte
	filled func(i int, a *ObjAttrs) error
	got    int
	handed int
	stop   error // filled refused: the read ends with this error
}

func (v *vector) len() int {
	n := 0
	for _, b := range v.bufs {
		n += len(b)
	}
	return n
}

// readFrom reads exactly n more bytes from r (io.ErrUnexpectedEOF if r ends first), handing each
// buffer that becomes complete to filled.
func (v *vector) readFrom(r io.Reader, n int, a *ObjAttrs) error {
	pos := 0 // start of bufs[i] in the vector
	for i, b := range v.bufs {
		if n == 0 {
			return nil
		}
		end := pos + len(b)
		if v.got < end {
			k := min(end-v.got, n)
			m, err := io.ReadFull(r, b[v.got-pos:v.got-pos+k])
			v.got += m
			n -= m
			if err != nil {
				return err
			}
		}
		if v.got == end && i == v.handed {
			v.handed++
			if v.filled != nil {
				if err := v.filled(i, a); err != nil {
					v.stop = err
					return err
				}
			}
		}
		pos = end
	}
	return nil
}

// otherVersion: b is not the object a was read from (both known and different).
func otherVersion(a, b *ObjAttrs) bool {
	differ := func(x, y string) bool { return x != "" && y != "" && x != y }
	return differ(a.Version, b.Version) || differ(a.CksumValue, b.CksumValue) ||
		a.Size >= 0 && b.Size >= 0 && a.Size != b.Size
}

// bodyError reports a response body that broke off; it is retryable for idempotent calls.
func bodyError(cl *call, resp *http.Response, err error) error {
	return &readError{&TransportError{Op: cl.op, Method: cl.method, Path: resp.Request.URL.Path,
		Err: fmt.Errorf("reading body: %w", err)}}
}

// contentRangeStart returns a from "bytes a-b/N", or -1.
func contentRangeStart(h http.Header) int64 {
	s, ok := strings.CutPrefix(h.Get("Content-Range"), "bytes ")
	if !ok {
		return -1
	}
	s, _, _ = strings.Cut(s, "-")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
