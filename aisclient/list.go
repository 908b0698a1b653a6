package aisclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// List-objects flags (api/apc/lsmsg.go).
const (
	lsArchDir     = 8 // LsArchDir: list the members of archives (shards) too
	lsNoRecursion = 2048

	entryPresent = 64  // EntryIsCached: the object is in the cluster
	entryInArch  = 128 // EntryInArch: a member of an archive (LsArchDir listings)
	entryArchive = 512 // EntryIsArchive: an object AIS read as an archive (LsArchDir listings)
	entryIsDir   = 256 // EntryIsDir: a virtual directory (no-recursion listings)
)

// defaultListProps are the properties listed when ListOptions.Props is empty.
var defaultListProps = []string{"name", "size", "version", "checksum", "atime"}

// Entry is one list-objects entry. Its strings share memory with the page they were decoded
// from (one string per page, no copy per field): a caller that keeps a few entries of a large
// listing should strings.Clone what it keeps, or it keeps the whole page.
type Entry struct {
	Name     string // full object name; a directory (NoRecursion) ends in "/"
	IsDir    bool
	Size     int64
	Version  string
	Checksum string // value; its type is the bucket's
	Atime    time.Time
	Present  bool
	// InArchive marks a member of an archive in an archive listing (ListArchive): Name is
	// then "SHARD/MEMBER".
	InArchive bool
	IsArchive bool // an archive listing read the object as an archive
	Copies    int
	Location  string
	// CustomRaw is the object's custom metadata as the listing renders it (props "custom"):
	// a Go-map-like "[k:v k2:v2]" string that is ambiguous when keys or values hold spaces or
	// colons, so only keys with plain values can be read from it.
	CustomRaw string
}

// clone is e with strings of its own.
func (e Entry) clone() Entry {
	e.Name, e.Version, e.Checksum = strings.Clone(e.Name), strings.Clone(e.Version), strings.Clone(e.Checksum)
	e.Location, e.CustomRaw = strings.Clone(e.Location), strings.Clone(e.CustomRaw)
	return e
}

// ListOptions selects what ListObjects returns.
type ListOptions struct {
	Prefix      string   // e.g. "dir/sub/"; end it in "/" to list one directory level
	NoRecursion bool     // one level: files, and directories as entries ending in "/"
	Props       []string // default name,size,version,checksum,atime
	PageSize    int      // 0 = server default (also capped by Limit)
	// FirstPage > 0 asks for a first page of at most that many entries, so that the first
	// entries of a large listing arrive sooner (AIS takes longer the more a page holds).
	FirstPage int
	Limit     int // stop after Limit entries (0 = all)

	archDir bool // list archives' members too (ListArchive)
}

// ListObjects lists a bucket, page by page, into one slice. more reports that Limit
// stopped it before AIS said it was done; AIS cannot tell a full last page from one
// with more behind it, so more may be true with nothing left.
func (c *Client) ListObjects(ctx context.Context, bck Bck, opts ListOptions) (entries []Entry, more bool, err error) {
	more, err = c.list(ctx, bck, opts, func(page []Entry) error {
		entries = append(entries, page...)
		return nil
	})
	return entries, more, err
}

// ListObjectsPages calls fn with every page as it arrives; an error from fn stops the
// listing and is returned as is. The slice is fn's to keep. more is as for ListObjects.
func (c *Client) ListObjectsPages(ctx context.Context, bck Bck, opts ListOptions, fn func([]Entry) error) (more bool, err error) {
	return c.list(ctx, bck, opts, fn)
}

// lsoMsg is the list request (apc.LsoMsg); flags travel as a JSON string.
type lsoMsg struct {
	Props             string `json:"props"`
	TimeFormat        string `json:"time_format,omitempty"`
	Prefix            string `json:"prefix"`
	ContinuationToken string `json:"continuation_token"`
	UUID              string `json:"uuid"`
	Flags             string `json:"flags"`
	PageSize          int    `json:"pagesize"`
}

