package aisclient

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// observed is one Observer call.
type observed struct {
	op, method     string
	status         int
	sent, received int64
	err            error
}

// recorder is an Observer that keeps what it saw.
type recorder struct {
	mu  sync.Mutex
	all []observed
}

func (r *recorder) observe(op, method string, status int, dur time.Duration, sent, received int64, err error) {
	if dur < 0 {
		err = errors.New("negative duration")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, observed{op, method, status, sent, received, err})
}

// take returns and forgets what was seen so far.
func (r *recorder) take() []observed {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.all
	r.all = nil
	return out
}

// TestObserver: one observation per logical call, after redirects and retries, with the
// last status, the body bytes each way and the caller's error.
func TestObserver(t *testing.T) {
	target := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/objects/b/range":
			w.Header().Set("Content-Range", "bytes 0-3/10")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, "abcd")
		case r.URL.Path == "/v1/objects/b/stream":
			io.WriteString(w, "hello world")
		case r.URL.Path == "/v1/objects/b/missing":
			aisErr(w, r, http.StatusNotFound, "ErrNotFound", "no such object")
		case r.URL.Query().Get("append_type") == "append":
			w.Header().Set("Ais-Append-Handle", "h1")
		case r.Method == http.MethodPut:
			// PutObject: the fake server read the body already
		default:
			http.NotFound(w, r)
		}
	})
	proxy := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1/objects/") {
			http.Redirect(w, r, target.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return
		}
		aisErr(w, r, http.StatusServiceUnavailable, "", "busy")
	})
	rec := &recorder{}
	c := fakeClient(t, proxy.URL, func(cfg *Config) { cfg.Observer = rec.observe; cfg.MaxRetries = 2 })
	bck := Bck{Name: "b"}
	ctx := t.Context()

	for _, tc := range []struct {
		name    string
		run     func() error
		want    []observed // err compared with errors.Is; nil means success
		minRecv []int64    // received at least (error bodies); 0 = exactly want's
	}{
		{"GetRange", func() error { return third(c.GetRange(ctx, bck, "range", 0, make([]byte, 4))) },
			[]observed{{"ClusterMap", "GET", 404, 0, 0, ErrNotFound}, {"GetRange", "GET", 206, 0, 4, nil}}, []int64{1, 0}},
		{"PutObject", func() error {
			return second(c.PutObject(ctx, bck, "put", strings.NewReader("12345"), 5, PutOptions{}))
		}, []observed{{"PutObjectProbe", "PUT", 307, 0, 0, nil}, {"PutObject", "PUT", 200, 5, 0, nil}}, nil},
		{"Append", func() error { return second(c.Append(ctx, bck, "app", "", []byte("xyz"))) },
			[]observed{{"AppendProbe", "PUT", 307, 0, 0, nil}, {"Append", "PUT", 200, 3, 0, nil}}, nil},
		{"HeadObject 404", func() error { return second(c.HeadObject(ctx, bck, "missing")) },
			[]observed{{"HeadObject", "HEAD", 404, 0, 0, ErrNotFound}}, nil},
		{"ListBuckets 503 retried", func() error { return second(c.ListBuckets(ctx, "")) },
			[]observed{{"ListBuckets", "GET", 503, 2, 0, ErrUnavailable}}, []int64{3}},
		{"refused before sending", func() error { return second(c.HeadObject(ctx, bck, "")) }, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.take()
			err := tc.run()
			got := rec.take()
			if len(got) != len(tc.want) {
				t.Fatalf("observed %+v, want %+v (call err %v)", got, tc.want, err)
			}
			for i, w := range tc.want {
				g := got[i]
				if i == len(tc.want)-1 && !errors.Is(err, g.err) && g.err != err {
					t.Errorf("observed err %v, caller got %v", g.err, err)
				}
				if w.op == "ListBuckets" {
					w.sent = g.sent // a JSON action body, sent on each of the 3 attempts
					if g.sent == 0 || g.sent%3 != 0 {
						t.Errorf("sent %d, want 3 equal bodies", g.sent)
					}
				}
				if i < len(tc.minRecv) && tc.minRecv[i] > 0 {
					if g.received < tc.minRecv[i] {
						t.Errorf("%s: received %d, want >= %d", g.op, g.received, tc.minRecv[i])
					}
					w.received = g.received
				}
				if g.op != w.op || g.method != w.method || g.status != w.status || g.sent != w.sent || g.received != w.received ||
					(w.err == nil) != (g.err == nil) || w.err != nil && !errors.Is(g.err, w.err) {
					t.Errorf("observation %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// TestObserverStream: a streamed GetObject is observed when the caller closes the body,
// with every byte it read.
func TestObserverStream(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		io.WriteString(w, "hello world")
	})
	rec := &recorder{}
	c := fakeClient(t, srv.URL, func(cfg *Config) { cfg.Observer = rec.observe })
	rc, _, err := c.GetObject(t.Context(), Bck{Name: "b"}, "stream")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rec.take() {
		if o.op == "GetObject" {
			t.Fatalf("observed before the body was closed: %+v", o)
		}
	}
	b, err := io.ReadAll(rc)
	if err != nil || string(b) != "hello world" {
		t.Fatalf("read %q, %v", b, err)
	}
	rc.Close()
	rc.Close()
	got := rec.take()
	want := observed{"GetObject", "GET", 200, 0, 11, nil}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("observed %+v, want [%+v]", got, want)
	}
}

// TestObserverNoResponse: a connection that cannot be opened is status 0 and the caller's error.
func TestObserverNoResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rec := &recorder{}
	c := fakeClient(t, "http://"+addr, func(cfg *Config) { cfg.Observer = rec.observe; cfg.MaxRetries = -1 })
	err = c.DeleteObject(t.Context(), Bck{Name: "b"}, "o")
	got := rec.take()
	if err == nil || len(got) != 1 {
		t.Fatalf("err %v, observed %+v", err, got)
	}
	if o := got[0]; o.op != "DeleteObject" || o.method != "DELETE" || o.status != 0 || o.err != err {
		t.Fatalf("observed %+v, want DeleteObject DELETE 0 %v", o, err)
	}
}
