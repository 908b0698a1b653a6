package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Client talks to the daemon of one mount.
type Client struct {
	m    Mount
	http *http.Client
}

// ErrNoDaemon is wrapped when nothing answers on a mount's control socket.
var ErrNoDaemon = errors.New("no aisfs daemon answers for the mount")

// NewClient returns a client of m's daemon.
func NewClient(m Mount) *Client {
	return &Client{m: m, http: &http.Client{Transport: &http.Transport{DialContext: dialer(m.Key()), DisableKeepAlives: true}}}
}

// Info asks the daemon about its mount; with probe, the daemon also checks that AIS answers
// (Info.AISError).
func (c *Client) Info(ctx context.Context, probe bool) (Info, error) {
	var v Info
	path := "/v1/info"
	if probe {
		path += "?probe=1"
	}
	return v, c.do(ctx, http.MethodGet, path, nil, &v)
}

// Metrics returns the daemon's metrics in the Prometheus text format.
func (c *Client) Metrics(ctx context.Context) ([]byte, error) {
	var b []byte
	return b, c.do(ctx, http.MethodGet, "/v1/metrics", nil, &b)
}

// Start starts a prefetch or evict.
func (c *Client) Start(ctx context.Context, req JobRequest) (JobRef, error) {
	var v JobRef
	return v, c.do(ctx, http.MethodPost, "/v1/jobs", req, &v)
}

// Job reports a started job.
func (c *Client) Job(ctx context.Context, ref JobRef) (JobStatus, error) {
	var v JobStatus
	q := url.Values{"kind": {ref.Kind}, "id": {ref.ID}}
	return v, c.do(ctx, http.MethodGet, "/v1/jobs?"+q.Encode(), nil, &v)
}

// Umount has the daemon finish its uploads and unmount; it returns once the mount is gone.
func (c *Client) Umount(ctx context.Context) (UmountResult, error) {
	var v UmountResult
	return v, c.do(ctx, http.MethodPost, "/v1/umount", struct{}{}, &v)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://aisfs"+path, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ctx.Err() == nil {
			err = ue.Err
		}
		return fmt.Errorf("%w at %s (%v)", ErrNoDaemon, c.m.Point, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading the answer of the daemon at %s: %w", c.m.Point, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return &DaemonError{Status: resp.StatusCode, Msg: e.Error}
	}
	if b, ok := out.(*[]byte); ok {
		*b = raw
		return nil
	}
	return json.Unmarshal(raw, out)
}

// DaemonError is a refusal or failure reported by the daemon.
type DaemonError struct {
	Status int
	Msg    string
}

func (e *DaemonError) Error() string { return e.Msg }

// pollEvery is how often Wait asks about a job.
const pollEvery = 250 * time.Millisecond

// Wait polls ref until it finishes, calling progress (if not nil) with each status; it
// returns the last status, an error if the job failed or ctx ended.
func (c *Client) Wait(ctx context.Context, ref JobRef, progress func(JobStatus)) (JobStatus, error) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		st, err := c.Job(ctx, ref)
		if err != nil {
			return st, err
		}
		if progress != nil {
			progress(st)
		}
		if st.Finished {
			if st.Aborted || st.Err != "" {
				msg := st.Err
				if msg == "" {
					msg = "aborted"
				}
				return st, fmt.Errorf("%s job %s on %s failed: %s", ref.Kind, ref.ID, ref.Bucket, oneLine(msg))
			}
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-t.C:
		}
	}
}
