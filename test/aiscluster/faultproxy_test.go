package aiscluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bucketSeq makes bucket names unique within a run; the time part keeps
// them apart across runs against one AIS_ENDPOINT.
var bucketSeq atomic.Int64

// newBucket creates an ais bucket through endpoint and destroys it at the end.
func newBucket(t *testing.T, c *http.Client, endpoint string) string {
	t.Helper()
	name := fmt.Sprintf("aiscluster-%d-%d", time.Now().UnixNano(), bucketSeq.Add(1))
	do := func(method, action string) {
		t.Helper()
		body := strings.NewReader(`{"action":"` + action + `"}`)
		req, err := http.NewRequestWithContext(context.Background(), method, endpoint+"/v1/buckets/"+name, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp := mustDo(t, c, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s bucket %s: %s", action, name, resp.Status)
		}
	}
	do(http.MethodPost, "create-bck")
	t.Cleanup(func() { do(http.MethodDelete, "destroy-bck") })
	return name
}

// mustDo sends req and returns the response with its body read and closed.
func mustDo(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func objectURL(base, bucket, obj string) string {
	return base + "/v1/objects/" + bucket + "/" + url.PathEscape(obj)
}

// put PUTs data (net/http follows the 307 since a bytes body has GetBody).
func put(t *testing.T, c *http.Client, u string, data []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, u, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return mustDo(t, c, req).StatusCode
}

// freshClient has its own connections, so no test sees another's
// keep-alive state (net/http retries on reused connections; see Reset).
func freshClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func newFaultProxy(t *testing.T) *FaultProxy {
	t.Helper()
	fp, err := NewFaultProxy(Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fp.Close)
	return fp
}

// Requests through the proxy reach AIS, and the target leg of a redirected
// request comes through the proxy too.
func TestFaultProxyForwards(t *testing.T) {
	fp := newFaultProxy(t)
	c := freshClient(t)
	bck := newBucket(t, c, fp.URL())
	data := []byte("hello through the fault proxy\n")
	u := objectURL(fp.URL(), bck, "dir/a b+c.txt")
	if code := put(t, c, u, data); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}
	resp := mustDo(t, c, mustRequest(t, http.MethodGet, u))
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET: %s %q, want 200 %q", resp.Status, got, data)
	}

	// List-objects is a GET with a JSON body: the body must get through.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fp.URL()+"/v1/buckets/"+bck,
		strings.NewReader(`{"action":"list","value":{"prefix":"dir/"}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp = mustDo(t, c, req)
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"dir/a b+c.txt"`)) {
		t.Fatalf("list objects: %s %s", resp.Status, b)
	}

	// A big PUT announced with Expect: 100-continue (as curl does above
	// 1 MiB): the proxy leg answers 307 without taking the body, the target
	// leg takes it all.
	big := bytes.Repeat([]byte("0123456789abcdef"), 3<<16) // 3 MiB
	ec := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	t.Cleanup(ec.CloseIdleConnections)
	req, err = http.NewRequestWithContext(t.Context(), http.MethodPut, objectURL(fp.URL(), bck, "big"), bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Expect", "100-continue")
	if resp := mustDo(t, ec, req); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT with Expect: %s", resp.Status)
	}
	resp = mustDo(t, c, mustRequest(t, http.MethodGet, objectURL(fp.URL(), bck, "big")))
	if got, _ := io.ReadAll(resp.Body); !bytes.Equal(got, big) {
		t.Fatalf("GET big: %d bytes, want %d", len(got), len(big))
	}

	for _, tt := range []struct {
		rule Rule
		want int
	}{
		{Rule{Method: http.MethodPut, PathContains: "/dir/a b+c.txt"}, 2},       // proxy leg + target leg
		{Rule{Method: http.MethodPut, PathContains: "/dir/", Query: "pid="}, 1}, // target leg only
		{Rule{Method: http.MethodGet, PathContains: "/v1/objects/" + bck + "/dir/"}, 2},
	} {
		if n := fp.Count(tt.rule); n != tt.want {
			t.Errorf("Count(%+v) = %d, want %d; seen %+v", tt.rule, n, tt.want, fp.Requests())
		}
	}
	var target string
	for _, r := range fp.Requests() {
		if strings.Contains(r.RawQuery, "pid=") {
			target = r.Upstream
		}
	}
	if target == "" || "http://"+target == Endpoint(t) {
		t.Errorf("redirected leg went to %q, want a target (not the proxy %s)", target, Endpoint(t))
	}

	// The cluster map sends clients that read it to the proxy's fronts too.
	var smap struct {
		Tmap map[string]struct {
			Public struct {
				URL string `json:"direct_url"`
			} `json:"public_net"`
		} `json:"tmap"`
	}
	resp = mustDo(t, c, mustRequest(t, http.MethodGet, fp.URL()+"/v1/daemon?what=smap"))
	if err := json.NewDecoder(resp.Body).Decode(&smap); err != nil {
		t.Fatal(err)
	}
	for id, n := range smap.Tmap {
		if n.Public.URL == "http://"+target {
			t.Errorf("cluster map still points target %s at %s", id, n.Public.URL)
		}
		resp := mustDo(t, c, mustRequest(t, http.MethodGet, n.Public.URL+"/v1/health"))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("health via rewritten map URL %s: %s", n.Public.URL, resp.Status)
		}
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestFaultProxyStatusOnSecondPut(t *testing.T) {
	fp := newFaultProxy(t)
	c := freshClient(t)
	bck := newBucket(t, c, fp.URL())
	f := fp.AddRule(Rule{Method: http.MethodPut, Query: "pid=", After: 1, Times: 1, Action: Status(503)})
	var codes []int
	for i := range 3 {
		codes = append(codes, put(t, c, objectURL(fp.URL(), bck, fmt.Sprint("obj", i)), []byte("x")))
	}
	if want := []int{200, 503, 200}; fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("PUT codes %v, want %v", codes, want)
	}
	if f.Matched() != 3 || f.Fired() != 1 {
		t.Errorf("rule matched %d fired %d, want 3 and 1", f.Matched(), f.Fired())
	}
}

