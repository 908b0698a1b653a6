package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) {
	if os.Getenv(loaderChildEnv) != "" { // a loader worker process (loader_bench_test.go)
		os.Exit(loaderChild())
	}
	aiscluster.Main(m, printTable, func() {
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

// runs is how many cold runs each cell is the median of.
func runs() int { return envInt("AISFS_BENCH_RUNS", 3) }

// env is the cluster endpoint, the benchmark bucket and the direct client.
type env struct {
	ep string
	d  *direct
}

const bucket = "aisfs-bench"

var (
	aisfsOnce    sync.Once
	aisfsBin     string
	aisfsErr     error
	aisfsCleanup func()
)

func buildAisfs(b *testing.B) string {
	aisfsOnce.Do(func() {
		if p := os.Getenv("AISFS"); p != "" { // make bench passes the binary it built
			aisfsBin, aisfsCleanup = p, func() {}
			return
		}
		aisfsBin, aisfsCleanup, aisfsErr = aiscluster.BuildAisfs()
	})
	if aisfsErr != nil {
		b.Fatal(aisfsErr)
	}
	return aisfsBin
}

func newEnv(b *testing.B) *env {
	b.Helper()
	aiscluster.RequireFUSE(b)
	ep := aiscluster.Endpoint(b)
	d, err := newDirect(b.Context(), ep, bucket)
	if err != nil {
		b.Fatal(err)
	}
	if err := d.createBucket(b.Context()); err != nil {
		b.Fatal(err)
	}
	return &env{ep: ep, d: d}
}

// dropCaches makes a run cold: the kernel's page, dentry and inode caches go (the target's
// files included, so direct reads are cold too). It waits for tests that count what the page
// cache serves (aiscluster.KeepPageCache), which a drop in their middle would fail.
func dropCaches(b *testing.B) {
	b.Helper()
	aiscluster.DropCaches(b)
}

// mount is one aisfs process serving the cluster.
type mount struct {
	cmd *exec.Cmd
	mnt string
	dir string // the bucket's directory in the mount
}

// mountFlags are the product's defaults plus what AISFS_BENCH_FLAGS adds (split on spaces), so
// engineers can compare options with the same harness.
func mountFlags() []string { return strings.Fields(os.Getenv("AISFS_BENCH_FLAGS")) }

// startMount serves a fresh mount from the aisfs binary in its own process, as users run it.
// label names its profiles (AISFS_BENCH_CPUPROFILE, AISFS_BENCH_MEMPROFILE prefixes).
func (e *env) startMount(b *testing.B, label string, extra ...string) *mount {
	b.Helper()
	mnt, err := os.MkdirTemp("", "aisfs-bench-mnt-")
	if err != nil {
		b.Fatal(err)
	}
	args := append([]string{"-f"}, mountFlags()...)
	args = append(args, extra...)
	if p := os.Getenv("AISFS_BENCH_CPUPROFILE"); p != "" {
		args = append(args, "--cpu-profile", p+"."+label+".pprof")
	}
	if p := os.Getenv("AISFS_BENCH_MEMPROFILE"); p != "" {
		args = append(args, "--mem-profile", p+"."+label+".pprof")
	}
	cmd := exec.Command(buildAisfs(b), append(args, e.ep, mnt)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	m := &mount{cmd: cmd, mnt: mnt, dir: filepath.Join(mnt, "ais", bucket)}
	b.Cleanup(m.stop) // a no-op after an explicit stop
	deadline := time.Now().Add(30 * time.Second)
	for !m.mounted() {
		if time.Now().After(deadline) {
			b.Fatalf("aisfs did not mount %s", mnt)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m
}

func (m *mount) mounted() bool {
	data, _ := os.ReadFile("/proc/self/mounts")
	return bytes.Contains(data, []byte(" "+m.mnt+" fuse.aisfs "))
}

// stop unmounts (SIGINT: aisfs finishes uploads, writes its profiles and exits).
func (m *mount) stop() {
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { m.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		m.cmd.Process.Kill()
		<-done
	}
	if m.mounted() {
		exec.Command("fusermount3", "-u", "-z", m.mnt).Run()
	}
	os.Remove(m.mnt)
	m.cmd = nil
}

// peakRSS is the daemon's VmHWM in bytes.
func (m *mount) peakRSS(b *testing.B) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb * 1024
		}
	}
	b.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// cpuSeconds is the daemon's utime+stime so far: a figure that contention on a shared machine
// moves far less than wall time.
func (m *mount) cpuSeconds(b *testing.B) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the ")" closing comm: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// obj is one object of a data set: its name, content id and size.
type obj struct {
	name string
	k    uint64
	size int64
}

// ensure uploads the objects of a data set that a listing does not show with the right size
// (data sets are created once and reused; an interrupted upload resumes).
func (e *env) ensure(b *testing.B, prefix string, objs []obj) {
	b.Helper()
	ctx := context.Background()
	have := make(map[string]int64, len(objs))
	err := e.d.list(ctx, prefix, "name,size", false, func(ents []entry) error {
		for _, en := range ents {
			have[en.Name], _ = strconv.ParseInt(en.Size, 10, 64)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var missing []obj
	for _, o := range objs {
		if sz, ok := have[o.name]; !ok || sz != o.size {
			missing = append(missing, o)
		}
	}
	if len(missing) == 0 {
		return
	}
	b.Logf("creating %d objects under %s", len(missing), prefix)
	t0 := time.Now()
	workers := 16
	if len(missing) > 1000 {
		workers = 64 // many tiny PUTs: keep the target busy (the round trip, not bytes, is the cost)
	}
	if err := parallel(workers, len(missing), func(i int) error {
		o := missing[i]
		return e.d.put(ctx, o.name, o.size, func() io.Reader { return newGen(o.k, o.size) })
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("created %d objects under %s in %.1fs", len(missing), prefix, time.Since(t0).Seconds())
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error (the rest stop).
func parallel(workers, n int, fn func(i int) error) error {
	var (
		mu    sync.Mutex
		next  int
		first error
		wg    sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}
