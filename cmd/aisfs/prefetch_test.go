package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// present reads user.ais.present of a file in a mount.
func present(t *testing.T, path string) string {
	t.Helper()
	buf := make([]byte, 16)
	n, err := unix.Getxattr(path, "user.ais.present", buf)
	if err != nil {
		t.Fatalf("getxattr %s: %v", path, err)
	}
	return string(buf[:n])
}

// waitPresent waits, past the mount's stat TTL, until path's user.ais.present is want.
func waitPresent(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for present(t, path) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: user.ais.present = %s, want %s", path, present(t, path), want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPrefetchEvictRemote: aisfs prefetch and evict on a bucket of an attached second cluster,
// through a bucket mount and a cluster mount, seen in user.ais.present.
func TestPrefetchEvictRemote(t *testing.T) {
	requireFUSE(t)
	ep, remoteEP := aiscluster.Endpoint(t), aiscluster.Second(t)
	objects := make(map[string]string)
	for _, name := range []string{"d/a", "d/b", "d/sub/c", "e/x"} {
		objects[name] = strings.Repeat(name, 1000)
	}
	seedBucket(t, remoteEP, "cmd-prefetch", objects)
	aiscluster.AttachRemote(t, ep, remoteEP, "pfx")

	mnt := mountBackground(t, "--endpoint", ep, "--stat-ttl", "1s", "ais://@pfx/cmd-prefetch")
	for _, f := range []string{"d/a", "d/sub/c", "e/x"} {
		if got := present(t, filepath.Join(mnt, f)); got != "false" {
			t.Fatalf("%s: present = %s before any prefetch", f, got)
		}
	}
	code, out, stderr := aisfs(t, nil, "prefetch", filepath.Join(mnt, "d"))
	if code != 0 {
		t.Fatalf("prefetch: exit %d %q %q", code, out, stderr)
	}
	if !strings.Contains(out, "prefetched 3 objects") {
		t.Errorf("prefetch output %q, want 3 objects", out)
	}
	for _, f := range []string{"d/a", "d/b", "d/sub/c"} {
		waitPresent(t, filepath.Join(mnt, f), "true")
	}
	if got := present(t, filepath.Join(mnt, "e/x")); got != "false" {
		t.Errorf("e/x: present = %s after a prefetch of d/", got)
	}

	// A file, and --no-wait.
	code, out, stderr = aisfs(t, nil, "evict", "--no-wait", filepath.Join(mnt, "d/a"))
	if code != 0 || !strings.Contains(out, "evict job") {
		t.Fatalf("evict --no-wait: exit %d %q %q", code, out, stderr)
	}
	waitPresent(t, filepath.Join(mnt, "d/a"), "false")
	if got := present(t, filepath.Join(mnt, "d/b")); got != "true" {
		t.Errorf("d/b: present = %s after evicting d/a", got)
	}

	// The same bucket in a cluster mount: ais/@ALIAS/BUCKET/...
	cmnt := mountBackground(t, "--stat-ttl", "1s", ep)
	cpath := filepath.Join(cmnt, "ais", "@pfx", "cmd-prefetch")
	if code, out, stderr := aisfs(t, nil, "evict", filepath.Join(cpath, "d")); code != 0 || !strings.Contains(out, "evicted 2 objects") {
		t.Fatalf("evict in a cluster mount: exit %d %q %q", code, out, stderr)
	}
	for _, f := range []string{"d/b", "d/sub/c"} {
		waitPresent(t, filepath.Join(cpath, f), "false")
		waitPresent(t, filepath.Join(mnt, f), "false")
	}
	// An ais bucket of the local cluster in the same mount is refused.
	_, lb := seedBucket(t, ep, "cmd-prefetch-local", nil)
	if err := os.MkdirAll(filepath.Join(cmnt, "ais", lb.Name), 0o755); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, "not a remote one", "prefetch", filepath.Join(cmnt, "ais", lb.Name))
	wantFailure(t, "not inside a bucket", "prefetch", filepath.Join(cmnt, "ais"))
	// A remote cluster that is not attached has no directory.
	wantFailure(t, "no such file", "prefetch", filepath.Join(cmnt, "ais", "@nosuch", "cmd-prefetch"))
}
