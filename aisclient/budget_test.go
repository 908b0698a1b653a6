package aisclient

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serveRange answers a Range GET of data like a target does: 206 with Content-Range.
// cut > 0 sends only that many bytes of the range and then breaks the connection.
func serveRange(w http.ResponseWriter, r *http.Request, data []byte, version string, cut int) {
	spec, _ := strings.CutPrefix(r.Header.Get("Range"), "bytes=")
	a, b, _ := strings.Cut(spec, "-")
	start, _ := strconv.Atoi(a)
	end, _ := strconv.Atoi(b)
	end = min(end, len(data)-1)
	w.Header().Set("Ais-Version", version)
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(data)))
	w.Header().Set("Content-Length", strconv.Itoa(end-start+1))
	w.WriteHeader(http.StatusPartialContent)
	body := data[start : end+1]
	if cut > 0 && cut < len(body) {
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection is closed mid-body
	}
	w.Write(body)
}

// TestRetryClassification: which failures of an idempotent read are retried. Each fake
// fails twice with the given answer, then serves the object.
func TestRetryClassification(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		tcode  string
		retry  bool
		want   error // when not retried
	}{
		{"503", http.StatusServiceUnavailable, "", true, nil},
		{"502", http.StatusBadGateway, "", true, nil},
		{"500", http.StatusInternalServerError, "", true, nil},
		{"429", http.StatusTooManyRequests, "", true, nil},
		{"400 ErrNoNodes (GET while targets rejoin)", http.StatusBadRequest, "ErrNoNodes", true, nil},
		{"500 ErrNoNodes (HEAD while targets rejoin)", http.StatusInternalServerError, "ErrNoNodes", true, nil},
		{"404", http.StatusNotFound, "ErrNotFound", false, ErrNotFound},
		{"400", http.StatusBadRequest, "", false, nil},
		{"403", http.StatusForbidden, "", false, ErrUnauthorized},
		{"501", http.StatusNotImplemented, "", false, nil},
		{"507", http.StatusInsufficientStorage, "", false, ErrNoSpace},
		{"500 ErrBadCksum", http.StatusInternalServerError, "ErrBadCksum", false, ErrBadChecksum},
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				var calls atomic.Int64
				f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
					if noSmap(w, r) {
						return
					}
					if calls.Add(1) <= 2 {
						aisErr(w, r, tc.status, tc.tcode, "failing")
						return
					}
					serveRange(w, r, []byte("data"), "1", 0)
				})
				c := fakeClient(t, f.URL)
				var err error
				if method == http.MethodGet {
					_, _, err = c.GetRange(t.Context(), Bck{Name: "b"}, "o", 0, make([]byte, 4))
				} else {
					_, err = c.HeadObject(t.Context(), Bck{Name: "b"}, "o")
				}
				if tc.retry {
					if err != nil || calls.Load() != 3 {
						t.Fatalf("%d calls, err %v; want 3 calls and success", calls.Load(), err)
					}
					return
				}
				if err == nil || calls.Load() != 1 {
					t.Fatalf("%d calls, err %v; want 1 call and an error", calls.Load(), err)
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Errorf("err %v, want %v", err, tc.want)
				}
			})
		}
	}
}

