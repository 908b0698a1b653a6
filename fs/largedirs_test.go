package fs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
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
	fsys := unmountedFS(t, Config{Store: st, Bucket: bck, StatTTL: ttl, ListLookupMax: 5, Now: clk.Now})
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
		l, known, err := d.lookupListing(ctx, "f00")
		if err == nil { // a listing that covers the name may still be loading its end
			_, _, err = l.entry(ctx, int(^uint(0)>>1))
		}
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
	if _, _, err := d.lookupListing(ctx, "f00"); err != nil || st.lists.Load() == lists {
		t.Errorf("a small directory's lookup after its LIST outlived the TTL: %d LISTs, %v", st.lists.Load()-lists, err)
	}
}

// gatedListStore hands a directory's LIST over in small pages and holds back all but the first
// until gate closes: a LIST of a million objects, whose first entries arrive long before its end.
type gatedListStore struct {
	Store
	prefix string
	gate   chan struct{}
}

func (s *gatedListStore) ListObjectsPages(ctx context.Context, bck aisclient.Bck, o aisclient.ListOptions, fn func([]aisclient.Entry) error) (bool, error) {
	pl := s.Store.(pageLister)
	if o.Prefix != s.prefix {
		return pl.ListObjectsPages(ctx, bck, o, fn)
	}
	o.FirstPage, o.PageSize = 20, 20
	pages := 0
	return pl.ListObjectsPages(ctx, bck, o, func(page []aisclient.Entry) error {
		if pages++; pages > 1 {
			select {
			case <-s.gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return fn(page)
	})
}

// TestLargeDirectoryLookupsAnswerAsTheListPasses: on a real mount, a large directory's lookups
// (lstat after the TTL, as ls -l of a million objects makes) answer as soon as the relisting
// passes their name, files and absent names alike, while the rest of the LIST is still to come.
// Before, each waited for the whole LIST: with a LIST longer than the TTL, ls -l relisted the
// directory again and again and stalled for most of each.
func TestLargeDirectoryLookupsAnswerAsTheListPasses(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for i := range 60 {
		put(t, c, bck, fmt.Sprintf("d/f%02d", i), make([]byte, i))
	}
	st := &gatedListStore{Store: c, prefix: "d/", gate: make(chan struct{})}
	mnt, fsys := testMountFS(t, Config{Store: st, Bucket: bck, ReadOnly: true, StatTTL: time.Minute, ListLookupMax: 10})
	fsys.large.saw(bck, "d/", true) // an earlier readdir found it larger than a lookup lists
	opened := false
	defer func() {
		if !opened {
			close(st.gate)
		}
	}()
	type result struct {
		name string
		err  error
	}
	res := make(chan result, 1)
	for _, tc := range []struct {
		name string
		size int64 // -1: absent
	}{{"f03", 3}, {"f10", 10}, {"f035", -1}} { // all within the first page of 20
		go func() {
			fi, err := os.Lstat(filepath.Join(mnt, "d", tc.name))
			switch {
			case tc.size < 0 && errors.Is(err, os.ErrNotExist):
				err = nil
			case tc.size < 0:
				err = fmt.Errorf("want ENOENT, got %v", err)
			case tc.size >= 0 && err == nil && fi.Size() != tc.size:
				err = fmt.Errorf("size %d, want %d", fi.Size(), tc.size)
			}
			res <- result{tc.name, err}
		}()
		select {
		case r := <-res:
			if r.err != nil {
				t.Errorf("lstat %s: %v", r.name, r.err)
			}
		case <-time.After(time.Minute): // the LIST's end never comes until the gate opens
			t.Fatalf("lstat %s waited for the whole LIST", tc.name)
		}
	}
	close(st.gate)
	opened = true
	if fi, err := os.Lstat(filepath.Join(mnt, "d", "f55")); err != nil || fi.Size() != 55 {
		t.Errorf("lstat f55 past the first page: %v", err)
	}
}
