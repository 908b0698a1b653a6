package aisclient

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestConnectionReuse: probes, redirects, errors and drained bodies all leave their
// connections reusable, so a run of requests opens only a few.
func TestConnectionReuse(t *testing.T) {
	var dials atomic.Int64
	tr := newTransport(nil)
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	c, err := New(Config{Endpoint: aiscluster.Endpoint(t), Transport: tr, Token: "ignored-by-a-cluster-without-authn"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	bck := newBucket(t, c)
	for i := range 20 {
		name := fmt.Sprintf("o%d", i)
		put(t, c, bck, name, strings.Repeat("x", 100_000), PutOptions{})
		if _, err := c.HeadObject(t.Context(), bck, name); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.GetRange(t.Context(), bck, name, 10, make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.HeadObject(t.Context(), bck, name+"-missing"); err == nil { // 404s, via the proxy too
			t.Fatal("missing object found")
		}
		rc, _, err := c.GetObject(t.Context(), bck, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	t.Logf("%d connections", dials.Load())
	// One to the proxy, one to the target, and a spare or two for parallel cleanups.
	if n := dials.Load(); n > 4 {
		t.Errorf("%d connections for 120 requests, want <= 4", n)
	}
}
