package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) {
	aiscluster.Main(m, func() {
		if aisfsCleanup != nil {
			aisfsCleanup()
		}
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// env is the benchmark bucket and its client.
type env struct {
	c   *aisclient.Client
	bck aisclient.Bck
	ep  string
}

var (
	aisfsOnce sync.Once
	aisfsBin  string
	aisfsErr  error

	aisfsCleanup func()
)

func buildAisfs(b *testing.B) string {
	aisfsOnce.Do(func() {
		aisfsBin, aisfsCleanup, aisfsErr = aiscluster.BuildAisfs()
	})
	if aisfsErr != nil {
		b.Fatal(aisfsErr)
	}
	return aisfsBin
}

func newEnv(b *testing.B) *env {
	b.Helper()
	ep := aiscluster.Endpoint(b)
	c, err := aisclient.New(aisclient.Config{Endpoint: ep})
	if err != nil {
		b.Fatal(err)
	}
	bck := aisclient.Bck{Name: "aisfs-bench", Provider: aisclient.ProviderAIS}
	if _, err := c.HeadBucket(b.Context(), bck); err != nil {
		if err := c.CreateBucket(b.Context(), bck); err != nil {
			b.Fatal(err)
		}
	}
	return &env{c: c, bck: bck, ep: ep}
}

// mount serves a fresh mount of the cluster from the aisfs binary in its own process, as users
// run it (so every measurement starts cold), and returns the bucket's directory in it.
func (e *env) mount(b *testing.B, extra ...string) string {
	b.Helper()
	mnt := b.TempDir()
	args := append([]string{"-f", "--stat-ttl", "1m", "--cache-size", "256MiB"}, extra...)
	if p := os.Getenv("AISFS_BENCH_CPUPROFILE"); p != "" {
		args = append(args, "--cpu-profile", p+"."+strings.ReplaceAll(b.Name(), "/", "_"))
	}
	cmd := exec.Command(buildAisfs(b), append(args, e.ep, mnt)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	waitMounted(b, mnt)
	return filepath.Join(mnt, "ais", e.bck.Name)
}

func waitMounted(b *testing.B, mnt string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile("/proc/self/mounts")
		if bytes.Contains(data, []byte(" "+mnt+" fuse.aisfs ")) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("aisfs did not mount %s", mnt)
}

// ensure uploads objects named by name(i), i < n, of size bytes each, unless a listing shows they
// are there already (benchmarks rerun on the same cluster reuse them).
func (e *env) ensure(b *testing.B, prefix string, n, size int) {
	b.Helper()
	ctx := context.Background()
	ents, _, err := e.c.ListObjects(ctx, e.bck, aisclient.ListOptions{Prefix: prefix, Props: []string{"name", "size"}})
	if err != nil {
		b.Fatal(err)
	}
	if len(ents) == n {
		return
	}
	data := make([]byte, size)
	rand.NewChaCha8([32]byte{1}).Read(data)
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Go(func() {
			for i := range work {
				_, err := e.c.PutObject(ctx, e.bck, objName(prefix, i), bytes.NewReader(data), int64(size), aisclient.PutOptions{})
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

func objName(prefix string, i int) string { return fmt.Sprintf("%s%06d", prefix, i) }
