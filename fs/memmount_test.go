package fs

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/internal/memstore"
	"github.com/aisfs/aisfs/writeback"
)

var _ Store = (*memstore.Store)(nil)

// testClock is the filesystem's clock in memMount tests: time moves only when the test says.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// advance moves the clock past the stat TTL, so every listing and attribute is stale.
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// memEnv is a mount of one bucket of an in-memory AIS.
type memEnv struct {
	mnt   string
	store *memstore.Store
	bck   aisclient.Bck
	clock *testClock
	ttl   time.Duration
}

// memMount mounts bucket "b" of a fresh memstore. The kernel caches nothing (entry, attribute
// and negative timeouts are zero), so every path operation reaches the filesystem, and the
// filesystem's own TTL runs on the test's clock: freshness is the test's to decide.
func memMount(t *testing.T, mod func(*Config)) *memEnv {
	t.Helper()
	requireFUSE(t)
	clock := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := memstore.New(memstore.Options{Now: clock.Now})
	bck := aisclient.Bck{Name: "b", Provider: aisclient.ProviderAIS}
	if err := s.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(cache.Config{Capacity: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cfg := Config{Store: s, Cache: c, Bucket: bck, StatTTL: time.Minute, Now: clock.Now}
	if mod != nil {
		mod(&cfg)
	}
	if cfg.Writeback == nil && !cfg.ReadOnly {
		wb, err := writeback.NewManager(writeback.Config{
			Dir: t.TempDir(), ChunkSize: 1 << 20,
			// Uploads are resent until this budget is spent: short, so a test of a store that
			// keeps failing ends quickly.
			OpTimeout: time.Second, Backoff: 10 * time.Millisecond,
		}, s)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Writeback = wb
	}
	fsys, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	opts := fsys.Options(fuse.MountOptions{FsName: "aisfs-mem", Name: "aisfs", DirectMount: os.Geteuid() == 0})
	var zero time.Duration
	opts.EntryTimeout, opts.AttrTimeout, opts.NegativeTimeout = &zero, &zero, &zero
	mnt := t.TempDir()
	server, err := fusefs.Mount(mnt, fsys.Root(), opts)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		if err := server.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return &memEnv{mnt: mnt, store: s, bck: bck, clock: clock, ttl: cfg.StatTTL}
}

func (e *memEnv) path(p string) string { return e.mnt + "/" + p }

// stale makes every listing and attribute the mount holds older than the TTL.
func (e *memEnv) stale() { e.clock.advance(e.ttl + time.Second) }

// put writes an object as another host would, behind the mount's back.
func (e *memEnv) put(t *testing.T, name, data string) {
	t.Helper()
	if _, err := e.store.PutObject(t.Context(), e.bck, name, strings.NewReader(data), int64(len(data)), aisclient.PutOptions{}); err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

// names lists a directory of the mount.
func (e *memEnv) names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(e.path(dir))
	if err != nil {
		t.Fatalf("readdir %s: %v", dir, err)
	}
	out := []string{}
	for _, d := range ents {
		n := d.Name()
		if d.IsDir() {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

// listOpts lists one level of the bucket, as a directory listing does.
func listOpts(prefix string) aisclient.ListOptions {
	return aisclient.ListOptions{Prefix: prefix, NoRecursion: true}
}
