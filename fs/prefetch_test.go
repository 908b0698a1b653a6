package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
)

// batchStore is a countingStore that can also GetBatch.
type batchStore struct {
	*countingStore
	c *aisclient.Client
}

// batchCalls counts GetBatch requests of every batchStore.
var batchCalls atomic.Int64

func (s *batchStore) GetBatch(ctx context.Context, bck aisclient.Bck, names []string, each func(aisclient.BatchMember, io.Reader) error) (int, error) {
	batchCalls.Add(1)
	return s.c.GetBatch(ctx, bck, names, each)
}

// smallTree puts n files of 1..64 KiB under d/ and returns their contents by name.
func smallTree(t *testing.T, c *aisclient.Client, bck aisclient.Bck, n int) ([]string, map[string][]byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	names := make([]string, n)
	data := map[string][]byte{}
	for i := range n {
		names[i] = fmt.Sprintf("f%04d", i)
		data[names[i]] = randBytes(t, 1+rng.IntN(64<<10))
		put(t, c, bck, "d/"+names[i], data[names[i]])
	}
	return names, data
}

func batchMount(t *testing.T, c *aisclient.Client, bck aisclient.Bck, capacity int64, ttl time.Duration) (string, *countingStore, *cache.Cache) {
	t.Helper()
	mnt, cs, ch, _ := batchMountFS(t, c, bck, capacity, ttl)
	return mnt, cs, ch
}

// batchMountFS is batchMount that also returns the mounted filesystem.
func batchMountFS(t *testing.T, c *aisclient.Client, bck aisclient.Bck, capacity int64, ttl time.Duration) (string, *countingStore, *cache.Cache, *FS) {
	t.Helper()
	cs := &countingStore{Store: c}
	ch, err := cache.New(cache.Config{Capacity: capacity, BlockSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Close)
	mnt, fsys := testMountFS(t, Config{Store: &batchStore{countingStore: cs, c: c}, Cache: ch, Bucket: bck, StatTTL: ttl, ReadOnly: true})
	return mnt, cs, ch, fsys
}

// TestBatchedReadsInListingOrder: files read in listing order come from GetBatch, byte-exact,
// with a handful of GETs, and batched bytes stay within the cache's capacity.
func TestBatchedReadsInListingOrder(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	names, data := smallTree(t, c, bck, 300)
	const capacity = 8 << 20
	mnt, cs, ch, fsys := batchMountFS(t, c, bck, capacity, time.Minute)
	b0 := batchCalls.Load()
	for _, n := range names {
		mustEqual(t, n, readAll(t, filepath.Join(mnt, "d", n)), data[n])
		if s := ch.Stats(); s.Bytes+s.InFlight > capacity+1<<20 {
			t.Fatalf("after %s the cache holds %d and reserves %d bytes, over its %d", n, s.Bytes, s.InFlight, capacity)
		}
	}
	if b := batchCalls.Load() - b0; b < 2 {
		t.Errorf("%d GetBatch requests for 300 files read in order, want several", b)
	}
	if g := cs.gets.Load(); g > 30 {
		t.Errorf("%d GETs for 300 files read in order, want most from batches", g)
	}
	// The metrics' counters: every request, and (the GETs aside) every file fetched and opened.
	st := fsys.BatchStats()
	if b := batchCalls.Load() - b0; st.Batches != b || st.Members < 250 || st.Hits < 250 || st.Hits > int64(len(names)) {
		t.Errorf("BatchStats %+v after %d GetBatch requests for %d files read in order", st, b, len(names))
	}
}

// TestRandomOpensSendNoBatch: opens in no order are read one GET each, as before.
func TestRandomOpensSendNoBatch(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	names, data := smallTree(t, c, bck, 200)
	mnt, _, _, fsys := batchMountFS(t, c, bck, 64<<20, time.Minute)
	b0 := batchCalls.Load()
	rng := rand.New(rand.NewPCG(5, 5))
	for _, i := range rng.Perm(len(names))[:80] {
		mustEqual(t, names[i], readAll(t, filepath.Join(mnt, "d", names[i])), data[names[i]])
	}
	if b := batchCalls.Load() - b0; b != 0 {
		t.Errorf("random opens sent %d GetBatch requests, want 0", b)
	}
	if st := fsys.BatchStats(); st != (BatchStats{}) {
		t.Errorf("BatchStats %+v after random opens, want none", st)
	}
}

// TestBatchedReadsAfterChanges: a file rewritten or deleted after the listing, inside the
// window a batch fetches, reads exactly as it does without batching: never the batch's bytes
// under the listed version.
func TestBatchedReadsAfterChanges(t *testing.T) {
	type outcome struct {
		data  []byte
		errno syscall.Errno
	}
	run := func(t *testing.T, noBatch bool) map[string]outcome {
		c := newClient(t)
		bck := newBucket(t, c)
		names, data := smallTree(t, c, bck, 120)
		cs := &countingStore{Store: c}
		ch, err := cache.New(cache.Config{Capacity: 64 << 20})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ch.Close)
		var st Store = &batchStore{countingStore: cs, c: c}
		if noBatch {
			st = cs
		}
		mnt := testMount(t, Config{Store: st, Cache: ch, Bucket: bck, StatTTL: time.Minute, NoBatchReads: noBatch, ReadOnly: true})
		if _, err := os.ReadDir(filepath.Join(mnt, "d")); err != nil { // the listing
			t.Fatal(err)
		}
		// After the listing: same size, other bytes; and a deletion.
		rewritten := bytes.Repeat([]byte{'x'}, len(data[names[40]]))
		put(t, c, bck, "d/"+names[40], rewritten)
		if err := c.DeleteObject(t.Context(), bck, "d/"+names[50]); err != nil {
			t.Fatal(err)
		}
		out := map[string]outcome{}
		for i, n := range names {
			got, err := os.ReadFile(filepath.Join(mnt, "d", n))
			var errno syscall.Errno
			if err != nil && !errors.As(err, &errno) {
				t.Fatalf("%s: %v", n, err)
			}
			switch i {
			case 40, 50:
				out[n] = outcome{got, errno}
			default:
				if err != nil {
					t.Fatalf("%s: %v", n, err)
				}
				mustEqual(t, n, got, data[n])
			}
			if i == 40 && err == nil && bytes.Equal(got, data[n]) {
				t.Errorf("%s: the old content after a rewrite", n)
			}
		}
		return out
	}
	b0 := batchCalls.Load()
	with := run(t, false)
	if batchCalls.Load() == b0 {
		t.Fatal("no batch was sent: the test would not test batching")
	}
	without := run(t, true)
	for n, w := range without {
		g := with[n]
		if g.errno != w.errno || !bytes.Equal(g.data, w.data) {
			t.Errorf("%s: batched read gave errno %v and %d bytes, unbatched %v and %d bytes", n, g.errno, len(g.data), w.errno, len(w.data))
		}
	}
}

