package aisclient

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryIdempotentOnly: 503 everywhere; reads and metadata PATCHes are retried MaxRetries
// times, other writes never.
func TestRetryIdempotentOnly(t *testing.T) {
	// target fails every request; proxy redirects object requests to it.
	target := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		aisErr(w, r, http.StatusServiceUnavailable, "", "busy")
	})
	proxy := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1/objects/") {
			http.Redirect(w, r, target.URL+r.URL.Path+"?pid=p&"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return
		}
		aisErr(w, r, http.StatusServiceUnavailable, "", "busy")
	})
	c := fakeClient(t, proxy.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	bck := Bck{Name: "b"}
	ctx := t.Context()
	for _, tc := range []struct {
		name        string
		run         func() error
		method      string
		at          *fake // where the failing request lands
		prefix      string
		wantSent    int
		wantProxied int // requests of this method the proxy saw
	}{
		// Retries of reads go straight to the target the first redirect named.
		{"HeadObject", func() error { return second(c.HeadObject(ctx, bck, "o1")) }, "HEAD", target, "/v1/objects/", 3, 1},
		{"GetRange", func() error { return third(c.GetRange(ctx, bck, "o2", 0, make([]byte, 4))) }, "GET", target, "/v1/objects/", 3, 1},
		{"ListObjects", func() error { return third(c.ListObjects(ctx, bck, ListOptions{})) }, "GET", proxy, "/v1/buckets/", 3, 3},
		{"PutObject", func() error {
			return second(c.PutObject(ctx, bck, "o3", strings.NewReader("data"), 4, PutOptions{}))
		}, "PUT", target, "/v1/objects/", 1, 1},
		{"Append", func() error { return second(c.Append(ctx, bck, "o4", "", []byte("data"))) }, "PUT", target, "/v1/objects/", 1, 1},
		{"Flush", func() error { return c.Flush(ctx, bck, "o5", "h", "", "") }, "PUT", target, "/v1/objects/", 1, 1},
		{"DeleteObject", func() error { return c.DeleteObject(ctx, bck, "o6") }, "DELETE", target, "/v1/objects/", 1, 1},
		{"RenameObject", func() error { return c.RenameObject(ctx, bck, "o7", "o8") }, "POST", target, "/v1/objects/", 1, 1},
		{"PatchCustom", func() error { return c.PatchCustom(ctx, bck, "o9", map[string]string{"k": "v"}, false) }, "PATCH", target, "/v1/objects/", 3, 3},
		{"CreateBucket", func() error { return c.CreateBucket(ctx, Bck{Name: "nb"}) }, "POST", proxy, "/v1/buckets/", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, pBefore := tc.at.count(tc.method, tc.prefix), proxy.count(tc.method, tc.prefix)
			err := tc.run()
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if got := tc.at.count(tc.method, tc.prefix) - before; got != tc.wantSent {
				t.Errorf("%d attempts, want %d", got, tc.wantSent)
			}
			if got := proxy.count(tc.method, tc.prefix) - pBefore; tc.at == target && got != tc.wantProxied {
				t.Errorf("proxy saw %d requests, want %d", got, tc.wantProxied)
			}
		})
	}
}

// countingTransport counts object round trips, including ones that never reach a server.
type countingTransport struct {
	n  atomic.Int64
	rt http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/v1/objects/") {
		c.n.Add(1)
	}
	return c.rt.RoundTrip(r)
}

// TestRetryRefused: a connection that cannot be opened sent nothing, so even writes with
// a replayable body are tried again; a streamed PUT body is not.
func TestRetryRefused(t *testing.T) {
	f := newFake(t, func(http.ResponseWriter, *http.Request) {})
	addr := f.URL
	f.Close() // nothing listens there now
	ct := &countingTransport{rt: newTransport(nil)}
	c := fakeClient(t, addr, func(cfg *Config) { cfg.MaxRetries = 2; cfg.Transport = ct })
	for _, tc := range []struct {
		name string
		run  func() error
		want int64
	}{
		{"HeadObject", func() error { return second(c.HeadObject(t.Context(), Bck{Name: "b"}, "o")) }, 3},
		{"DeleteObject", func() error { return c.DeleteObject(t.Context(), Bck{Name: "b"}, "o") }, 3},
		// The PUT's first request is the empty probe to the proxy: repeatable.
		{"PutObject", func() error {
			return second(c.PutObject(t.Context(), Bck{Name: "b"}, "o", strings.NewReader("x"), 1, PutOptions{}))
		}, 3},
	} {
		ct.n.Store(0)
		err := tc.run()
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", tc.name, err)
		}
		if got := ct.n.Load(); got != tc.want {
			t.Errorf("%s: %d round trips, want %d", tc.name, got, tc.want)
		}
	}
}

// TestRetryTruncatedBody: a range body cut short is read again from where it stopped.
func TestRetryTruncatedBody(t *testing.T) {
	var calls atomic.Int64
	data := []byte("0123456789" + strings.Repeat("x", 90))
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		cut := 0
		if calls.Add(1) == 1 {
			cut = 5
		}
		serveRange(w, r, data, "7", cut)
	})
	c := fakeClient(t, f.URL)
	p := make([]byte, 10)
	n, a, err := c.GetRange(t.Context(), Bck{Name: "b"}, "o", 0, p)
	if err != nil || n != 10 || string(p) != "0123456789" || a.Size != 100 || a.Version != "7" {
		t.Fatalf("GetRange = %d %q %+v %v", n, p, a, err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d GETs, want 2", calls.Load())
	}
}

