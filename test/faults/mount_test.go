package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	if spec := os.Getenv(writerEnv); spec != "" {
		os.Exit(runWriter(spec))
	}
	aiscluster.MainWithAisfs(m, &aisfsBin)
}

var bucketSeq atomic.Int64

// newBucket creates an ais bucket through c (straight to AIS) that is destroyed at the end.
func newBucket(t *testing.T, c *aisclient.Client) aisclient.Bck {
	t.Helper()
	bck := aisclient.Bck{Name: fmt.Sprintf("faults-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1)),
		Provider: aisclient.ProviderAIS}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DestroyBucket(context.Background(), bck) })
	return bck
}

func newClient(t *testing.T, endpoint string) *aisclient.Client {
	t.Helper()
	c, err := aisclient.New(aisclient.Config{Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mount is a bucket mounted by the aisfs binary, logging to a file.
type mount struct {
	dir     string
	staging string
	logPath string
	cmd     *exec.Cmd
	done    chan error
}

// mountBucket mounts bck through endpoint (AIS or a fault proxy in front of it).
func mountBucket(t *testing.T, endpoint string, bck aisclient.Bck, args ...string) *mount {
	t.Helper()
	aiscluster.RequireFUSE(t)
	tmp := t.TempDir()
	m := &mount{dir: t.TempDir(), staging: filepath.Join(tmp, "staging"), logPath: filepath.Join(tmp, "aisfs.log"),
		done: make(chan error, 1)}
	all := append([]string{"-f", "--endpoint", endpoint, "--staging-dir", m.staging, "--log-file", m.logPath}, args...)
	m.cmd = exec.Command(aisfsBin, append(all, bck.String(), m.dir)...)
	var stderr bytes.Buffer
	m.cmd.Stdout, m.cmd.Stderr = &stderr, &stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { m.done <- m.cmd.Wait() }()
	t.Cleanup(func() {
		m.stop(t)
		if t.Failed() {
			kept := filepath.Join(os.TempDir(), "aisfs-"+strings.ReplaceAll(t.Name(), "/", "_")+".log")
			os.WriteFile(kept, []byte(m.log(t)), 0o644)
			t.Logf("aisfs log (all of it in %s), last 8 KiB:\n%s", kept, tail(m.log(t), 8<<10))
		}
	})
	deadline := time.Now().Add(time.Minute)
	for !mounted(m.dir) {
		select {
		case err := <-m.done:
			t.Fatalf("aisfs exited before mounting: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aisfs did not mount within a minute:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m
}

func mounted(dir string) bool {
	b, _ := os.ReadFile("/proc/self/mounts")
	return bytes.Contains(b, []byte(" "+dir+" fuse.aisfs "))
}

// stop unmounts with SIGTERM (pending uploads finish first) and waits.
func (m *mount) stop(t *testing.T) {
	if m.cmd.Process == nil {
		return
	}
	m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(3 * time.Minute):
		m.cmd.Process.Kill()
		syscall.Unmount(m.dir, syscall.MNT_DETACH)
		t.Errorf("aisfs did not exit after SIGTERM")
	}
	m.cmd.Process = nil
}

func (m *mount) log(t *testing.T) string {
	b, err := os.ReadFile(m.logPath)
	if err != nil && !os.IsNotExist(err) {
		t.Errorf("aisfs log: %v", err)
	}
	return string(b)
}

// loudLines are the log lines an operator is alerted by (warn and error).
func loudLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
			out = append(out, l)
		}
	}
	return out
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// readObject returns what AIS holds for name, read straight from AIS.
func readObject(ctx context.Context, c *aisclient.Client, bck aisclient.Bck, name string) ([]byte, error) {
	rc, _, err := c.GetObject(ctx, bck, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
