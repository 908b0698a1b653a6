package aisclient

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// faultClient returns a client whose every request (proxy and target legs) passes a
// fault-injecting proxy in front of the real cluster.
func faultClient(t *testing.T) (*Client, *aiscluster.FaultProxy) {
	t.Helper()
	endpoint := aiscluster.Endpoint(t)
	fp, err := aiscluster.NewFaultProxy(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fp.Close() })
	return newClient(t, fp.URL()), fp
}

// TestFaultReadsRetried: 503s and truncated bodies from the target are read again.
func TestFaultReadsRetried(t *testing.T) {
	c, fp := faultClient(t)
	bck := newBucket(t, c)
	data := bytes.Repeat([]byte("0123456789"), 10_000)
	if _, err := c.PutObject(t.Context(), bck, "obj", bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		action aiscluster.Action
	}{
		{"503", aiscluster.Status(http.StatusServiceUnavailable)},
		{"truncated", aiscluster.Truncate(100)},
		{"reset", aiscluster.Reset()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fp.AddRule(aiscluster.Rule{Method: "GET", PathContains: "/v1/objects/" + bck.Name + "/obj", Times: 2, Action: tc.action})
			defer fp.ClearRules()
			p := make([]byte, 5000)
			n, a, err := c.GetRange(t.Context(), bck, "obj", 1000, p)
			if err != nil || n != len(p) || !bytes.Equal(p, data[1000:6000]) || a.Size != int64(len(data)) {
				t.Fatalf("GetRange = %d, %+v, %v", n, a, err)
			}
			if f.Fired() != 2 {
				t.Errorf("fault fired %d times, want 2", f.Fired())
			}
		})
	}
	// GetObject is retried until the body starts; a body cut later is continued from
	// where it stopped.
	f := fp.AddRule(aiscluster.Rule{Method: "GET", PathContains: "/obj", Times: 1, Action: aiscluster.Status(http.StatusBadGateway)})
	rc, _, err := c.GetObject(t.Context(), bck, "obj")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) || f.Fired() != 1 {
		t.Errorf("GetObject after a 502: %d bytes, %v, fired %d", len(got), err, f.Fired())
	}
	for _, action := range []aiscluster.Action{aiscluster.Truncate(10), aiscluster.Reset()} {
		fp.ClearRules()
		f = fp.AddRule(aiscluster.Rule{Method: "GET", PathContains: "/obj", Times: 1, Action: action})
		rc, _, err = c.GetObject(t.Context(), bck, "obj")
		if err != nil {
			t.Fatal(err)
		}
		got, err = io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) || f.Fired() != 1 {
			t.Errorf("GetObject of a stream cut once: %d bytes, %v, fired %d", len(got), err, f.Fired())
		}
	}
	fp.ClearRules()
}

// TestFaultWritesNotRetried: a failed upload leg is reported, never silently re-sent.
func TestFaultWritesNotRetried(t *testing.T) {
	c, fp := faultClient(t)
	bck := newBucket(t, c)
	// pid= marks the redirected leg, i.e. the one that carries the bytes to the target.
	f := fp.AddRule(aiscluster.Rule{Method: "PUT", Query: "pid=", Action: aiscluster.Status(http.StatusServiceUnavailable)})
	_, err := c.PutObject(t.Context(), bck, "w", strings.NewReader("data"), 4, PutOptions{})
	if !errors.Is(err, ErrUnavailable) || f.Matched() != 1 {
		t.Errorf("PutObject: %v after %d target PUTs, want ErrUnavailable after 1", err, f.Matched())
	}
	_, err = c.Append(t.Context(), bck, "w", "", []byte("data"))
	if !errors.Is(err, ErrUnavailable) || f.Matched() != 2 {
		t.Errorf("Append: %v after %d target PUTs, want ErrUnavailable after 2", err, f.Matched())
	}
	fp.ClearRules()

	// The empty probe to the proxy is retried: it changes nothing.
	f = fp.AddRule(aiscluster.Rule{Method: "PUT", PathContains: "/v1/objects/", Times: 2, Action: aiscluster.Status(http.StatusServiceUnavailable)})
	if _, err := c.PutObject(t.Context(), bck, "w", strings.NewReader("data"), 4, PutOptions{}); err != nil || f.Fired() != 2 {
		t.Errorf("PutObject after 2 proxy 503s: %v (fired %d)", err, f.Fired())
	}
}

// TestUploadBypassesProxy: the proxy sees only empty PUTs; the bytes go to the target.
func TestUploadBypassesProxy(t *testing.T) {
	c, fp := faultClient(t)
	bck := newBucket(t, c)
	proxyHost := strings.TrimPrefix(aiscluster.Endpoint(t), "http://")
	before := len(fp.Requests())
	data := bytes.Repeat([]byte("y"), 1<<20)
	if _, err := c.PutObject(t.Context(), bck, "big", bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	reqs := fp.Requests()[before:]
	var toProxy, toTarget int
	for _, r := range reqs {
		if r.Method != "PUT" {
			continue
		}
		if r.Upstream == proxyHost {
			toProxy++
			if strings.Contains(r.RawQuery, "pid=") {
				t.Errorf("redirected leg went to the proxy: %+v", r)
			}
		} else {
			toTarget++
		}
	}
	if toProxy != 1 || toTarget != 1 {
		t.Errorf("PUTs: %d to the proxy, %d to the target; want 1 and 1 (%+v)", toProxy, toTarget, reqs)
	}
}

// TestReadsGoDirect: with one target in the cluster map, reads skip the proxy entirely.
func TestReadsGoDirect(t *testing.T) {
	c, fp := faultClient(t)
	bck := newBucket(t, c)
	// Written by another client, so the reader learned nothing from the PUT's redirect.
	put(t, newClient(t, fp.URL()), bck, "r", "direct", PutOptions{})
	proxyHost := strings.TrimPrefix(aiscluster.Endpoint(t), "http://")
	before := len(fp.Requests())
	for range 3 {
		if _, err := c.HeadObject(t.Context(), bck, "r"); err != nil {
			t.Fatal(err)
		}
		p := make([]byte, 6)
		if _, _, err := c.GetRange(t.Context(), bck, "r", 0, p); err != nil || string(p) != "direct" {
			t.Fatalf("GetRange = %q, %v", p, err)
		}
	}
	for _, r := range fp.Requests()[before:] {
		if r.Upstream == proxyHost && strings.HasPrefix(r.Path, "/v1/objects/") {
			t.Errorf("read went through the proxy: %+v", r)
		}
		if strings.Contains(r.RawQuery, "pid=") {
			t.Errorf("read was redirected: %+v", r)
		}
	}
}
