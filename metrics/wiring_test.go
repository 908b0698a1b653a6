package metrics

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) { aiscluster.Main(m) }

// TestClientWiring: a client whose Observer is ObserveRequest, against the real cluster.
// It also checks that the op names this package singles out for object bytes are the
// ones the client reports.
func TestClientWiring(t *testing.T) {
	m := New()
	addr := serve(t, m)
	c, err := aisclient.New(aisclient.Config{Endpoint: aiscluster.Endpoint(t), Observer: m.ObserveRequest})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	ctx := t.Context()
	bck := aisclient.Bck{Name: fmt.Sprintf("metrics-%d", os.Getpid())}
	if err := c.CreateBucket(ctx, bck); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DestroyBucket(context.Background(), bck) })

	data := strings.Repeat("x", 1000)
	if _, err := c.PutObject(ctx, bck, "obj", strings.NewReader(data), int64(len(data)), aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err := c.Append(ctx, bck, "app", "", []byte("12345"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx, bck, "app", h, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetRange(ctx, bck, "obj", 0, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	rc, _, err := c.GetObject(ctx, bck, "app")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "12345" {
		t.Fatalf("GetObject read %q, %v", b, err)
	}
	if _, err := c.HeadObject(ctx, bck, "missing"); err == nil {
		t.Fatal("HeadObject(missing) succeeded")
	}

	checkLines(t, scrape(t, addr),
		`aisfs_requests_total{code="200",op="PutObject"} 1`,
		`aisfs_requests_total{code="200",op="Append"} 1`,
		`aisfs_requests_total{code="200",op="Flush"} 1`,
		`aisfs_requests_total{code="206",op="GetRange"} 1`,
		`aisfs_requests_total{code="200",op="GetObject"} 1`,
		`aisfs_requests_total{code="404",op="HeadObject"} 1`,
		`aisfs_request_failures_total{op="HeadObject"} 1`,
		`aisfs_request_sent_bytes_total{op="PutObject"} 1000`,
		`aisfs_request_received_bytes_total{op="GetRange"} 100`,
		`aisfs_request_received_bytes_total{op="GetObject"} 5`,
		`aisfs_object_read_bytes_total 105`,
		`aisfs_object_written_bytes_total 1005`,
	)
}
