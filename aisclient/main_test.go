package aisclient

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) { aiscluster.Main(m) }

// testLogger shows the client's logs under -v only.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newClient returns a client of the shared real cluster (or of endpoint, when given).
func newClient(t testing.TB, endpoint ...string) *Client {
	t.Helper()
	cfg := Config{RetryBackoff: time.Millisecond, Logger: testLogger(t)}
	if len(endpoint) > 0 {
		cfg.Endpoint = endpoint[0]
	} else {
		cfg.Endpoint = aiscluster.Endpoint(t)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

var bucketSeq atomic.Int64

// newBucket creates a fresh ais bucket for one test and destroys it afterwards.
func newBucket(t testing.TB, c *Client) Bck {
	t.Helper()
	bck := Bck{Name: fmt.Sprintf("aisclient-%d-%d", os.Getpid(), bucketSeq.Add(1))}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatalf("CreateBucket(%s): %v", bck, err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		if err := c.DestroyBucket(context.Background(), bck); err != nil {
			t.Errorf("DestroyBucket(%s): %v", bck, err)
		}
	})
	return bck
}