// TestBudgetEndsRetries: a cluster that stays unavailable fails the call once the
// budget is spent, with a BudgetError that matches ErrUnavailable (EIO in fs), for every
// way of being unavailable: an error status, a refused connection, no answer at all.
func TestBudgetEndsRetries(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	unavailable := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		aisErr(w, r, http.StatusBadRequest, "ErrNoNodes", "no storage targets in the cluster")
	})
	silent := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select { // never answers
		case <-r.Context().Done():
		case <-release:
		}
	})
	gone := newFake(t, func(http.ResponseWriter, *http.Request) {})
	gone.Close()
	for _, tc := range []struct {
		name, url string
	}{
		{"ErrNoNodes", unavailable.URL},
		{"refused", gone.URL},
		{"silent", silent.URL},
	} {
		c := fakeClient(t, tc.url, func(cfg *Config) { cfg.OpTimeout = 300 * time.Millisecond })
		for _, op := range []struct {
			name string
			run  func() error
		}{
			{"GetRange", func() error { return third(c.GetRange(t.Context(), Bck{Name: "b"}, "o", 0, make([]byte, 4))) }},
			{"HeadObject", func() error { return second(c.HeadObject(t.Context(), Bck{Name: "b"}, "o")) }},
			{"ListObjects", func() error { return third(c.ListObjects(t.Context(), Bck{Name: "b"}, ListOptions{})) }},
		} {
			err := op.run()
			var berr *BudgetError
			if !errors.As(err, &berr) || !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s %s: %v, want a BudgetError matching ErrUnavailable", tc.name, op.name, err)
				continue
			}
			if berr.Op != op.name || berr.Budget != 300*time.Millisecond || berr.Attempts < 1 {
				t.Errorf("%s %s: %+v", tc.name, op.name, berr)
			}
		}
	}
}

// TestRangeResumes: a body cut short (or stalled) is continued from the byte where it
// stopped, not read again from the start.
func TestRangeResumes(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<12) // 64 KiB
	for _, tc := range []struct {
		name  string
		stall bool
	}{{"reset", false}, {"stall", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu     sync.Mutex
				ranges []string
			)
			release := make(chan struct{})
			defer close(release)
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if noSmap(w, r) {
					return
				}
				mu.Lock()
				ranges = append(ranges, r.Header.Get("Range"))
				n := len(ranges)
				mu.Unlock()
				if n > 2 {
					serveRange(w, r, data, "1", 0)
					return
				}
				if !tc.stall {
					serveRange(w, r, data, "1", 1000)
					return
				}
				// Send 1000 bytes, then nothing until the client gives up on us.
				rw := &cutWriter{ResponseWriter: w, left: 1000}
				serveRange(rw, r, data, "1", 0)
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-release:
				}
			})
			c := fakeClient(t, f.URL, func(cfg *Config) { cfg.ResponseHeaderTimeout = 100 * time.Millisecond })
			p := make([]byte, 20000)
			n, a, err := c.GetRange(t.Context(), Bck{Name: "b"}, "o", 100, p)
			if err != nil || n != len(p) || !bytes.Equal(p, data[100:100+len(p)]) || a.Size != int64(len(data)) {
				t.Fatalf("GetRange = %d, %+v, %v (content equal: %v)", n, a, err, bytes.Equal(p, data[100:100+len(p)]))
			}
			want := []string{"bytes=100-20099", "bytes=1100-20099", "bytes=2100-20099"}
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(ranges) != fmt.Sprint(want) {
				t.Errorf("ranges asked %v, want %v", ranges, want)
			}
		})
	}
}

// cutWriter passes only the first left bytes of the body.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (w *cutWriter) Write(p []byte) (int, error) {
	k := min(len(p), w.left)
	w.left -= k
	w.ResponseWriter.Write(p[:k])
	return len(p), nil
}

// TestRangeResumeChangedObject: when the object changed between attempts, the bytes of
// the old version are dropped and the range read again from its start.
func TestRangeResumeChangedObject(t *testing.T) {
	v1 := bytes.Repeat([]byte("a"), 4096)
	v2 := bytes.Repeat([]byte("b"), 4096)
	var calls atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		if calls.Add(1) == 1 {
			serveRange(w, r, v1, "1", 100)
			return
		}
		serveRange(w, r, v2, "2", 0)
	})
	c := fakeClient(t, f.URL)
	p := make([]byte, 1000)
	n, a, err := c.GetRange(t.Context(), Bck{Name: "b"}, "o", 0, p)
	if err != nil || n != len(p) || a.Version != "2" || !bytes.Equal(p, v2[:len(p)]) {
		t.Fatalf("GetRange = %d, version %q, %v; mixed versions: %v", n, a.Version, err, !bytes.Equal(p, v2[:len(p)]))
	}
	if calls.Load() != 3 {
		t.Errorf("%d GETs, want 3 (cut, changed, whole range again)", calls.Load())
	}
}

