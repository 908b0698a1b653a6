package aisclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Narrow unit tests of client mechanics (retries, redirects, error parsing) use httptest
// servers; AIS behaviour itself is tested against the real cluster.

// seen is a request as a fake server received it.
type seen struct {
	Method, Path, RawQuery, Auth string
	Body                         string
	ContentLength                int64
}

// fake is an httptest server that records requests and answers with handle.
type fake struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, handle http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), string(body), r.ContentLength})
		f.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// count returns how many requests had this method and a path starting with prefix.
func (f *fake) count(method, prefix string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// fakeClient makes a client of a fake endpoint with fast retries.
func fakeClient(t *testing.T, endpoint string, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Endpoint: endpoint, RetryBackoff: time.Microsecond, Logger: testLogger(t)}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// aisErr writes an AIS-style error: JSON body, or the Hdr-Error header for HEAD.
func aisErr(w http.ResponseWriter, r *http.Request, status int, tcode, msg string) {
	js := `{"tcode":"` + tcode + `","message":"` + msg + `","method":"` + r.Method +
		`","url_path":"` + r.URL.Path + `","node":"t[fake]","status":` + strconv.Itoa(status) + `}`
	if r.Method == http.MethodHead {
		w.Header().Set("Hdr-Error", js)
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, js)
}

// noSmap answers the cluster-map request like an old or foreign proxy: not found.
func noSmap(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path == "/v1/daemon" {
		http.NotFound(w, r)
		return true
	}
	return false
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
