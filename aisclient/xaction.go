package aisclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AIS runs prefetch and evict as jobs ("xactions"): the request starts one and answers with
// its ID, and the job's state is queried by ID. See api/multiobj.go and api/xaction.go of
// AIS v1.5.0.

// Job kinds, as AIS names them.
const (
	KindPrefetch = "prefetch-listrange"
	KindEvict    = "evict-listrange"
)

// Selection picks the objects of a multi-object job: either Names, or every object whose name
// starts with Prefix ("" with no Names is the whole bucket).
type Selection struct {
	Prefix string
	Names  []string
}

// listRange is AIS's apc.ListRange: a template without a "{a..b}" range is a prefix.
func (s Selection) listRange() (map[string]any, error) {
	if len(s.Names) > 0 {
		return map[string]any{"objnames": s.Names}, nil
	}
	if strings.ContainsAny(s.Prefix, "{}") {
		// AIS would read it as a range template; the caller lists the names instead.
		return nil, fmt.Errorf("aisclient: prefix %q holds a brace: %w", s.Prefix, ErrInvalidArgument)
	}
	return map[string]any{"template": s.Prefix}, nil
}

// Prefetch starts a job that brings the selected objects of a remote bucket into the cluster
// (POST /v1/buckets/NAME {"action":"prefetch-listrange"}) and returns its ID.
func (c *Client) Prefetch(ctx context.Context, bck Bck, sel Selection) (string, error) {
	return c.startJob(ctx, "Prefetch", http.MethodPost, KindPrefetch, bck, sel)
}

// Evict starts a job that drops the cluster's copies of the selected objects of a remote
// bucket, leaving the remote ones (DELETE /v1/buckets/NAME {"action":"evict-listrange"}),
// and returns its ID.
func (c *Client) Evict(ctx context.Context, bck Bck, sel Selection) (string, error) {
	return c.startJob(ctx, "Evict", http.MethodDelete, KindEvict, bck, sel)
}

func (c *Client) startJob(ctx context.Context, op, method, kind string, bck Bck, sel Selection) (string, error) {
	if err := bck.validate(); err != nil {
		return "", err
	}
	lr, err := sel.listRange()
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(map[string]any{"action": kind, "value": lr})
	cl := &call{
		op: op, method: method, path: bucketPath(bck), query: bck.query(),
		body: body, json: true, meta: true, bucketOp: true,
	}
	var id string
	err = c.do(ctx, cl, func(resp *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
		if err != nil {
			return err
		}
		id = strings.TrimSpace(string(b))
		return nil
	})
	if err == nil && id == "" {
		err = fmt.Errorf("aisclient: %s %s: AIS started no job", op, bck)
	}
	return id, err
}

// JobStatus is what AIS knows of a job: its state from the proxies' job registry (IC) and its
// counters summed over the targets.
type JobStatus struct {
	Finished bool   // ended on every target (or aborted)
	Aborted  bool   // stopped before the end, by an error or a user
	Err      string // the job's error, "" if none
	Objects  int64  // objects processed so far (fetched, evicted)
	Bytes    int64  // their bytes
}

// Job reports the state of job id of kind (GET /v1/cluster?what=status and ?what=qryxstats,
// each with a JSON {"id","kind"} body). A job the proxy does not know yet, just after it
// started, is not finished.
func (c *Client) Job(ctx context.Context, kind, id string) (JobStatus, error) {
	var st JobStatus
	q, _ := json.Marshal(map[string]string{"id": id, "kind": kind})
	var ic struct {
		Err     string `json:"err"`
		EndTime int64  `json:"end_time"`
		Aborted bool   `json:"aborted"`
	}
	cl := &call{
		op: "JobStatus", method: http.MethodGet, path: "/v1/cluster",
		query: url.Values{"what": {"status"}}, body: q, json: true, retry: true, meta: true,
	}
	err := c.do(ctx, cl, func(resp *http.Response) error { return readJSON(resp, &ic) })
	if err != nil && !isNotFound(err) {
		return st, err
	}
	st.Finished = err == nil && (ic.EndTime != 0 || ic.Aborted)
	st.Aborted, st.Err = ic.Aborted, ic.Err

	var snaps map[string][]struct {
		ID    string `json:"id"`
		Stats struct {
			Objs  int64 `json:"loc-objs,string"`
			Bytes int64 `json:"loc-bytes,string"`
		} `json:"stats"`
		AbortErr string    `json:"abort-err"`
		Err      string    `json:"err"`
		End      time.Time `json:"end-time"`
	}
	cl = &call{
		op: "JobSnaps", method: http.MethodGet, path: "/v1/cluster",
		query: url.Values{"what": {"qryxstats"}}, body: q, json: true, retry: true, meta: true,
	}
	if err := c.do(ctx, cl, func(resp *http.Response) error { return readJSON(resp, &snaps) }); err != nil && !isNotFound(err) {
		return st, err
	}
	for _, ts := range snaps {
		for _, s := range ts {
			if s.ID != id {
				continue
			}
			st.Objects += s.Stats.Objs
			st.Bytes += s.Stats.Bytes
			if st.Err == "" {
				st.Err = firstNonEmpty(s.AbortErr, s.Err)
			}
		}
	}
	return st, nil
}

func isNotFound(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Status == http.StatusNotFound
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