type lsoEntry struct {
	Name     string `json:"name"`
	Checksum string `json:"checksum"`
	Atime    string `json:"atime"`
	Version  string `json:"version"`
	Location string `json:"location"`
	Size     string `json:"size"` // int64 as a JSON string
	Copies   int    `json:"copies"`
	Custom   string `json:"custom-md"`
	Flags    uint32 `json:"flags"`

	size int64 // msgpack sends the size as an integer
}

// lsoPage is one page: its JSON form, or a msgpack body decoded in two steps (the token first,
// so the next page can be asked for while this one is decoded).
type lsoPage struct {
	UUID              string      `json:"uuid"`
	ContinuationToken string      `json:"continuation_token"`
	Entries           []*lsoEntry `json:"entries"` // JSON; null when nothing matches

	msgpack string  // the undecoded msgpack body, if AIS sent one
	count   int     // msgpack: how many entries the page holds
	entries []Entry // msgpack: decoded
}

// len is how many entries the page holds.
func (p *lsoPage) len() int {
	if p.msgpack != "" {
		return p.count
	}
	return len(p.Entries)
}

// decode returns the page's entries.
func (p *lsoPage) decode() ([]Entry, error) {
	if p.msgpack == "" {
		return convertEntries(p.Entries), nil
	}
	if err := decodeLsoMsgpack(p.msgpack, p, true); err != nil {
		return nil, err
	}
	return p.entries, nil
}

// fetched is a page fetched ahead, or why it could not be.
type fetched struct {
	page *lsoPage
	err  error
}

func (c *Client) list(ctx context.Context, bck Bck, opts ListOptions, fn func([]Entry) error) (more bool, err error) {
	if err := bck.validate(); err != nil {
		return false, err
	}
	props := opts.Props
	if len(props) == 0 {
		props = defaultListProps
	}
	msg := lsoMsg{
		Props:      strings.Join(props, ","),
		TimeFormat: time.RFC3339Nano, // the default format drops seconds
		Prefix:     opts.Prefix,
		Flags:      "0",
		PageSize:   opts.PageSize,
	}
	flags := 0
	if opts.NoRecursion {
		flags |= lsNoRecursion
	}
	if opts.archDir {
		flags |= lsArchDir
	}
	msg.Flags = strconv.Itoa(flags)
	if opts.Limit > 0 && (msg.PageSize <= 0 || msg.PageSize > opts.Limit) {
		msg.PageSize = opts.Limit
	}
	// Pages come one after another (each needs the token of the one before), so the next one
	// is asked for as soon as this one's token is known: AIS lists it while this one is decoded
	// and handed over. A bounded listing (Limit) asks for no page it may not need.
	ctx, cancel := context.WithCancel(ctx)
	var ahead chan fetched
	defer func() {
		cancel()
		if ahead != nil {
			<-ahead
		}
	}()
	got := 0
	first := msg
	if opts.FirstPage > 0 && (first.PageSize <= 0 || first.PageSize > opts.FirstPage) {
		first.PageSize = opts.FirstPage
	}
	page, err := c.listPage(ctx, bck, &first, contentMsgpack)
	for {
		if err != nil {
			return false, err
		}
		done := page.ContinuationToken == ""
		if !done && opts.Limit == 0 {
			next := msg
			next.ContinuationToken, next.UUID = page.ContinuationToken, page.UUID
			ahead = make(chan fetched, 1)
			go func() {
				p, err := c.listPage(ctx, bck, &next, contentMsgpack)
				ahead <- fetched{p, err}
			}()
		}
		entries, err := page.decode()
		if err != nil {
			return false, fmt.Errorf("aisclient: ListObjects: %w", err)
		}
		if opts.Limit > 0 && got+len(entries) >= opts.Limit {
			if got+len(entries) > opts.Limit {
				entries, done = entries[:opts.Limit-got], false
			}
			got += len(entries)
			if len(entries) > 0 {
				if err := fn(entries); err != nil {
					return false, err
				}
			}
			return !done, nil
		}
		got += len(entries)
		if len(entries) > 0 {
			if err := fn(entries); err != nil {
				return false, err
			}
		}
		if done {
			return false, nil
		}
		if ahead != nil {
			f := <-ahead
			ahead, page, err = nil, f.page, f.err
			continue
		}
		msg.ContinuationToken, msg.UUID = page.ContinuationToken, page.UUID
		if opts.Limit > 0 && msg.PageSize > opts.Limit-got {
			msg.PageSize = opts.Limit - got
		}
		page, err = c.listPage(ctx, bck, &msg, contentMsgpack)
	}
}

