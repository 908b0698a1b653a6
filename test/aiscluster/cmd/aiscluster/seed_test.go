package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) { aiscluster.Main(m) }

func TestEscapePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a/b/c.txt", "a/b/c.txt"},
		{"dir with space/x+y?.bin", "dir%20with%20space/x+y%3F.bin"},
		{"100%/#frag", "100%25/%23frag"},
	}
	for _, tt := range tests {
		if got := escapePath(tt.in); got != tt.want {
			t.Errorf("escapePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The demo tree lands in AIS as written, and seeding again is harmless.
func TestSeedFillsBucket(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	bucket := fmt.Sprintf("seed-%d", time.Now().UnixNano())
	t.Cleanup(func() { destroy(t, ep, bucket) })
	var out bytes.Buffer
	for range 2 {
		if err := seed(t.Context(), ep, bucket, &out); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), "created bucket") || !strings.Contains(out.String(), "exists") {
		t.Errorf("output does not tell created from existing:\n%s", &out)
	}
	tree := sampleTree()
	if len(tree) < 15 {
		t.Fatalf("sample tree has %d objects", len(tree))
	}
	for _, o := range tree {
		resp, err := http.Get(ep + "/v1/objects/" + bucket + "/" + escapePath(o.name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, o.data) {
			t.Errorf("GET %s: %s, %d bytes (err %v), want 200 and %d bytes", o.name, resp.Status, len(got), err, len(o.data))
		}
		for k, v := range o.md {
			if md := resp.Header.Values("Ais-Custom-Md"); !strings.Contains(strings.Join(md, ","), k+"="+v) {
				t.Errorf("%s: custom md %q lacks %s=%s", o.name, md, k, v)
			}
		}
	}
}

func destroy(t *testing.T, ep, bucket string) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodDelete, ep+"/v1/buckets/"+bucket,
		strings.NewReader(`{"action":"destroy-bck"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	code, msg, err := send(http.DefaultClient, req)
	if err != nil || code != http.StatusOK {
		t.Errorf("destroy %s: %d %s %v", bucket, code, msg, err)
	}
}
