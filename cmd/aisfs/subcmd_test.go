package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// mountBucket creates bucket name at ep with objects, mounts it in the background with
// extra flags, and unmounts it at cleanup.
func mountBucket(t *testing.T, ep, name string, objects map[string]string, extra ...string) (string, *aisclient.Client, aisclient.Bck) {
	t.Helper()
	requireFUSE(t)
	c, bck := seedBucket(t, ep, name, objects)
	mnt := t.TempDir()
	// Its own staging directory: a test that leaves an upload pending must not leave it in
	// the machine's default one for every later mount to warn about.
	args := append([]string{"--endpoint", ep, "--staging-dir", t.TempDir()}, extra...)
	code, _, stderr := aisfs(t, nil, append(args, "ais://"+name, mnt)...)
	if code != 0 {
		t.Fatalf("mount: exit %d: %s", code, stderr)
	}
	t.Cleanup(func() {
		if mountEntry(mnt) != "" {
			syscall.Unmount(mnt, syscall.MNT_DETACH)
		}
	})
	return mnt, c, bck
}

// wantFailure runs aisfs and wants a non-zero exit with one line on stderr containing want.
func wantFailure(t *testing.T, want string, args ...string) {
	t.Helper()
	code, stdout, stderr := aisfs(t, nil, args...)
	if code == 0 {
		t.Errorf("aisfs %v: exit 0 (stdout %q), want failure", args, stdout)
		return
	}
	if !strings.Contains(stderr, want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("aisfs %v: stderr = %q, want one line containing %q", args, stderr, want)
	}
}

// TestStats: aisfs stats shows a mount's cache, traffic, uploads, errors by errno and AIS
// request latencies, taken from its daemon.
func TestStats(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	mnt, c, bck := mountBucket(t, ep, "cmd-stats", map[string]string{"d/f": strings.Repeat("x", 5000), "gone": "soon"})
	for range 2 {
		if b, err := os.ReadFile(filepath.Join(mnt, "d/f")); err != nil || len(b) != 5000 {
			t.Fatalf("read: %d %v", len(b), err)
		}
	}
	// An object deleted behind the mount's back: the read fails, and the errno is counted.
	if _, err := os.Stat(filepath.Join(mnt, "gone")); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteObject(t.Context(), bck, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(filepath.Join(mnt, "gone")); err == nil {
		t.Fatal("read of a deleted object succeeded")
	}
	if err := os.WriteFile(filepath.Join(mnt, "new"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := aisfs(t, nil, "stats", mnt)
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, stderr)
	}
	t.Logf("aisfs stats:\n%s", out)
	for _, want := range []string{
		"mount", "ais://cmd-stats", ep,
		"cache", "hits", "misses",
		"data", "KiB from AIS", "wrote 5 B to AIS",
		"uploads", "0 in flight",
		"errors",
		"requests", "count", "p99", "HeadBucket",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lack %q", want)
		}
	}
	if strings.Contains(out, "errors   none") {
		t.Error("the failed read is not among the errors")
	}
	// Any path inside the mount names it too; --raw is the Prometheus text.
	code, out, _ = aisfs(t, nil, "stats", "--raw", filepath.Join(mnt, "d"))
	if code != 0 || !strings.Contains(out, "# TYPE aisfs_cache_hits_total counter") {
		t.Errorf("stats --raw: exit %d, %.200q", code, out)
	}
}

