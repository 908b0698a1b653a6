package restart

import (
	"bytes"
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

func TestMain(m *testing.M) {
	aiscluster.MainWithAisfs(m, &aisfsBin)
}

// mountTimeout bounds the wait for a mount to appear; generous for a loaded 2-core machine.
const mountTimeout = 60 * time.Second

// env is a cluster of the test's own, a bucket in it, a client for checking what AIS
// holds, and a mount of the bucket served by the aisfs binary.
type env struct {
	cl  *aiscluster.Cluster
	c   *aisclient.Client
	bck aisclient.Bck
	mnt string
	log string // aisfs's --log-file
	cmd *exec.Cmd
}

// newEnv starts a cluster, creates a bucket and mounts it with the extra aisfs flags.
func newEnv(t *testing.T, args ...string) *env {
	t.Helper()
	aiscluster.RequireFUSE(t)
	cl := aiscluster.Own(t)
	c, err := aisclient.New(aisclient.Config{Endpoint: cl.Endpoint()})
	if err != nil {
		t.Fatal(err)
	}
	bck := aisclient.Bck{Name: "restart", Provider: aisclient.ProviderAIS}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	e := &env{cl: cl, c: c, bck: bck, mnt: t.TempDir(), log: filepath.Join(t.TempDir(), "aisfs.log")}
	all := append([]string{"-f", "--endpoint", cl.Endpoint(), "--staging-dir", t.TempDir(), "--log-file", e.log}, args...)
	e.cmd = exec.Command(aisfsBin, append(all, "ais://"+bck.Name, e.mnt)...)
	var out syncBuffer
	e.cmd.Stdout, e.cmd.Stderr = &out, &out
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Registered after Own's cleanup, so this runs first: unmount while AIS is still up.
	t.Cleanup(func() {
		e.unmount(t)
		if t.Failed() {
			t.Logf("aisfs output:\n%s\naisfs log:\n%s", out.String(), e.logText(t))
		}
	})
	deadline := time.Now().Add(mountTimeout)
	for !mounted(e.mnt) {
		if time.Now().After(deadline) || e.cmd.ProcessState != nil {
			t.Fatalf("aisfs did not mount:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return e
}

func mounted(mnt string) bool {
	data, _ := os.ReadFile("/proc/self/mounts")
	return bytes.Contains(data, []byte(" "+mnt+" fuse.aisfs "))
}

// unmount sends SIGTERM, as systemd and Ctrl-C do, and waits for aisfs to exit.
func (e *env) unmount(t *testing.T) {
	e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("aisfs exited with %v", err)
		}
	case <-time.After(5 * time.Minute):
		e.cmd.Process.Kill()
		syscall.Unmount(e.mnt, syscall.MNT_DETACH)
		t.Errorf("aisfs did not exit after SIGTERM")
	}
}

func (e *env) path(name string) string { return filepath.Join(e.mnt, name) }

func (e *env) put(t *testing.T, name string, data []byte) {
	t.Helper()
	if _, err := e.c.PutObject(t.Context(), e.bck, name, bytes.NewReader(data), int64(len(data)), aisclient.PutOptions{}); err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

func (e *env) logText(t *testing.T) string {
	b, err := os.ReadFile(e.log)
	if err != nil && !os.IsNotExist(err) {
		t.Errorf("read aisfs log: %v", err)
	}
	return string(b)
}

// logLines returns the log lines at level that contain every one of words.
func (e *env) logLines(t *testing.T, level string, words ...string) []string {
	var out []string
	for _, l := range strings.Split(e.logText(t), "\n") {
		if !strings.Contains(l, "level="+level) {
			continue
		}
		all := true
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

type syncBuffer = aiscluster.SyncBuffer
