package fs

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/test/aiscluster"
	"github.com/aisfs/aisfs/writeback"
)

func TestMain(m *testing.M) { aiscluster.Main(m) }

// requireFUSE skips without /dev/fuse, except under CI where a skip would hide a missing setup.
func requireFUSE(t *testing.T) {
	t.Helper()
	aiscluster.RequireFUSE(t)
}

func newClient(t *testing.T) *aisclient.Client {
	t.Helper()
	c, err := aisclient.New(aisclient.Config{Endpoint: aiscluster.Endpoint(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var bucketSeq atomic.Int64

// newBucket creates an empty ais bucket that is destroyed when the test ends.
func newBucket(t *testing.T, c *aisclient.Client) aisclient.Bck {
	t.Helper()
	name := strings.ToLower(fmt.Sprintf("fs-%s-%d-%d", t.Name(), time.Now().UnixNano()%1e6, bucketSeq.Add(1)))
	name = strings.NewReplacer("/", "-", "_", "-").Replace(name)
	bck := aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatalf("create bucket %s: %v", bck, err)
	}
	t.Cleanup(func() { c.DestroyBucket(context.Background(), bck) })
	return bck
}

func put(t *testing.T, c *aisclient.Client, bck aisclient.Bck, name string, data []byte) {
	t.Helper()
	if _, err := c.PutObject(t.Context(), bck, name, bytes.NewReader(data), int64(len(data)), aisclient.PutOptions{}); err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// testMount mounts cfg in a temp dir for the test's lifetime; Cache and small-test defaults
// are filled in when absent.
func testMount(t *testing.T, cfg Config) string {
	t.Helper()
	mnt, _ := testMountFS(t, cfg)
	return mnt
}

// testMountFS is testMount that also returns the mounted filesystem.
func testMountFS(t *testing.T, cfg Config) (string, *FS) {
	t.Helper()
	requireFUSE(t)
	if cfg.Cache == nil {
		c, err := cache.New(cache.Config{Capacity: 256 << 20})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		cfg.Cache = c
	}
	if cfg.Writeback == nil && !cfg.ReadOnly {
		ws, ok := cfg.Store.(writeback.Store)
		if cs, counting := cfg.Store.(*countingStore); counting {
			ws, ok = cs.Store.(writeback.Store)
		}
		if !ok {
			t.Fatalf("%T cannot store writes", cfg.Store)
		}
		wb, err := writeback.NewManager(writeback.Config{Dir: t.TempDir(), ChunkSize: 1 << 20}, ws)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Writeback = wb
	}
	fsys, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mnt := t.TempDir()
	opts := fsys.Options(fuse.MountOptions{
		FsName: "aisfs-test", Name: "aisfs", DirectMount: os.Geteuid() == 0,
		MaxWrite: 1 << 20, MaxReadAhead: 1 << 20, MaxBackground: 64,
		Debug: os.Getenv("AISFS_TEST_FUSE_DEBUG") != "",
	})
	server, err := fusefs.Mount(mnt, fsys.Root(), opts)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		if err := server.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return mnt, fsys
}

// countingStore counts calls per method so tests can check what an operation costs AIS.
type countingStore struct {
	Store
	heads, lists, gets atomic.Int64
}

func (s *countingStore) HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error) {
	s.heads.Add(1)
	return s.Store.HeadObject(ctx, bck, name)
}

func (s *countingStore) ListObjects(ctx context.Context, bck aisclient.Bck, o aisclient.ListOptions) ([]aisclient.Entry, bool, error) {
	s.lists.Add(1)
	return s.Store.ListObjects(ctx, bck, o)
}

func (s *countingStore) GetRange(ctx context.Context, bck aisclient.Bck, name string, off int64, p []byte) (int, *aisclient.ObjAttrs, error) {
	s.gets.Add(1)
	return s.Store.GetRange(ctx, bck, name, off, p)
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: content differs at byte %d (got %d bytes, want %d)", what, i, len(got), len(want))
	}
}

var _ io.ReaderAt = (*os.File)(nil)

// unmountedFS builds a read-only FS with a small block cache and no FUSE mount, for tests that
// call nodes' methods directly; cfg names the store, bucket and whatever else the test needs.
func unmountedFS(t *testing.T, cfg Config) *FS {
	t.Helper()
	blocks, err := cache.New(cache.Config{Capacity: 1 << 20, BlockSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(blocks.Close)
	cfg.Cache, cfg.ReadOnly = blocks, true
	fsys, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}
