package aisclient

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AIS response headers (api/apc/headers.go).
const (
	hdrError       = "Hdr-Error" // the error JSON of a HEAD, which has no body
	hdrCksumType   = "Ais-Checksum-Type"
	hdrCksumValue  = "Ais-Checksum-Value"
	hdrAtime       = "Ais-Atime" // unix nanoseconds
	hdrCustomMD    = "Ais-Custom-Md"
	hdrVersion     = "Ais-Version"
	hdrLocation    = "Ais-Location"
	hdrCopies      = "Ais-Mirror-Copies"
	hdrPresent     = "Ais-Present"
	hdrAppendH     = "Ais-Append-Handle"
	hdrBucketProps = "Ais-Bucket-Props"

	maxErrorBody = 16 << 10
	maxJSONBody  = 64 << 20 // a list page of 10,000 entries with all props is a few MiB
)

// aisError is the JSON AIS sends with every error (cmn.ErrHTTP).
type aisError struct {
	TCode   string `json:"tcode"`
	Message string `json:"message"`
	Node    string `json:"node"`
}

// httpError builds the typed error of a non-2xx response; the caller closes the body.
func (c *Client) httpError(cl *call, resp *http.Response) *HTTPError {
	e := &HTTPError{
		Op: cl.op, Method: cl.method, Path: resp.Request.URL.Path, Status: resp.StatusCode,
		bucketOp: cl.bucketOp, header: resp.Header,
	}
	raw := []byte(resp.Header.Get(hdrError))
	if len(raw) == 0 && resp.Body != nil {
		raw, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	}
	var ae aisError
	if len(raw) > 0 && json.Unmarshal(raw, &ae) == nil {
		e.TCode, e.Message, e.Node = ae.TCode, ae.Message, ae.Node
	} else {
		// Not AIS (a load balancer, a proxy in between): keep a readable line of it.
		msg := strings.Join(strings.Fields(string(raw)), " ")
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		e.Message = msg
	}
	if c.token != "" {
		e.Message = strings.ReplaceAll(e.Message, c.token, "<token>")
	}
	return e
}

// readJSON decodes a whole (bounded) body; read failures are retryable, bad JSON is not.
func readJSON(resp *http.Response, v any) error {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil {
		return &readError{err}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("aisclient: decoding %s response: %w", resp.Request.URL.Path, err)
	}
	return nil
}

// ObjAttrs are an object's properties as AIS reports them.
type ObjAttrs struct {
	Name       string
	Size       int64
	Version    string
	CksumType  string
	CksumValue string
	Atime      time.Time         // zero if unknown
	Custom     map[string]string // custom metadata; nil if none
	Location   string            // "t[id]:mp[path, disk, ...]"
	Copies     int
	Present    bool // in the cluster (false: remote only)
}

// attrsFromHeader reads the Ais-* headers of a HEAD, GET or PUT response. Size is left
// to the caller: each response states it differently.
func attrsFromHeader(name string, h http.Header) *ObjAttrs {
	a := &ObjAttrs{
		Name:       name,
		Version:    h.Get(hdrVersion),
		CksumType:  h.Get(hdrCksumType),
		CksumValue: h.Get(hdrCksumValue),
		Location:   h.Get(hdrLocation),
		Present:    h.Get(hdrPresent) == "true",
	}
	if ns, err := strconv.ParseInt(h.Get(hdrAtime), 10, 64); err == nil && ns > 0 {
		a.Atime = time.Unix(0, ns)
	}
	if n, err := strconv.Atoi(h.Get(hdrCopies)); err == nil {
		a.Copies = n
	}
	// One header per pair; values may hold '=', ',' and spaces, so split at the first '='.
	for _, kv := range h.Values(hdrCustomMD) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if a.Custom == nil {
			a.Custom = make(map[string]string)
		}
		a.Custom[k] = v
	}
	return a
}

// contentRangeTotal returns N from "bytes a-b/N" or "bytes */N"; -1 if absent.
func contentRangeTotal(h http.Header) int64 {
	cr := h.Get("Content-Range")
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(cr[i+1:], 10, 64)
	if err != nil {
		return -1
	}
	return n
}
