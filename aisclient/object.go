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
	if len(p) == 0 {
		return 0, nil, nil
	}
	if err := validObjectName(name); err != nil {
		return 0, nil, err
	}
	if off < 0 {
		return 0, nil, fmt.Errorf("aisclient: GetRange offset %d: %w", off, ErrInvalidArgument)
	}
	last := off + int64(len(p)) - 1
	cl := &call{
		op: "GetRange", method: http.MethodGet, path: objectPath(bck, name), query: bck.query(),
		header: http.Header{"Range": {"bytes=" + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(last, 10)}},
		retry:  true, firstByte: true, route: bck.key(name), direct: true,
	}
	var (
		n     int
		attrs *ObjAttrs
	)
	err := c.do(ctx, cl, func(resp *http.Response) error {
		n = 0
		attrs = attrsFromHeader(name, resp.Header)
		want := int64(len(p))
		switch resp.StatusCode {
		case http.StatusPartialContent:
			attrs.Size = contentRangeTotal(resp.Header)
			if start := contentRangeStart(resp.Header); start != off {
				return fmt.Errorf("aisclient: GetRange %s: asked for offset %d, got Content-Range %q",
					resp.Request.URL.Path, off, resp.Header.Get("Content-Range"))
			}
			if resp.ContentLength >= 0 {
				want = min(want, resp.ContentLength)
			}
		default: // 200: the Range was ignored and the whole object follows
			attrs.Size = resp.ContentLength
			skip := off
			if resp.ContentLength >= 0 {
				skip = min(off, resp.ContentLength)
			}
			if _, err := io.CopyN(io.Discard, resp.Body, skip); err != nil {
				return bodyError(cl, resp, err)
			}
			if resp.ContentLength >= 0 {
				want = max(0, min(want, resp.ContentLength-off))
			}
		}
		m, err := io.ReadFull(resp.Body, p[:want])
		n = m
		if err != nil && !(resp.ContentLength < 0 && err == io.ErrUnexpectedEOF) {
			return bodyError(cl, resp, err)
		}
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

// GetObject streams a whole object (no Range header, so empty objects work). The caller
// must Close the reader; ObjAttrs.Size is the Content-Length (-1 if the server sent none).
// Failures before the first byte are retried; a stream cut short fails its Read with
// io.ErrUnexpectedEOF.
func (c *Client) GetObject(ctx context.Context, bck Bck, name string) (io.ReadCloser, *ObjAttrs, error) {
	if err := validObjectName(name); err != nil {
		return nil, nil, err
	}
	cl := &call{
		op: "GetObject", method: http.MethodGet, path: objectPath(bck, name), query: bck.query(),
		retry: true, firstByte: true, route: bck.key(name), direct: true, keepBody: true,
	}
	var (
		rc    io.ReadCloser
		attrs *ObjAttrs
	)
	err := c.do(ctx, cl, func(resp *http.Response) error {
		attrs = attrsFromHeader(name, resp.Header)
		attrs.Size = resp.ContentLength
		rc = resp.Body
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rc, attrs, nil
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
