package metrics

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestListenAddr(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "9101", want: "127.0.0.1:9101"},
		{in: "0", want: "127.0.0.1:0"},
		{in: "127.0.0.1:9101", want: "127.0.0.1:9101"},
		{in: "localhost:9101", want: "localhost:9101"},
		{in: ":9101", want: ":9101"},
		{in: "0.0.0.0:9101", want: "0.0.0.0:9101"},
		{in: "[::1]:9101", want: "[::1]:9101"},
		{in: "", bad: true},
		{in: "70000", bad: true},
		{in: "host", bad: true},
		{in: "host:port", bad: true},
		{in: "-1", bad: true},
	} {
		got, err := ListenAddr(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

// TestServeStops: the server answers until its context ends, then stops listening.
func TestServeStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addr, err := Serve(ctx, "127.0.0.1:0", New().Handler(), nil)
	if err != nil {
		t.Fatal(err)
	}
	scrape(t, addr)
	resp, err := http.Get("http://" + addr + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /other: %s, want 404", resp.Status)
	}
	if _, err := Serve(t.Context(), addr, New().Handler(), nil); err == nil {
		t.Error("a second Serve on a bound address succeeded")
	}

	cancel()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := hc.Get("http://" + addr + "/metrics")
		if err != nil {
			return // closed
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("still serving after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