func TestFaultProxyBreaksGets(t *testing.T) {
	tests := []struct {
		name  string
		rule  Rule
		check func(t *testing.T, resp *http.Response, err error)
	}{
		{
			name: "reset",
			rule: Rule{Method: http.MethodGet, Query: "pid=", Action: Reset()},
			check: func(t *testing.T, resp *http.Response, err error) {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("GET after reset: %s, want an error", resp.Status)
				}
			},
		},
		{
			name: "truncate",
			rule: Rule{Method: http.MethodGet, Query: "pid=", Times: 1, Action: Truncate(10)},
			check: func(t *testing.T, resp *http.Response, err error) {
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				if !errors.Is(err, io.ErrUnexpectedEOF) || len(b) != 10 {
					t.Fatalf("read %d bytes, err %v; want 10 and unexpected EOF", len(b), err)
				}
			},
		},
		{
			name: "status on the proxy leg",
			rule: Rule{Method: http.MethodGet, PathContains: "/v1/objects/", Times: 1, Action: Status(500)},
			check: func(t *testing.T, resp *http.Response, err error) {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 500 {
					t.Fatalf("GET: %s, want 500", resp.Status)
				}
			},
		},
	}
	fp := newFaultProxy(t)
	bck := newBucket(t, freshClient(t), fp.URL())
	u := objectURL(fp.URL(), bck, "big")
	if code := put(t, freshClient(t), u, bytes.Repeat([]byte("0123456789"), 10000)); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp.ClearRules()
			f := fp.AddRule(tt.rule)
			resp, err := freshClient(t).Do(mustRequest(t, http.MethodGet, u))
			tt.check(t, resp, err)
			if f.Fired() == 0 {
				t.Error("rule never fired")
			}
			// With the rule gone the object reads whole again.
			fp.ClearRules()
			resp = mustDo(t, freshClient(t), mustRequest(t, http.MethodGet, u))
			if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || len(b) != 100000 {
				t.Fatalf("GET without rules: %s, %d bytes", resp.Status, len(b))
			}
		})
	}
}

// A stalled request waits until the client gives up; it never reaches AIS.
func TestFaultProxyStall(t *testing.T) {
	fp := newFaultProxy(t)
	c := freshClient(t)
	bck := newBucket(t, c, fp.URL())
	u := objectURL(fp.URL(), bck, "o")
	if code := put(t, c, u, []byte("x")); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}
	f := fp.AddRule(Rule{Method: http.MethodHead, Action: Stall(time.Hour)})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, func() bool { return f.Fired() == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("stalled HEAD: %v, want context.Canceled", err)
	}
	if n := fp.Count(Rule{Method: http.MethodHead, Query: "pid="}); n != 0 {
		t.Errorf("stalled HEAD reached a target %d times", n)
	}
}

// waitFor polls cond until it holds or the test's deadline nears.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
