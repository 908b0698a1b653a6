package fs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
)

// slowListStore is a store whose every LIST takes `took` on the mount's clock, as a
// million-object directory's does on a real one.
type slowListStore struct {
	countingStore
	clk  *testClock
	took time.Duration
}

func (s *slowListStore) ListObjects(ctx context.Context, bck aisclient.Bck, o aisclient.ListOptions) ([]aisclient.Entry, bool, error) {
	ents, more, err := s.countingStore.ListObjects(ctx, bck, o)
	s.clk.advance(s.took)
	return ents, more, err
}

// TestLargeDirectoryListingFreshFromItsEnd: a LIST longer than the stat TTL still serves the
// lookups of a large directory for one TTL after it completes; without that every lookup
// listed the directory again.
func TestLargeDirectoryListingFreshFromItsEnd(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for i := range 8 {
		put(t, c, bck, fmt.Sprintf("d/f%02d", i), make([]byte, i))
	}
	const ttl = 10 * time.Second
	clk := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := &slowListStore{countingStore: countingStore{Store: c}, clk: clk, took: ttl + ttl/2}
	blocks, err := cache.New(cache.Config{Capacity: 1 << 20, BlockSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(blocks.Close)
	fsys, err := New(Config{Store: st, Cache: blocks, Bucket: bck, ReadOnly: true, StatTTL: ttl, ListLookupMax: 5, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	d := fsys.newDir(bck, false)
	d.nm.set("d/")
	fsys.large.saw(bck, "d/", true) // an earlier readdir found it larger than a lookup lists
	ctx := context.Background()
	for _, tc := range []struct {
		what  string
		wait  time.Duration // on the clock, before the lookup
		lists int64
	}{
		{"first lookup lists in full", 0, 1},
		{"right after the LIST ended", 0, 0},
		{"within the TTL of its end (past the TTL of its start)", ttl - time.Second, 0},
		{"past the TTL of its end", 2 * time.Second, 1},
		{"the new listing serves in turn", 0, 0},
	} {
		clk.advance(tc.wait)
		lists := st.lists.Load()
		l, known, err := d.lookupListing(ctx)
		if err != nil || !known || !l.isComplete() || l.len() != 8 {
			t.Fatalf("%s: known %v, %v", tc.what, known, err)
		}
		if got := st.lists.Load() - lists; got != tc.lists {
			t.Errorf("%s: %d LISTs, want %d", tc.what, got, tc.lists)
		}
	}
	// Not large: a lookup judges the listing from its start, as before.
	fsys.large.saw(bck, "d/", false)
	lists := st.lists.Load()
	if _, _, err := d.lookupListing(ctx); err != nil || st.lists.Load() == lists {
		t.Errorf("a small directory's lookup after its LIST outlived the TTL: %d LISTs, %v", st.lists.Load()-lists, err)
	}
}
