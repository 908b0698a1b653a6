package posix

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

var aisfsBin string

func TestMain(m *testing.M) {
	aiscluster.MainWithAisfs(m, &aisfsBin)
}

func requireFUSE(t *testing.T) {
	t.Helper()
	aiscluster.RequireFUSE(t)
}

// requireTool skips without a tool, except under CI, which must have installed it.
func requireTool(t *testing.T, name string) {
	t.Helper()
	aiscluster.RequireTool(t, name)
}

var bucketSeq atomic.Int64

// env is a bucket, a client for checking what AIS holds, and a mount of the bucket served by
// the aisfs binary in its own process.
type env struct {
	c       *aisclient.Client
	bck     aisclient.Bck
	mnt     string
	staging string
	args    []string // aisfs's flags, for a remount
	cmd     *exec.Cmd
	stderr  *syncBuffer
	stopped bool
}

type syncBuffer = aiscluster.SyncBuffer

// newEnv creates a bucket and mounts it; endpoint overrides the cluster's (a fault proxy).
func newEnv(t *testing.T, endpoint string, args ...string) *env {
	t.Helper()
	requireFUSE(t)
	ep := aiscluster.Endpoint(t)
	c, err := aisclient.New(aisclient.Config{Endpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("posix-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
	bck := aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DestroyBucket(context.Background(), bck) })
	if endpoint == "" {
		endpoint = ep
	}
	return mountBucket(t, c, bck, endpoint, args...)
}

// mountBucket mounts bck with the aisfs binary, talking to AIS at endpoint.
func mountBucket(t *testing.T, c *aisclient.Client, bck aisclient.Bck, endpoint string, args ...string) *env {
	t.Helper()
	e := &env{c: c, bck: bck, mnt: t.TempDir(), staging: t.TempDir(), stderr: &syncBuffer{}}
	e.args = append([]string{"-f", "--endpoint", endpoint, "--staging-dir", e.staging, "--log-level", "debug"}, args...)
	e.start(t)
	t.Cleanup(func() {
		e.stop(t)
		if t.Failed() {
			t.Logf("aisfs log:\n%s", e.stderr.String())
		}
	})
	return e
}

// start runs aisfs on the env's bucket and mountpoint and waits until the mount is live.
func (e *env) start(t *testing.T) {
	t.Helper()
	e.cmd = exec.Command(aisfsBin, append(e.args, "ais://"+e.bck.Name, e.mnt)...)
	e.cmd.Stderr = e.stderr
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.stopped = false
	deadline := time.Now().Add(30 * time.Second)
	for !mounted(e.mnt) {
		if time.Now().After(deadline) {
			t.Fatalf("aisfs did not mount: %s", e.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// remount stops aisfs (uploading what is pending) and mounts the bucket again, so that
// everything the mount shows afterwards comes from AIS.
func (e *env) remount(t *testing.T) {
	t.Helper()
	if err := e.stop(t); err != nil {
		t.Fatalf("aisfs exit: %v", err)
	}
	e.start(t)
}

func mounted(mnt string) bool {
	data, _ := os.ReadFile("/proc/self/mounts")
	return bytes.Contains(data, []byte(" "+mnt+" fuse.aisfs "))
}

// stop sends SIGTERM, as systemd and Ctrl-C do, and waits for aisfs to exit.
func (e *env) stop(t *testing.T) error {
	if e.stopped {
		return nil
	}
	e.stopped = true
	e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(2 * time.Minute):
		e.cmd.Process.Kill()
		syscall.Unmount(e.mnt, syscall.MNT_DETACH)
		t.Errorf("aisfs did not exit after SIGTERM")
		return nil
	}
}

func (e *env) path(p string) string { return filepath.Join(e.mnt, p) }

// object returns what AIS holds for name.
func (e *env) object(t *testing.T, name string) []byte {
	t.Helper()
	r, _, err := e.c.GetObject(t.Context(), e.bck, name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	defer r.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// run runs a command and fails the test with its output if it fails.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// aisListAll lists every object of a bucket.
var aisListAll = aisclient.ListOptions{Props: []string{"name"}}
