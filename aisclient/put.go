package aisclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// PutOptions are optional PUT attributes.
type PutOptions struct {
	Custom map[string]string // custom metadata, merged into what the object already has
	// CksumType/CksumValue (e.g. "xxhash2" and 16 hex digits) make AIS verify the upload
	// and fail it with ErrBadChecksum on a mismatch.
	CksumType, CksumValue string
}

// PutObject uploads size bytes from r (size -1: unknown, sent chunked) and returns the
// new attributes. The bytes go to the owning target only (see the package doc), once:
// a failed upload is not retried, since r cannot be rewound. r is never closed.
func (c *Client) PutObject(ctx context.Context, bck Bck, name string, r io.Reader, size int64, opts PutOptions) (*ObjAttrs, error) {
	if err := validObjectName(name); err != nil {
		return nil, err
	}
	hdr := http.Header{}
	if err := addCustomHeaders(hdr, opts.Custom); err != nil {
		return nil, err
	}
	if opts.CksumType != "" {
		hdr.Set(hdrCksumType, opts.CksumType)
		hdr.Set(hdrCksumValue, opts.CksumValue)
	}
	if r == nil {
		r = strings.NewReader("")
		size = 0
	}
	cr := &countingReader{r: r}
	cl := &call{
		op: "PutObject", method: http.MethodPut, path: objectPath(bck, name), query: bck.query(),
		header: hdr, stream: cr, size: size, firstByte: true, route: bck.key(name),
	}
	var attrs *ObjAttrs
	err := c.upload(ctx, cl, func(resp *http.Response) error {
		attrs = attrsFromHeader(name, resp.Header)
		attrs.Size = cr.n
		attrs.Present = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return attrs, nil
}

// Append sends p to the object's append work file. handle "" starts a new chain (after
// copying the object's current content, if any, into it); every call returns the handle
// to pass next. Nothing is visible until Flush. Not retried except when no connection
// could be opened.
func (c *Client) Append(ctx context.Context, bck Bck, name, handle string, p []byte) (string, error) {
	if err := validObjectName(name); err != nil {
		return "", err
	}
	q := bck.query()
	q.Set("append_type", "append")
	q.Set("append_handle", handle)
	cl := &call{
		op: "Append", method: http.MethodPut, path: objectPath(bck, name), query: q,
		body: p, firstByte: true, route: bck.key(name),
	}
	var next string
	err := c.upload(ctx, cl, func(resp *http.Response) error {
		next = resp.Header.Get(hdrAppendH)
		if next == "" {
			return fmt.Errorf("aisclient: Append %s: no %s in the response", resp.Request.URL.Path, hdrAppendH)
		}
		return nil
	})
	return next, err
}

// Flush finalizes an append chain. With cksumType/cksumValue (the bucket's type, xxhash2
// by default, of the WHOLE content) AIS verifies the result; a mismatch fails with
// ErrBadChecksum and leaves the work file, so Flush may be repeated.
func (c *Client) Flush(ctx context.Context, bck Bck, name, handle, cksumType, cksumValue string) error {
	if err := validObjectName(name); err != nil {
		return err
	}
	if handle == "" {
		return fmt.Errorf("aisclient: Flush without an append handle: %w", ErrInvalidArgument)
	}
	q := bck.query()
	q.Set("append_type", "flush")
	q.Set("append_handle", handle)
	hdr := http.Header{}
	if cksumType != "" {
		hdr.Set(hdrCksumType, cksumType)
		hdr.Set(hdrCksumValue, cksumValue)
	}
	cl := &call{
		op: "Flush", method: http.MethodPut, path: objectPath(bck, name), query: q, header: hdr,
		firstByte: true, route: bck.key(name),
	}
	return c.do(ctx, cl, nil)
}

// upload asks the proxy where the object lives with an empty, retryable probe, then sends
// the real request (with its body) to that target only.
func (c *Client) upload(ctx context.Context, cl *call, fn func(*http.Response) error) error {
	probe := &call{
		op: cl.op, method: cl.method, path: cl.path, query: cl.query,
		retry: true, meta: true, probe: true, route: cl.route,
	}
	target := ""
	err := c.do(ctx, probe, func(resp *http.Response) error {
		if !isRedirect(resp.StatusCode) {
			return nil // served in place (not an AIS proxy): repeat it there with the body
		}
		loc, err := resp.Location()
		if err != nil {
			return fmt.Errorf("aisclient: %s: bad redirect: %w", cl.op, err)
		}
		target = loc.String()
		return nil
	})
	if err != nil {
		return err
	}
	if target == "" {
		target = c.base.String() + cl.path + encodeQuery(cl.query)
	}
	cl.url = target
	return c.do(ctx, cl, fn)
}

// addCustomHeaders adds one Ais-Custom-Md "k=v" header per pair, in key order.
func addCustomHeaders(h http.Header, md map[string]string) error {
	keys := make([]string, 0, len(md))
	for k, v := range md {
		if k == "" || strings.ContainsAny(k, "=\r\n\x00\x01") || strings.ContainsAny(v, "\r\n\x00\x01") {
			return fmt.Errorf("aisclient: custom metadata %q: %w", k, ErrInvalidArgument)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.Add(hdrCustomMD, k+"="+md[k])
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