// TestPrefetchLocal reads every file below a directory through the mount into its cache:
// afterwards reading them again fetches nothing from AIS.
func TestPrefetchLocal(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	objs := map[string]string{}
	for i := range 20 {
		objs[fmt.Sprintf("dir/sub%d/f%d", i%3, i)] = strings.Repeat(string(rune('a'+i)), 3000+i)
	}
	objs["other"] = "not below dir"
	mnt, _, _ := mountBucket(t, ep, "cmd-prefetch-local", objs, "--stat-ttl", "1h")
	code, out, stderr := aisfs(t, nil, "prefetch", "--local", "--jobs", "4", filepath.Join(mnt, "dir"))
	if code != 0 || !strings.Contains(out, "read 20 files") {
		t.Fatalf("prefetch --local: exit %d %q %q", code, out, stderr)
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("progress on a pipe must be plain lines: %q", stderr)
	}
	before := metric(t, mnt, "aisfs_object_read_bytes_total")
	for name, body := range objs {
		if !strings.HasPrefix(name, "dir/") {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(mnt, name)); err != nil || string(b) != body {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if after := metric(t, mnt, "aisfs_object_read_bytes_total"); after != before {
		t.Errorf("reading prefetched files fetched from AIS: read bytes %s before, %s after", before, after)
	}
}

// metric returns the value of an unlabelled series from aisfs stats --raw.
func metric(t *testing.T, mnt, name string) string {
	t.Helper()
	code, out, stderr := aisfs(t, nil, "stats", "--raw", mnt)
	if code != 0 {
		t.Fatalf("stats --raw: %d %s", code, stderr)
	}
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("no %s in the metrics", name)
	return ""
}

// holdOpen has another process write data to path and keep the file open, so that no close
// or flush of it reaches aisfs (this process's own descriptors would be flushed by every
// fork+exec of a subcommand, and a shell's redirections flush too). dd writes what it reads
// from a pipe this test never closes.
func holdOpen(t *testing.T, path, data string) {
	t.Helper()
	cmd := exec.Command("dd", "of="+path, "bs=64k", "status=none")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if _, err := io.WriteString(in, data); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() == int64(len(data)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("dd did not write %d bytes to %s", len(data), path)
		}
	}
}

// TestUmountFlushes: aisfs umount uploads a file still open for writing, then unmounts.
func TestUmountFlushes(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	mnt, c, bck := mountBucket(t, ep, "cmd-umount", nil)
	data := strings.Repeat("0123456789", 10_000)
	holdOpen(t, filepath.Join(mnt, "open.bin"), data)
	// (A create makes an empty object at once, so that the name exists.)
	if a, err := c.HeadObject(t.Context(), bck, "open.bin"); err == nil && a.Size == int64(len(data)) || err != nil && !errors.Is(err, aisclient.ErrNotFound) {
		t.Fatalf("before umount: HeadObject = %+v %v, want the content not uploaded yet", a, err)
	}
	code, out, stderr := aisfs(t, nil, "umount", mnt)
	if code != 0 {
		t.Fatalf("umount: exit %d %q %q", code, out, stderr)
	}
	if !strings.Contains(out, "detached lazily") {
		t.Errorf("umount of a busy mount should say it was detached lazily: %q", out)
	}
	if mountEntry(mnt) != "" {
		t.Fatal("still mounted after aisfs umount")
	}
	r, _, err := c.GetObject(t.Context(), bck, "open.bin")
	if err != nil {
		t.Fatalf("the open file was not uploaded: %v", err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != data {
		t.Errorf("uploaded %d bytes, want %d", len(got), len(data))
	}

	// An idle mount unmounts plainly.
	mnt2, _, _ := mountBucket(t, ep, "cmd-umount2", map[string]string{"f": "x"})
	if code, out, stderr := aisfs(t, nil, "umount", mnt2); code != 0 || out != "" || mountEntry(mnt2) != "" {
		t.Errorf("umount of an idle mount: exit %d %q %q", code, out, stderr)
	}

	// Two at once: one unmounts, the other is told; neither hangs (aisfs() gives up after 2 min).
	mnt3, _, _ := mountBucket(t, ep, "cmd-umount3", map[string]string{"f": "x"})
	codes := make(chan int, 2)
	for range 2 {
		go func() {
			code, _, _ := aisfs(t, nil, "umount", mnt3)
			codes <- code
		}()
	}
	if a, b := <-codes, <-codes; a != 0 && b != 0 {
		t.Errorf("two umounts at once: exits %d and %d, want one success", a, b)
	}
	if mountEntry(mnt3) != "" {
		t.Error("still mounted after two umounts")
	}
}

// TestSubcommandBadInput: each mistake is one line and a non-zero exit, and starts nothing.
func TestSubcommandBadInput(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	mnt, _, _ := mountBucket(t, ep, "cmd-badinput", map[string]string{"d/f": "x", "g": "y"})
	outside := t.TempDir()
	wantFailure(t, "not in an aisfs mount", "prefetch", outside)
	wantFailure(t, "not in an aisfs mount", "evict", outside)
	wantFailure(t, "not in an aisfs mount", "stats", outside)
	wantFailure(t, "not in an aisfs mount", "umount", outside)
	wantFailure(t, "not a remote one", "prefetch", filepath.Join(mnt, "d"))
	wantFailure(t, "not a remote one", "evict", filepath.Join(mnt, "g"))
	// One bad PATH among good ones: nothing starts.
	wantFailure(t, "not in an aisfs mount", "prefetch", "--no-wait", filepath.Join(mnt, "d"), outside)
	wantFailure(t, "no such file", "prefetch", filepath.Join(mnt, "nope"))
	wantFailure(t, "not its mount point", "umount", filepath.Join(mnt, "d"))
	wantFailure(t, "no PATH given", "evict")
	wantFailure(t, "unknown flag", "stats", "--bogus", mnt)
	if mountEntry(mnt) == "" {
		t.Error("a failed subcommand unmounted the mount")
	}
	if os.Geteuid() == 0 {
		t.Run("another user", func(t *testing.T) { otherUserRefused(t, mnt) })
	}
}

// otherUserRefused: the daemon of root's mount does not serve user nobody.
func otherUserRefused(t *testing.T, mnt string) {
	dir, err := os.MkdirTemp("", "aisfs-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin, err := os.ReadFile(aisfsBin)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "aisfs")
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "umount", mnt)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "serves only its own user") || strings.Count(strings.TrimSpace(string(out)), "\n") > 0 {
		t.Errorf("aisfs umount as nobody: %v %q, want one line of refusal", err, out)
	}
	if mountEntry(mnt) == "" {
		t.Error("user nobody unmounted root's mount")
	}
}

// TestSubcommandsWhileAISIsDown: with the cluster stopped, the subcommands that need AIS fail
// in one line, and an umount that could not upload leaves the mount and its data alone.
func TestSubcommandsWhileAISIsDown(t *testing.T) {
	cl := aiscluster.Own(t)
	mnt, _, _ := mountBucket(t, cl.Endpoint(), "cmd-down", map[string]string{"f": "x"}, "--request-timeout", "2s", "--retries", "0", "--op-timeout", "5s")
	holdOpen(t, filepath.Join(mnt, "pending"), "data written before AIS goes away")
	if err := cl.Stop(); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, "does not answer", "stats", mnt)
	wantFailure(t, "the mount stays", "umount", mnt)
	if mountEntry(mnt) == "" {
		t.Fatal("umount with AIS down unmounted a mount with data not yet uploaded")
	}
	if err := cl.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := aisfs(t, nil, "umount", mnt); code != 0 {
		t.Errorf("umount once AIS is back: exit %d %q %q", code, out, stderr)
	}
	c, _ := aisclient.New(aisclient.Config{Endpoint: cl.Endpoint()})
	if _, err := c.HeadObject(t.Context(), aisclient.Bck{Name: "cmd-down"}, "pending"); err != nil {
		t.Errorf("the pending file after umount: %v", err)
	}
}

// TestStatsDiskCache: with --disk-cache, aisfs stats shows the disk cache's metrics too.
func TestStatsDiskCache(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	mnt, _, _ := mountBucket(t, ep, "cmd-stats-disk", map[string]string{"f": strings.Repeat("d", 100_000)},
		"--disk-cache", t.TempDir(), "--disk-cache-size", "64MiB")
	if _, err := os.ReadFile(filepath.Join(mnt, "f")); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := aisfs(t, nil, "stats", mnt)
	if code != 0 {
		t.Fatalf("stats: exit %d %s", code, stderr)
	}
	t.Logf("aisfs stats:\n%s", out)
	for _, want := range []string{"disk cache", "misses_total", "enabled 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lack %q", want)
		}
	}
}

// TestConfigFileMount: a mount takes its endpoint and options from --config, and a flag on the
// command line wins over the file.
func TestConfigFileMount(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	conf := filepath.Join(t.TempDir(), "aisfs.conf")
	os.WriteFile(conf, []byte("# test\nendpoint = "+ep+"\nread_only\nstat_ttl = 1m\n"), 0o644)
	requireFUSE(t)
	seedBucket(t, ep, "cmd-conf", map[string]string{"f": "conf"})

	mnt := mountBackground(t, "--config", conf, "--stat-ttl", "7s", "ais://cmd-conf")
	if got, err := os.ReadFile(filepath.Join(mnt, "f")); err != nil || string(got) != "conf" {
		t.Fatalf("read: %q %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "new"), []byte("x"), 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write into a read_only mount from --config: %v, want EROFS", err)
	}
	_, out, _ := aisfs(t, nil, "stats", mnt)
	if !strings.Contains(out, "stat-ttl 7s") || !strings.Contains(out, ep) {
		t.Errorf("the command line's --stat-ttl must win over the file's, and the endpoint come from it:\n%s", out)
	}
}
