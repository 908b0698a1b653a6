package aisclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ListBuckets lists the buckets of one provider ("" = all) that the cluster knows.
// A provider the cluster has no backend for fails with ErrBucketNotFound (AIS: 400
// ErrMissingBackend).
func (c *Client) ListBuckets(ctx context.Context, provider string) ([]Bck, error) {
	q := url.Values{}
	if provider != "" {
		q.Set("provider", provider)
	}
	return c.listBuckets(ctx, q)
}

func (c *Client) listBuckets(ctx context.Context, q url.Values) ([]Bck, error) {
	body, _ := json.Marshal(actMsg{Action: "list"})
	cl := &call{
		op: "ListBuckets", method: http.MethodGet, path: "/v1/buckets", query: q,
		body: body, json: true, retry: true, meta: true, bucketOp: true,
	}
	var raw []struct {
		Name      string `json:"name"`
		Provider  string `json:"provider"`
		Namespace struct {
			UUID string `json:"uuid"`
			Name string `json:"name"`
		} `json:"namespace"`
	}
	if err := c.do(ctx, cl, func(resp *http.Response) error { return readJSON(resp, &raw) }); err != nil {
		return nil, err
	}
	out := make([]Bck, 0, len(raw)) // AIS sends null for none
	for _, b := range raw {
		ns := nsString(b.Namespace.UUID, b.Namespace.Name)
		out = append(out, Bck{Name: b.Name, Provider: b.Provider, Namespace: ns})
	}
	return out, nil
}

// BucketProps are the bucket properties aisfs uses; Raw holds all of them.
type BucketProps struct {
	Provider      string
	CksumType     string // e.g. "xxhash2"; the type of every object's checksum
	Versioning    bool
	MirrorEnabled bool
	MirrorCopies  int
	ECEnabled     bool
	Created       time.Time
	Raw           map[string]any // the whole props JSON (numbers as json.Number)
}

// HeadBucket returns a bucket's properties; ErrBucketNotFound if it does not exist.
func (c *Client) HeadBucket(ctx context.Context, bck Bck) (*BucketProps, error) {
	if err := bck.validate(); err != nil {
		return nil, err
	}
	cl := &call{
		op: "HeadBucket", method: http.MethodHead, path: bucketPath(bck), query: bck.query(),
		retry: true, meta: true, bucketOp: true,
	}
	var props *BucketProps
	err := c.do(ctx, cl, func(resp *http.Response) error {
		var err error
		props, err = parseBucketProps([]byte(resp.Header.Get(hdrBucketProps)))
		return err
	})
	return props, err
}

func parseBucketProps(raw []byte) (*BucketProps, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("aisclient: HeadBucket: no %s header", hdrBucketProps)
	}
	var p struct {
		Provider string `json:"provider"`
		Checksum struct {
			Type string `json:"type"`
		} `json:"checksum"`
		Versioning struct {
			Enabled bool `json:"enabled"`
		} `json:"versioning"`
		Mirror struct {
			Enabled bool `json:"enabled"`
			Copies  int  `json:"copies"`
		} `json:"mirror"`
		EC struct {
			Enabled bool `json:"enabled"`
		} `json:"ec"`
		Created string `json:"created"` // unix nanoseconds, as a string
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("aisclient: bucket props: %w", err)
	}
	out := &BucketProps{
		Provider: p.Provider, CksumType: p.Checksum.Type, Versioning: p.Versioning.Enabled,
		MirrorEnabled: p.Mirror.Enabled, MirrorCopies: p.Mirror.Copies, ECEnabled: p.EC.Enabled,
	}
	if ns, err := strconv.ParseInt(p.Created, 10, 64); err == nil && ns > 0 {
		out.Created = time.Unix(0, ns)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out.Raw); err != nil {
		return nil, fmt.Errorf("aisclient: bucket props: %w", err)
	}
	return out, nil
}

// CreateBucket creates an ais bucket; ErrExists if it already exists, ErrInvalidName for
// a name AIS does not allow (letters, digits, '-', '_', '.'; at most 64 bytes).
func (c *Client) CreateBucket(ctx context.Context, bck Bck) error {
	return c.bucketAction(ctx, "CreateBucket", http.MethodPost, bck, "create-bck")
}

// DestroyBucket deletes a bucket and every object in it.
func (c *Client) DestroyBucket(ctx context.Context, bck Bck) error {
	return c.bucketAction(ctx, "DestroyBucket", http.MethodDelete, bck, "destroy-bck")
}

func (c *Client) bucketAction(ctx context.Context, op, method string, bck Bck, action string) error {
	if err := bck.validate(); err != nil {
		return err
	}
	body, _ := json.Marshal(actMsg{Action: action})
	cl := &call{
		op: op, method: method, path: bucketPath(bck), query: bck.query(),
		body: body, json: true, meta: true, bucketOp: true,
	}
	return c.do(ctx, cl, nil)
}

// nsString is AIS's namespace string (cmn.Ns.Uname without the provider): "" for the global
// namespace, "#NAME" for a local one, "@UUID" for a remote cluster's global one and
// "@UUID#NAME" for a remote cluster's namespace.
func nsString(uuid, name string) string {
	switch {
	case uuid == "" && name == "":
		return ""
	case uuid == "":
		return "#" + name
	case name == "":
		return "@" + uuid
	}
	return "@" + uuid + "#" + name
}
