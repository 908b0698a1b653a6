package aisclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// GetObject streams a whole object (no Range header, so empty objects work). The caller
// must Close the reader; ObjAttrs.Size is the Content-Length (-1 if the server sent none).
// Failures before the first byte are retried. A stream that breaks off later (reset, cut
// short, stalled) is continued with a Range GET from the byte where it stopped, with the
// retries and budget of any read; if the object changed in between, Read fails with
// ErrObjectChanged. Once resuming is given up, Read fails with the error of the break.
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
	first := *attrs
	return &resumingBody{c: c, ctx: ctx, bck: bck, name: name, rc: rc, attrs: &first}, attrs, nil
}

// ErrObjectChanged: a stream broke off, and the object had another version when it was
// asked for the rest.
var ErrObjectChanged = errors.New("aisclient: object changed while it was read")

// resumingBody is a GetObject stream that continues after a break. It keeps the call's ctx:
// the stream is that call's, read later.
type resumingBody struct {
	c     *Client
	ctx   context.Context
	bck   Bck
	name  string
	rc    io.ReadCloser
	attrs *ObjAttrs // of the first response: Size -1 if unknown
	off   int64     // bytes delivered
	err   error     // sticky: resuming failed
}

func (b *resumingBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	for {
		n, err := b.rc.Read(p)
		b.off += int64(n)
		if err == nil || err == io.EOF && (b.attrs.Size < 0 || b.off == b.attrs.Size) {
			return n, err
		}
		if n > 0 {
			return n, nil // the break shows again on the next Read
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if b.ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return 0, err // the caller gave up; nothing to resume
		}
		if rerr := b.resume(err); rerr != nil {
			b.err = rerr
			return 0, rerr
		}
	}
}

// resume replaces the broken body with the rest of the object, from b.off.
func (b *resumingBody) resume(broke error) error {
	b.rc.Close()
	b.rc = io.NopCloser(eofReader{})
	rng := "bytes=" + strconv.FormatInt(b.off, 10) + "-"
	if b.attrs.Size >= 0 {
		rng += strconv.FormatInt(b.attrs.Size-1, 10)
	}
	cl := &call{
		op: "GetObject", method: http.MethodGet, path: objectPath(b.bck, b.name), query: b.bck.query(),
		header: http.Header{"Range": {rng}},
		retry:  true, firstByte: true, route: b.bck.key(b.name), direct: true, keepBody: true,
	}
	err := b.c.do(b.ctx, cl, func(resp *http.Response) error {
		a := attrsFromHeader(b.name, resp.Header)
		a.Size = contentRangeTotal(resp.Header)
		if resp.StatusCode != http.StatusPartialContent || contentRangeStart(resp.Header) != b.off {
			return fmt.Errorf("aisclient: GetObject %s: asked for the rest from %d, got %d %q",
				resp.Request.URL.Path, b.off, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
		if b.attrs.Size < 0 {
			b.attrs.Size = -1 // unknown before: take no size from the rest
			a.Size = -1
		}
		if otherVersion(b.attrs, a) {
			return fmt.Errorf("%w: %s/%s, version %q, now %q", ErrObjectChanged, b.bck, b.name, b.attrs.Version, a.Version)
		}
		b.rc = resp.Body
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w (resuming after: %w)", err, broke)
	}
	return nil
}

func (b *resumingBody) Close() error { return b.rc.Close() }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