// listPage fetches one page: GET /v1/buckets/<b> with {"action":"list","value":{...}}, asking
// for the encoding accept (msgpack; tests compare it with JSON). Its entries are left to decode.
func (c *Client) listPage(ctx context.Context, bck Bck, msg *lsoMsg, accept string) (*lsoPage, error) {
	body, err := json.Marshal(actMsg{Action: "list", Value: msg})
	if err != nil {
		return nil, err
	}
	cl := &call{
		op: "ListObjects", method: http.MethodGet, path: bucketPath(bck), query: bck.query(),
		header: http.Header{"Accept": {accept}},
		body:   body, json: true, retry: true, meta: true, bucketOp: true,
	}
	var page lsoPage
	err = c.do(ctx, cl, func(resp *http.Response) error {
		page = lsoPage{}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), contentMsgpack) {
			raw, err := readBody(resp)
			if err != nil {
				return err
			}
			if err := decodeLsoMsgpack(raw, &page, false); err != nil {
				return fmt.Errorf("aisclient: decoding %s response: %w", resp.Request.URL.Path, err)
			}
			page.msgpack = raw
		} else if err := readJSON(resp, &page); err != nil {
			return err
		}
		if page.len() == 0 && page.ContinuationToken == "" && msg.ContinuationToken == "" {
			return c.confirmEmpty(ctx, cl, resp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// pageBufs are the buffers list pages are read into: AIS sends them chunked, and a buffer grown
// anew for each would allocate about three times the page.
var pageBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads a whole (bounded) body into one string; read failures are retryable.
func readBody(resp *http.Response) (string, error) {
	b := pageBufs.Get().(*bytes.Buffer)
	defer pageBufs.Put(b)
	b.Reset()
	if _, err := b.ReadFrom(io.LimitReader(resp.Body, maxJSONBody)); err != nil {
		return "", &readError{err}
	}
	return b.String(), nil
}

// confirmEmpty checks an empty listing against the cluster map: a proxy without active
// targets answers every listing with an empty page (200, entries null), which must not
// pass for an empty bucket. That is a transient ErrNoNodes, retried like the proxy's own.
// A map this client may not read (an HTTP error) leaves the listing as it is.
func (c *Client) confirmEmpty(ctx context.Context, cl *call, resp *http.Response) error {
	if c.routes.targetsSeenRecently() {
		return nil
	}
	urls, err := c.targetURLs(ctx)
	var herr *HTTPError
	switch {
	case errors.As(err, &herr) && !herr.transient():
		return nil
	case err != nil:
		return &readError{fmt.Errorf("aisclient: %s: empty listing, and the cluster map is unreadable: %w", cl.op, err)}
	case len(urls) == 0:
		return &HTTPError{Op: cl.op, Method: cl.method, Path: resp.Request.URL.Path, Status: http.StatusServiceUnavailable,
			TCode: tcodeNoNodes, Message: "empty listing from a cluster without active targets"}
	}
	c.routes.sawTargets()
	return nil
}

func convertEntries(in []*lsoEntry) []Entry {
	out := make([]Entry, 0, len(in))
	for _, e := range in {
		if e == nil {
			continue
		}
		e.size, _ = strconv.ParseInt(e.Size, 10, 64)
		out = append(out, e.entry())
	}
	return out
}

// entry is e as this package returns it.
func (e *lsoEntry) entry() Entry {
	ent := Entry{
		Name: e.Name, IsDir: e.Flags&entryIsDir != 0, Size: e.size, Version: e.Version,
		Checksum: e.Checksum, Present: e.Flags&entryPresent != 0, InArchive: e.Flags&entryInArch != 0, IsArchive: e.Flags&entryArchive != 0, Copies: e.Copies, Location: e.Location,
		CustomRaw: e.Custom,
	}
	if e.Atime != "" {
		if t, err := time.Parse(time.RFC3339Nano, e.Atime); err == nil {
			ent.Atime = t
		}
	}
	return ent
}