// TestContextCancel: a cancelled request returns context.Canceled and is not retried.
func TestContextCancel(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := fakeClient(t, f.URL)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, _, err := c.GetRange(ctx, Bck{Name: "b"}, "o", 0, make([]byte, 1))
		done <- err
	}()
	for f.count("GET", "/v1/objects/") == 0 {
		time.Sleep(time.Millisecond) // poll until the request is in flight
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := f.count("GET", "/v1/objects/"); n != 1 {
		t.Errorf("%d GETs after cancel, want 1", n)
	}
}

// TestResponseHeaderTimeout: a server that never answers a data request times out.
func TestResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := fakeClient(t, f.URL, func(cfg *Config) {
		cfg.ResponseHeaderTimeout = 20 * time.Millisecond
		cfg.MaxRetries = 1
	})
	_, _, err := c.GetRange(t.Context(), Bck{Name: "b"}, "o", 0, make([]byte, 1))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a DeadlineExceeded", err)
	}
	if n := f.count("GET", "/v1/objects/"); n != 2 {
		t.Errorf("%d GETs, want 2 (a timeout is retried)", n)
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{backoff: 100 * time.Millisecond}
	for i, ceil := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
		ceil *= time.Millisecond
		for range 50 {
			if d := c.backoffFor(i); d < ceil/2 || d > ceil {
				t.Fatalf("backoff %d = %v, want in [%v, %v]", i, d, ceil/2, ceil)
			}
		}
	}
	if d := c.backoffFor(62); d < maxBackoff/2 || d > maxBackoff {
		t.Errorf("huge shift: %v", d)
	}
}

// TestRedirectReplay: method, body and token reach the target; an upload's bytes never
// reach the proxy.
func TestRedirectReplay(t *testing.T) {
	target := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pid") == "" {
			aisErr(w, r, http.StatusBadRequest, "", "expected to be redirected")
			return
		}
		w.Header().Set("Ais-Append-Handle", "next-handle")
		w.Header().Set("Ais-Version", "1")
	})
	proxy := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		code := http.StatusTemporaryRedirect
		if r.Method == http.MethodGet {
			code = http.StatusMovedPermanently
		}
		http.Redirect(w, r, target.URL+r.URL.EscapedPath()+"?pid=p&utm=1&"+r.URL.RawQuery, code)
	})
	c := fakeClient(t, proxy.URL, func(cfg *Config) { cfg.Token = "tok" })
	bck := Bck{Name: "b"}
	ctx := t.Context()
	big := bytes.Repeat([]byte("z"), 1<<20)

	if _, err := c.PutObject(ctx, bck, "a b/c?d", bytes.NewReader(big), int64(len(big)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err := c.Append(ctx, bck, "ap", "", []byte("appended"))
	if err != nil || h != "next-handle" {
		t.Fatalf("Append = %q, %v", h, err)
	}
	if err := c.RenameObject(ctx, bck, "x", "y"); err != nil {
		t.Fatal(err)
	}
	if err := c.PatchCustom(ctx, bck, "x", map[string]string{"k": "v"}, true); err != nil {
		t.Fatal(err)
	}
	// The fake target answers an empty 200: a short read, not a failure.
	if n, _, err := c.GetRange(ctx, bck, "g", 0, make([]byte, 1)); n != 0 || err != nil {
		t.Errorf("GetRange = %d, %v", n, err)
	}

	for _, r := range proxy.requests() {
		if r.Path == "/v1/daemon" {
			continue
		}
		if r.Method == http.MethodPut && (r.ContentLength != 0 || r.Body != "") {
			t.Errorf("proxy received %d bytes of a %s body", len(r.Body), r.Path)
		}
		if r.Auth != "Bearer tok" {
			t.Errorf("proxy: %s %s without the token", r.Method, r.Path)
		}
	}
	want := map[string]seen{
		"PUT /v1/objects/b/a b/c?d": {Body: string(big)},
		"PUT /v1/objects/b/ap":      {Body: "appended"},
		"POST /v1/objects/b/x":      {Body: `{"action":"rename-obj","name":"y"}`},
		"PATCH /v1/objects/b/x":     {Body: `{"value":{"k":"v"}}`},
		"GET /v1/objects/b/g":       {},
	}
	got := map[string]seen{}
	for _, r := range target.requests() {
		if r.Auth != "Bearer tok" {
			t.Errorf("target: %s %s without the token", r.Method, r.Path)
		}
		got[r.Method+" "+r.Path] = r
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("target never saw %s (saw %v)", k, target.requests())
			continue
		}
		if g.Body != w.Body {
			t.Errorf("%s: body %.40q, want %.40q", k, g.Body, w.Body)
		}
	}
	if q := got["PATCH /v1/objects/b/x"].RawQuery; !strings.Contains(q, "set-new-custom=true") {
		t.Errorf("PATCH query %q lacks set-new-custom", q)
	}
}
