package diskcache

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// env is a bucket of the shared cluster, a client to write it out of band, and its target.
type env struct {
	endpoint string
	target   string // the target's URL, whose /metrics counts the bytes it served
	c        *aisclient.Client
	bck      aisclient.Bck
}

func newEnv(t *testing.T) *env {
	t.Helper()
	aiscluster.RequireFUSE(t)
	requireRoot(t) // drop_caches, tmpfs
	ep := aiscluster.Endpoint(t)
	c, err := aisclient.New(aisclient.Config{Endpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	bck := aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS}
	c.DestroyBucket(t.Context(), bck) // left by an earlier run against the same AIS_ENDPOINT
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DestroyBucket(context.Background(), bck) }) // after the mounts' cleanups
	return &env{endpoint: ep, target: targetURL(t, ep), c: c, bck: bck}
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal("CI=true, so this fails instead of skipping: needs root")
	}
	t.Skip("needs root")
}

// targetURL reads the cluster map for the (only) target's public URL.
func targetURL(t *testing.T, endpoint string) string {
	t.Helper()
	resp, err := http.Get(endpoint + "/v1/daemon?what=smap")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var smap struct {
		Tmap map[string]struct {
			Net struct {
				URL string `json:"direct_url"`
			} `json:"public_net"`
		} `json:"tmap"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&smap); err != nil {
		t.Fatal(err)
	}
	if len(smap.Tmap) != 1 {
		t.Fatalf("%d targets: these tests count bytes at one", len(smap.Tmap))
	}
	for _, n := range smap.Tmap {
		return n.Net.URL
	}
	return ""
}

// servedBytes is the target's count of object bytes it served to GETs, all buckets.
func (e *env) servedBytes(t *testing.T) int64 {
	t.Helper()
	resp, err := http.Get(e.target + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	found := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), "{")
		if name != "ais_target_get_bytes" {
			continue
		}
		fields := strings.Fields(rest)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", sc.Text(), err)
		}
		sum += v
		found = true
	}
	if !found {
		return 0 // no GET served yet: the target shows the counter once it moves
	}
	return int64(sum)
}

func (e *env) put(t *testing.T, name string, data []byte) {
	t.Helper()
	if _, err := e.c.PutObject(t.Context(), e.bck, name, bytes.NewReader(data), int64(len(data)), aisclient.PutOptions{}); err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

// mount is one aisfs process serving the env's bucket.
type mount struct {
	dir    string
	log    string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed when aisfs has exited
}

// mount runs aisfs in the foreground with the extra flags and waits for the mount.
func (e *env) mount(t *testing.T, args ...string) *mount {
	t.Helper()
	m := &mount{dir: t.TempDir(), log: filepath.Join(t.TempDir(), "aisfs.log"), out: &syncBuffer{}}
	all := append([]string{"-f", "--endpoint", e.endpoint, "--staging-dir", t.TempDir(), "--log-file", m.log}, args...)
	m.cmd = exec.Command(aisfsBin, append(all, "ais://"+e.bck.Name, m.dir)...)
	m.cmd.Stdout, m.cmd.Stderr = m.out, m.out
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { m.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		m.unmount(t, exited)
		if t.Failed() {
			t.Logf("aisfs output:\n%s\naisfs log:\n%s", m.out.String(), m.logText(t))
		}
	})
	deadline := time.Now().Add(mountTimeout)
	for !mounted(m.dir) {
		select {
		case <-exited:
			t.Fatalf("aisfs exited before mounting:\n%s", m.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aisfs did not mount:\n%s", m.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.exited = exited
	return m
}

func mounted(dir string) bool {
	data, _ := os.ReadFile("/proc/self/mounts")
	return bytes.Contains(data, []byte(" "+dir+" fuse.aisfs "))
}

// unmount sends SIGTERM and waits for aisfs to exit: blocks still queued for the disk are
// written by then.
func (m *mount) unmount(t *testing.T, exited chan struct{}) {
	if m.cmd.ProcessState != nil || m.cmd.Process == nil {
		return
	}
	m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Minute):
		m.cmd.Process.Kill()
		syscall.Unmount(m.dir, syscall.MNT_DETACH)
		t.Errorf("aisfs did not exit after SIGTERM")
	}
}

// stop unmounts now, for a test that mounts again.
func (m *mount) stop(t *testing.T) {
	t.Helper()
	m.unmount(t, m.exited)
	if mounted(m.dir) {
		t.Fatalf("%s still mounted", m.dir)
	}
}

func (m *mount) logText(t *testing.T) string {
	b, err := os.ReadFile(m.log)
	if err != nil && !os.IsNotExist(err) {
		t.Errorf("read aisfs log: %v", err)
	}
	return string(b)
}

// dropCaches empties the kernel's page cache, so a read from the disk cache reads its disk.
func dropCaches(t *testing.T) {
	t.Helper()
	aiscluster.DropCaches(t)
}

type syncBuffer = aiscluster.SyncBuffer
