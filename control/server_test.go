package control

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

var testSeq int

// serve starts a control server under a name of this test's own and a client of it.
func serve(t *testing.T, cfg Config) *Client {
	t.Helper()
	testSeq++
	cfg.Mount = Mount{Point: "/test", ID: fmt.Sprintf("test%d", os.Getpid()), Dev: fmt.Sprint(testSeq)}
	s, err := Serve(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return NewClient(cfg.Mount)
}

// deadStore is a real AIS client of an endpoint where nothing listens.
func deadStore(t *testing.T) *aisclient.Client {
	c, err := aisclient.New(aisclient.Config{Endpoint: "http://127.0.0.1:1", MaxRetries: -1, RequestTimeout: 2 * time.Second, OpTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLocate: which bucket and object (or prefix) a mount-relative path names; Check asks the
// daemon without starting anything.
func TestLocate(t *testing.T) {
	remote := aisclient.Bck{Name: "b", Provider: aisclient.ProviderAIS, Namespace: "@uuid1"}
	bucketMount := serve(t, Config{Info: Info{Endpoint: "http://h:1"}, Bucket: remote, Prefix: "train/", Store: deadStore(t)})
	clusterMount := serve(t, Config{Info: Info{Endpoint: "http://h:1"}, Store: deadStore(t),
		Resolve: func(_ context.Context, ns string) (string, error) {
			switch {
			case ns == "@far":
				return "@uuid2", nil
			case !strings.HasPrefix(ns, "@"):
				return ns, nil // a local namespace, as aisclient.ResolveNamespace does
			}
			return "", fmt.Errorf("%s: %w", ns, aisclient.ErrRemoteNotFound)
		}})
	tests := []struct {
		c          *Client
		path       string
		dir        bool
		bucket     string
		what, fail string
	}{
		{bucketMount, "x/y.jpg", false, "ais://@uuid1/b", "train/x/y.jpg", ""},
		{bucketMount, "x", true, "ais://@uuid1/b", "prefix train/x/", ""},
		{bucketMount, "", true, "ais://@uuid1/b", "prefix train/", ""},
		{clusterMount, "aws/imgs/a/b", false, "s3://imgs", "a/b", ""},
		{clusterMount, "gcp/imgs", true, "gs://imgs", "the whole bucket", ""},
		{clusterMount, "ais/@far/bk/d", true, "ais://@uuid2/bk", "prefix d/", ""},
		{clusterMount, "ais/local/d", true, "", "", "not a remote one"},
		{clusterMount, "ais/#ns/bk/d", true, "", "", "not a remote one"},
		{clusterMount, "ais", true, "", "", "not inside a bucket"},
		{clusterMount, "", true, "", "", "not inside a bucket"},
		{clusterMount, "ais/@far", true, "", "", "not inside a bucket"},
		{clusterMount, "ais/@nosuch/bk", true, "", "", "not attached"},
		{clusterMount, "aws/b..c/x", false, "", "", `".." is not allowed`},
	}
	for _, tc := range tests {
		ref, err := tc.c.Start(t.Context(), JobRequest{Op: OpPrefetch, Path: tc.path, Dir: tc.dir, Check: true})
		switch {
		case tc.fail != "":
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%q: %+v %v, want an error containing %q", tc.path, ref, err, tc.fail)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.path, err)
		case ref.Bucket != tc.bucket || ref.What != tc.what || ref.ID != "" || ref.Kind != aisclient.KindPrefetch:
			t.Errorf("%q: %+v, want %s %q and no job", tc.path, ref, tc.bucket, tc.what)
		}
	}
	// A prefix with braces (a range template to AIS) goes by the files' names.
	ref, err := bucketMount.Start(t.Context(), JobRequest{Op: OpEvict, Path: "x{1}", Dir: true, Names: []string{"x{1}/a", "x{1}/b"}, Check: true})
	if err != nil || ref.What != "2 objects" || ref.Kind != aisclient.KindEvict {
		t.Errorf("braces: %+v %v", ref, err)
	}
	if _, err := bucketMount.Start(t.Context(), JobRequest{Op: "delete", Path: "x"}); err == nil {
		t.Error("an unknown job was accepted")
	}
}

// TestAISDown: with AIS unreachable, starting a job fails in one line naming the endpoint;
// the daemon itself still answers.
func TestAISDown(t *testing.T) {
	c := serve(t, Config{
		Info: Info{Endpoint: "http://127.0.0.1:1", Source: "ais://@u/b"}, Store: deadStore(t),
		Bucket: aisclient.Bck{Name: "b", Namespace: "@u"},
		Probe:  func(ctx context.Context) error { return errors.New("connection refused") },
	})
	_, err := c.Start(t.Context(), JobRequest{Op: OpPrefetch, Path: "f"})
	var de *DaemonError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "cannot reach AIS at http://127.0.0.1:1") || strings.Contains(err.Error(), "\n") {
		t.Errorf("prefetch with AIS down: %v", err)
	}
	info, err := c.Info(t.Context(), true)
	if err != nil || info.Source != "ais://@u/b" || info.AISError != "connection refused" {
		t.Errorf("Info(probe): %+v %v", info, err)
	}
	if info, _ := c.Info(t.Context(), false); info.AISError != "" {
		t.Errorf("Info without probe checked AIS: %+v", info)
	}
}

// TestUmountAndNoDaemon: umount's answer is the daemon's; a mount without a daemon is
// ErrNoDaemon.
func TestUmountAndNoDaemon(t *testing.T) {
	c := serve(t, Config{Umount: func(context.Context) (UmountResult, error) {
		return UmountResult{}, errors.New("2 file(s) still have data to upload; the mount stays")
	}})
	if _, err := c.Umount(t.Context()); err == nil || !strings.Contains(err.Error(), "the mount stays") {
		t.Errorf("Umount = %v", err)
	}
	gone := NewClient(Mount{Point: "/gone", ID: "none", Dev: "0:0"})
	if _, err := gone.Info(t.Context(), false); !errors.Is(err, ErrNoDaemon) || !strings.Contains(err.Error(), "/gone") {
		t.Errorf("no daemon: %v", err)
	}
}
