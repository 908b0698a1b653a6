package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
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

var aisfsBin string

// TestMain builds the binary once: the mount is served by a separate process, as users run it.
func TestMain(m *testing.M) {
	aiscluster.MainWithAisfs(m, &aisfsBin)
}

func requireFUSE(t *testing.T) {
	t.Helper()
	aiscluster.RequireFUSE(t)
}

// aisfs runs the binary to completion and returns its exit code and output.
func aisfs(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(aisfsBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("aisfs %v did not return", args)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// seedBucket creates ais://name at ep holding objects (name -> content), destroyed at cleanup,
// and returns a client of ep with the bucket.
func seedBucket(t *testing.T, ep, name string, objects map[string]string) (*aisclient.Client, aisclient.Bck) {
	t.Helper()
	c, err := aisclient.New(aisclient.Config{Endpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	bck := aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DestroyBucket(context.Background(), bck) })
	for n, body := range objects {
		if _, err := c.PutObject(t.Context(), bck, n, strings.NewReader(body), int64(len(body)), aisclient.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return c, bck
}

// mountEntry returns the /proc/self/mounts line of mnt, or "".
func mountEntry(mnt string) string {
	data, _ := os.ReadFile("/proc/self/mounts")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == mnt {
			return line
		}
	}
	return ""
}

func TestBadInputExitsBeforeMounting(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	noEnv := []string{"AIS_ENDPOINT=", "HOME=" + t.TempDir()} // and no AIS CLI config
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", nil, "need SOURCE and MOUNTPOINT"},
		{"unknown flag", []string{"--bogus", ep, dir}, "unknown flag"},
		{"unknown -o option", []string{ep, dir, "-o", "bogus_opt=1"}, "bogus"},
		{"malformed source", []string{"foo://bar", dir}, "invalid source"},
		{"bucket without endpoint", []string{"ais://b", dir}, "no endpoint"},
		{"missing mountpoint", []string{ep, filepath.Join(dir, "nope")}, "no such file"},
		{"mountpoint is a file", []string{ep, file}, "not a directory"},
		{"unreachable endpoint", []string{"--request-timeout", "3s", "--retries", "0", "http://127.0.0.1:1", dir}, "cannot reach AIS"},
		{"missing bucket", []string{"--endpoint", ep, "ais://no-such-bucket-aisfs", dir}, "does not exist"},
		{"bad cache size", []string{"--cache-size", "lots", ep, dir}, "cache-size"},
		{"no op budget", []string{ep, dir, "-o", "op_timeout=0s"}, "--op-timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := aisfs(t, noEnv, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0, want failure")
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("stderr = %q, want one line containing %q", stderr, tc.want)
			}
			if mountEntry(dir) != "" {
				t.Errorf("something was mounted on %s", dir)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := aisfs(t, nil, "--version"); code != 0 || !strings.HasPrefix(out, "aisfs ") {
		t.Errorf("--version: %d %q", code, out)
	}
	for _, sub := range []string{"prefetch", "evict", "stats", "umount"} {
		if code, out, _ := aisfs(t, nil, sub, "--help"); code != 0 || !strings.Contains(out, "Usage: aisfs "+sub) {
			t.Errorf("aisfs %s --help: %d %q", sub, code, out)
		}
	}
	code, out, _ := aisfs(t, nil, "--help")
	for _, want := range []string{"SOURCE MOUNTPOINT", "ais://BUCKET", "--stat-ttl", "--cache-size", "Examples",
		"aisfs prefetch", "aisfs evict", "aisfs stats", "aisfs umount", "--config", "-v, --verbose"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// TestBackgroundMount: aisfs returns once the mount is live, the mount shows its type and source,
// and unmounting ends the background process.
func TestBackgroundMount(t *testing.T) {
	requireFUSE(t)
	ep := aiscluster.Endpoint(t)
	seedBucket(t, ep, "cmd-bg", map[string]string{"dir/hello.txt": "hi\n"})

	mnt := t.TempDir()
	code, _, stderr := aisfs(t, []string{"AIS_ENDPOINT=" + ep}, "ais://cmd-bg", mnt)
	if code != 0 {
		t.Fatalf("aisfs exit %d: %s", code, stderr)
	}
	entry := mountEntry(mnt)
	t.Cleanup(func() {
		if mountEntry(mnt) != "" {
			syscall.Unmount(mnt, syscall.MNT_DETACH)
		}
	})
	if f := strings.Fields(entry); len(f) < 3 || f[0] != "ais://cmd-bg" || f[2] != "fuse.aisfs" {
		t.Fatalf("mount entry = %q, want ais://cmd-bg on %s type fuse.aisfs", entry, mnt)
	}
	got, err := os.ReadFile(filepath.Join(mnt, "dir/hello.txt"))
	if err != nil || string(got) != "hi\n" {
		t.Fatalf("read through the background mount: %q %v", got, err)
	}
	if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
		t.Fatalf("umount: %v %s", err, out)
	}
	if mountEntry(mnt) != "" {
		t.Fatal("still mounted after umount")
	}
}

// TestEndpointFromCLIConfig: with no --endpoint and no AIS_ENDPOINT, a bucket mount uses the
// cluster the AIS CLI is configured with, so `aisfs ais://b MNT` works where `ais ls` does.
func TestEndpointFromCLIConfig(t *testing.T) {
	requireFUSE(t)
	ep := aiscluster.Endpoint(t)
	seedBucket(t, ep, "cmd-cliconf", map[string]string{"f": "cli"})
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".config/ais/cli"), 0o755)
	os.WriteFile(filepath.Join(home, ".config/ais/cli/cli.json"), []byte(`{"cluster":{"url":"`+ep+`"}}`), 0o644)

	// AIS_ENDPOINT comes before the CLI config: a dead one fails, however good the config.
	mnt := t.TempDir()
	code, _, stderr := aisfs(t, []string{"HOME=" + home, "AIS_ENDPOINT=http://127.0.0.1:1"}, "--retries", "0", "ais://cmd-cliconf", mnt)
	if code == 0 || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Fatalf("AIS_ENDPOINT must win over the CLI config: exit %d %q", code, stderr)
	}
	code, _, stderr = aisfs(t, []string{"HOME=" + home, "AIS_ENDPOINT="}, "ais://cmd-cliconf", mnt)
	if code != 0 {
		t.Fatalf("aisfs exit %d: %s", code, stderr)
	}
	t.Cleanup(func() {
		if mountEntry(mnt) != "" {
			syscall.Unmount(mnt, syscall.MNT_DETACH)
		}
	})
	if got, err := os.ReadFile(filepath.Join(mnt, "f")); err != nil || string(got) != "cli" {
		t.Errorf("read through the mount: %q %v", got, err)
	}
	if err := syscall.Unmount(mnt, 0); err != nil {
		t.Fatal(err)
	}
}

// TestSignalUnmounts: a foreground aisfs unmounts and exits 0 on SIGTERM.
func TestSignalUnmounts(t *testing.T) {
	requireFUSE(t)
	ep := aiscluster.Endpoint(t)
	mnt := t.TempDir()
	// The (hidden) profile flags write their files on the way out.
	cpuProf, memProf := filepath.Join(t.TempDir(), "cpu"), filepath.Join(t.TempDir(), "mem")
	cmd := exec.Command(aisfsBin, "-f", "--cpu-profile", cpuProf, "--mem-profile", memProf, ep, mnt)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for mountEntry(mnt) == "" {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("not mounted: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.ReadDir(filepath.Join(mnt, "ais")); err != nil {
		t.Errorf("readdir ais/: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("aisfs after SIGTERM: %v\n%s", err, stderr.String())
	}
	if mountEntry(mnt) != "" {
		t.Fatal("still mounted after SIGTERM")
	}
	for _, p := range []string{cpuProf, memProf} {
		if data, err := os.ReadFile(p); err != nil || !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: not a gzipped pprof profile (%d bytes, %v)", filepath.Base(p), len(data), err)
		}
	}
}

// TestMetricsEndpoint: with --metrics-addr the mount serves Prometheus metrics of its requests
// and cache.
func TestMetricsEndpoint(t *testing.T) {
	requireFUSE(t)
	ep := aiscluster.Endpoint(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	mnt := t.TempDir()
	cmd := exec.Command(aisfsBin, "-f", "--metrics-addr", addr, ep, mnt)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for mountEntry(mnt) == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	os.ReadDir(filepath.Join(mnt, "ais"))
	os.Stat(filepath.Join(mnt, "ais", "no-such-bucket"))
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`aisfs_requests_total{code="200",op="ListBuckets"}`, "aisfs_cache_hits_total", "aisfs_writeback_open_files"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestMaxRetries: --retries counts retries, -1 (the default) leaves them to --op-timeout.
func TestMaxRetries(t *testing.T) {
	for flag, want := range map[int]int{-1: 0, 0: -1, 1: 1, 5: 5} {
		if got := maxRetries(flag); got != want {
			t.Errorf("maxRetries(%d) = %d, want %d", flag, got, want)
		}
	}
}
