package aiscluster

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"
)

// A rule with a Chance fires on about that fraction of the requests it sees.
func TestFaultProxyChance(t *testing.T) {
	fp := newFaultProxy(t)
	fp.Seed(7)
	c := freshClient(t)
	f := fp.AddRule(Rule{Method: http.MethodGet, PathContains: "/v1/health", Chance: 0.25, Action: Status(503)})
	const n = 400
	failed := 0
	for range n {
		resp := mustDo(t, c, mustRequest(t, http.MethodGet, fp.URL()+"/v1/health"))
		if resp.StatusCode == http.StatusServiceUnavailable {
			failed++
		}
	}
	if f.Matched() != n || f.Fired() != failed {
		t.Errorf("matched %d fired %d, with %d failed of %d", f.Matched(), f.Fired(), failed, n)
	}
	// 400 draws at p = 0.25: mean 100, sd ~8.7; outside [50, 150] is a broken generator.
	if failed < 50 || failed > 150 {
		t.Errorf("%d of %d requests failed at Chance 0.25", failed, n)
	}
}

// ResetMidBody cuts a response body with ECONNRESET, and a request body before it is forwarded.
func TestFaultProxyResetMidBody(t *testing.T) {
	fp := newFaultProxy(t)
	bck := newBucket(t, freshClient(t), fp.URL())
	u := objectURL(fp.URL(), bck, "big")
	data := bytes.Repeat([]byte("0123456789"), 1<<20) // 10 MiB: more than socket buffers hold
	if code := put(t, freshClient(t), u, data); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}

	f := fp.AddRule(Rule{Method: http.MethodGet, Query: "pid=", Times: 1, Action: ResetMidBody(1000)})
	resp, err := freshClient(t).Do(mustRequest(t, http.MethodGet, u))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, syscall.ECONNRESET) || len(b) > 1000 {
		t.Fatalf("GET body: %d bytes, err %v; want at most 1000 and ECONNRESET", len(b), err)
	}
	if f.Fired() != 1 {
		t.Fatalf("rule fired %d times", f.Fired())
	}

	fp.ClearRules()
	fp.AddRule(Rule{Method: http.MethodPut, Query: "pid=", Times: 1, Action: ResetMidBody(1 << 20)})
	other := objectURL(fp.URL(), bck, "cut")
	req, err := http.NewRequest(http.MethodPut, other, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := freshClient(t).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("PUT with its body cut: %s, want an error", resp.Status)
	}
	resp = mustDo(t, freshClient(t), mustRequest(t, http.MethodGet, other))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of the object whose PUT was cut: %s, want 404 (never forwarded)", resp.Status)
	}
}