// TestBusyDirectoryRevalidatesByListing: in a directory many of whose files were opened, a
// revalidation after the stat TTL (here fstat of open files, which the kernel sends as GETATTR
// with no lookup) takes the attributes from one new listing, not a HEAD per file.
func TestBusyDirectoryRevalidatesByListing(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	names, data := smallTree(t, c, bck, 60)
	const ttl = time.Second
	mnt, cs, _ := batchMount(t, c, bck, 64<<20, ttl)
	var open []*os.File
	defer func() {
		for _, f := range open {
			f.Close()
		}
	}()
	for _, n := range names { // a busy directory
		f, err := os.Open(filepath.Join(mnt, "d", n))
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, f)
		got, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, n, got, data[n])
	}
	heads, lists := cs.heads.Load(), cs.lists.Load()
	time.Sleep(ttl + ttl/2)
	for i, f := range open {
		st, err := f.Stat()
		if err != nil || st.Size() != int64(len(data[names[i]])) {
			t.Fatalf("fstat %s: %v, size %d", names[i], err, st.Size())
		}
	}
	if h := cs.heads.Load() - heads; h != 0 {
		t.Errorf("%d HEADs to revalidate 60 files of a busy directory, want 0", h)
	}
	if l := cs.lists.Load() - lists; l != 1 {
		t.Errorf("the directory was listed %d times to revalidate its files, want 1", l)
	}
}

// TestInListingOrder: opens in listing order, reordered as parallel readers reorder them, are
// recognised early; shuffled opens (a training loader's) are not, in any of many shuffles.
func TestInListingOrder(t *testing.T) {
	// detect feeds the opens of positions order and returns the index of the first open that
	// counts as listing order, or -1.
	detect := func(order []int) int {
		lo, hi := order[0], order[0]
		for i, pos := range order {
			lo, hi = min(lo, pos), max(hi, pos)
			if inListingOrder(i+1, lo, hi, pos) {
				return i
			}
		}
		return -1
	}
	rng := rand.New(rand.NewPCG(9, 9))
	tests := []struct {
		name   string
		files  int
		order  func(n int) []int
		within int // -1: never recognised in the first limit opens
		limit  int
	}{
		{"sorted", 1000, func(n int) []int { return seqOrder(n, 1, rng) }, seqAfter, 1000},
		{"16 parallel readers", 1000, func(n int) []int { return seqOrder(n, 16, rng) }, 40, 1000},
		{"64 parallel readers", 1000, func(n int) []int { return seqOrder(n, 64, rng) }, 140, 1000},
		{"shuffled, 128 files", 128, func(n int) []int { return rng.Perm(n) }, -1, 32},
		{"shuffled, 1000 files", 1000, func(n int) []int { return rng.Perm(n) }, -1, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for trial := range 500 {
				got := detect(tt.order(tt.files)[:tt.limit])
				switch {
				case tt.within < 0 && got >= 0:
					t.Fatalf("trial %d: shuffled opens taken for listing order at open %d", trial, got+1)
				case tt.within >= 0 && (got < 0 || got >= tt.within):
					t.Fatalf("trial %d: listing order recognised at open %d, want within %d", trial, got+1, tt.within)
				}
			}
		})
	}
}

// seqOrder is positions 0..n-1 as readers parallel workers taking the next file each would
// open them: each open is one of the next readers positions not opened yet.
func seqOrder(n, readers int, rng *rand.Rand) []int {
	var pending, out []int
	next := 0
	for len(out) < n {
		for len(pending) < readers && next < n {
			pending = append(pending, next)
			next++
		}
		i := rng.IntN(len(pending))
		out = append(out, pending[i])
		pending = append(pending[:i], pending[i+1:]...)
	}
	return out
}
