package aisclient

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// waitJob polls a job until it finishes; a job that never finishes fails the test by its
// deadline.
func waitJob(t *testing.T, c *Client, kind, id string) JobStatus {
	t.Helper()
	for {
		st, err := c.Job(t.Context(), kind, id)
		if err != nil {
			t.Fatalf("Job(%s %s): %v", kind, id, err)
		}
		if st.Finished {
			return st
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func presentIn(t *testing.T, c *Client, bck Bck, name string) bool {
	t.Helper()
	a, err := c.HeadObject(t.Context(), bck, name)
	if err != nil {
		t.Fatalf("HeadObject(%s): %v", name, err)
	}
	return a.Present
}

// TestPrefetchEvict runs both jobs on a bucket of a second cluster attached to the first, and
// watches which objects the first cluster holds.
func TestPrefetchEvict(t *testing.T) {
	local := newClient(t)
	remoteEP := aiscluster.Second(t)
	remote := newClient(t, remoteEP)
	uuid := aiscluster.AttachRemote(t, aiscluster.Endpoint(t), remoteEP, "xact")
	rb := newBucket(t, remote)
	for _, name := range []string{"d/a", "d/b", "e/c"} {
		if _, err := remote.PutObject(t.Context(), rb, name, strings.NewReader(name+" data"), int64(len(name)+5), PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	bck := Bck{Name: rb.Name, Provider: ProviderAIS, Namespace: "@" + uuid}
	if !bck.IsRemote() || rb.IsRemote() {
		t.Fatalf("IsRemote: %v for %s, %v for %s", bck.IsRemote(), bck, rb.IsRemote(), rb)
	}
	if presentIn(t, local, bck, "d/a") {
		t.Fatal("d/a is in the local cluster before any prefetch")
	}

	id, err := local.Prefetch(t.Context(), bck, Selection{Prefix: "d/"})
	if err != nil {
		t.Fatal(err)
	}
	st := waitJob(t, local, KindPrefetch, id)
	if st.Aborted || st.Err != "" || st.Objects != 2 {
		t.Errorf("prefetch job: %+v, want 2 objects and no error", st)
	}
	for name, want := range map[string]bool{"d/a": true, "d/b": true, "e/c": false} {
		if got := presentIn(t, local, bck, name); got != want {
			t.Errorf("after prefetch of d/: %s present = %v, want %v", name, got, want)
		}
	}

	id, err = local.Evict(t.Context(), bck, Selection{Names: []string{"d/a"}})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitJob(t, local, KindEvict, id); st.Aborted || st.Err != "" || st.Objects != 1 {
		t.Errorf("evict job: %+v, want 1 object and no error", st)
	}
	for name, want := range map[string]bool{"d/a": false, "d/b": true} {
		if got := presentIn(t, local, bck, name); got != want {
			t.Errorf("after evict of d/a: %s present = %v, want %v", name, got, want)
		}
	}

	if _, err := local.Prefetch(t.Context(), bck, Selection{Prefix: "x{1..2}"}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a prefix with braces: %v, want ErrInvalidArgument", err)
	}
	// A bucket of an alias nobody attached: AIS answers 404, "remote cluster ... does not exist".
	_, err = local.Prefetch(t.Context(), Bck{Name: rb.Name, Namespace: "@nosuchcluster"}, Selection{})
	if !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("prefetch from an unattached cluster: %v, want ErrBucketNotFound", err)
	}
	// AIS refuses to prefetch or evict an ais bucket (400 ErrNotRemoteBck).
	lb := newBucket(t, local)
	if _, err := local.Prefetch(t.Context(), lb, Selection{}); err == nil || !strings.Contains(err.Error(), "remote bucket") {
		t.Errorf("prefetch of an ais bucket: %v, want AIS's refusal", err)
	}
	if _, err := local.Evict(t.Context(), lb, Selection{Prefix: "x"}); err == nil {
		t.Error("evict of an ais bucket succeeded")
	}
}