// TestEmptyListingWithoutTargets: a proxy with no active target answers a listing with
// an empty page; that is retried until the map shows a target again, while a map the
// client cannot read leaves an empty listing empty.
func TestEmptyListingWithoutTargets(t *testing.T) {
	var smaps atomic.Int64
	noMap := atomic.Bool{}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/daemon" {
			if noMap.Load() {
				http.NotFound(w, r)
				return
			}
			n := smaps.Add(1)
			if n < 0 {
				n = 0
			}
			switch n {
			case 1, 0: // 0: down for good (below)
				fmt.Fprint(w, `{"tmap":{},"pmap":{}}`)
			case 2: // a target in maintenance serves nothing
				fmt.Fprint(w, `{"tmap":{"t1":{"public_net":{"direct_url":"http://127.0.0.1:1"},"flags":4}},"pmap":{}}`)
			default:
				fmt.Fprint(w, `{"tmap":{"t1":{"public_net":{"direct_url":"http://127.0.0.1:1"}}},"pmap":{}}`)
			}
			return
		}
		fmt.Fprint(w, `{"uuid":"u","continuation_token":"","entries":null,"flags":0}`)
	})
	c := fakeClient(t, f.URL)
	entries, _, err := c.ListObjects(t.Context(), Bck{Name: "b"}, ListOptions{})
	if err != nil || len(entries) != 0 {
		t.Fatalf("ListObjects = %v, %v", entries, err)
	}
	if got := f.count("GET", "/v1/buckets/"); got != 3 {
		t.Errorf("%d list requests, want 3 (two while no target was active)", got)
	}

	noMap.Store(true)
	c2 := fakeClient(t, f.URL)
	if _, _, err := c2.ListObjects(t.Context(), Bck{Name: "b"}, ListOptions{}); err != nil {
		t.Fatalf("ListObjects without a readable map: %v", err)
	}
	if got := f.count("GET", "/v1/buckets/"); got != 4 {
		t.Errorf("%d list requests, want 4 (no retry when the map cannot be read)", got-3)
	}

	// With the cluster down for good, the empty answer is no answer: the budget ends it.
	noMap.Store(false)
	smaps.Store(-1 << 40) // the map shows no target for the rest of the test
	c3 := fakeClient(t, f.URL, func(cfg *Config) { cfg.OpTimeout = 200 * time.Millisecond })
	if _, _, err := c3.ListObjects(t.Context(), Bck{Name: "b"}, ListOptions{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ListObjects of a cluster without targets: %v, want ErrUnavailable", err)
	}
}

// TestRouteRelearned: a read whose learned target refuses connections goes through the
// proxy and learns the target the proxy names now (a target restarted on a new port).
func TestRouteRelearned(t *testing.T) {
	data := []byte("0123456789")
	newTarget := newFake(t, func(w http.ResponseWriter, r *http.Request) { serveRange(w, r, data, "1", 0) })
	proxy := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		http.Redirect(w, r, newTarget.URL+r.URL.EscapedPath()+"?pid=p&"+r.URL.RawQuery, http.StatusMovedPermanently)
	})
	c := fakeClient(t, proxy.URL)
	key := Bck{Name: "b"}.key("o")
	c.routes.learn(key, mustURL(t, "http://127.0.0.1:1")) // the old target: nothing listens
	for range 2 {
		if n, _, err := c.GetRange(t.Context(), Bck{Name: "b"}, "o", 0, make([]byte, 4)); err != nil || n != 4 {
			t.Fatalf("GetRange = %d, %v", n, err)
		}
	}
	if got := proxy.count("GET", "/v1/objects/"); got != 1 {
		t.Errorf("proxied %d, want 1 (the second read goes to the relearned target)", got)
	}
	if c.routes.byObj[key] != newTarget.URL {
		t.Errorf("route %q, want %q", c.routes.byObj[key], newTarget.URL)
	}
	if c.routes.noSmap.Load() {
		t.Error("a refused connection turned the cluster map off")
	}
}
