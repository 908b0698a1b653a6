package fs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestHandout(t *testing.T) {
	const ttl = 10 * time.Second
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l1, l2 := newListing("", t0), newListing("", t0)
	type hand struct {
		l    *listing
		name string
		dir  bool
		at   time.Duration // after t0
	}
	type ask struct {
		name string
		at   time.Duration
		want *listing
	}
	for _, tc := range []struct {
		what  string
		hands []hand
		asks  []ask
	}{
		{"nothing handed out", nil, []ask{{"a", 0, nil}}},
		{"the range handed out, and only it",
			[]hand{{l1, "b", false, 0}, {l1, "c", true, 0}, {l1, "d", false, 0}},
			[]ask{{"b", 0, l1}, {"c", 0, l1}, {"cc", 0, l1}, {"d", 0, l1}, {"a", 0, nil}, {"e", 0, nil}, {"d0", 0, nil}}},
		{"a directory's key ends in /: c is in a range that starts at c/",
			[]hand{{l1, "c", true, 0}, {l1, "d", false, 0}},
			[]ask{{"c", 0, l1}, {"b", 0, nil}}},
		{"too long ago",
			[]hand{{l1, "b", false, 0}},
			[]ask{{"b", ttl - 1, l1}, {"b", ttl, nil}}},
		{"lo moves up every half TTL, so old names fall out",
			[]hand{{l1, "a", false, 0}, {l1, "b", false, ttl / 2}, {l1, "c", false, ttl}},
			[]ask{{"a", ttl, nil}, {"b", ttl, l1}, {"c", ttl, l1}}},
		{"a readdir that paused: names since mid still answer",
			[]hand{{l1, "a", false, 0}, {l1, "b", false, ttl / 2}, {l1, "c", false, ttl / 2}},
			[]ask{{"a", ttl - 1, l1}, {"a", ttl, nil}, {"b", ttl, l1}, {"c", ttl + ttl/2 - 1, l1}, {"c", ttl + ttl/2, nil}}},
		{"another listing starts over",
			[]hand{{l1, "a", false, 0}, {l1, "b", false, 0}, {l2, "c", false, 0}},
			[]ask{{"a", 0, nil}, {"b", 0, nil}, {"c", 0, l2}}},
		{"a readdir that went back starts over",
			[]hand{{l1, "a", false, 0}, {l1, "m", false, 0}, {l1, "b", false, 0}},
			[]ask{{"a", 0, nil}, {"b", 0, l1}, {"c", 0, nil}, {"m", 0, nil}}},
	} {
		var h handout
		for _, x := range tc.hands {
			h.handed(x.l, x.name, x.dir, t0.Add(x.at), ttl)
		}
		for _, a := range tc.asks {
			if got := h.covering(a.name, t0.Add(a.at), ttl); got != a.want {
				t.Errorf("%s: covering(%q) at +%v = %p, want %p", tc.what, a.name, a.at, got, a.want)
			}
		}
	}
}

// TestLookupOfHandedNameDoesNotList: once a readdir's listing is past the TTL, the lookups of
// the names it just handed out (ls -l of a directory too large to list within the TTL) answer
// from it, not from a new LIST kept in memory beside it; other names still list again.
func TestLookupOfHandedNameDoesNotList(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for i := range 20 {
		put(t, c, bck, fmt.Sprintf("d/f%02d", i), make([]byte, i))
	}
	const ttl = 10 * time.Second
	clk := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := &countingStore{Store: c}
	fsys := unmountedFS(t, Config{Store: st, Bucket: bck, StatTTL: ttl, Now: clk.Now})
	d := fsys.newDir(bck, false)
	d.nm.set("d/")
	ctx := context.Background()
	l, err := d.stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := d.newDirHandle(l)
	clk.advance(ttl + time.Second) // the listing is stale as readdir walks it
	for range 2 + 10 {             // ".", "..", f00..f09
		if de, errno := h.Readdirent(ctx); de == nil || errno != 0 {
			t.Fatalf("readdir: %v %v", de, errno)
		}
	}
	lists, heads := st.lists.Load(), st.heads.Load()
	e, _, errno := d.resolve(ctx, "f07")
	if errno != 0 || e.attr.size != 7 {
		t.Fatalf("lookup f07: %v %v", e, errno)
	}
	if st.lists.Load() != lists || st.heads.Load() != heads {
		t.Errorf("lookup of a name readdir just handed out: %d LISTs, %d HEADs, want none",
			st.lists.Load()-lists, st.heads.Load()-heads)
	}
	if _, _, errno := d.resolve(ctx, "f15"); errno != 0 {
		t.Fatalf("lookup f15: %v", errno)
	}
	if st.lists.Load() == lists && st.heads.Load() == heads {
		t.Error("a name readdir has not handed out answered from the stale listing")
	}
}

// TestStatOfHandedNamesOnAMount: ls -l of a directory whose listing went stale before readdir
// handed its names out (a LIST longer than the TTL) stats each name without a HEAD or a LIST,
// whether the kernel looks it up again or asks its attributes; a TTL later it asks AIS again.
func TestStatOfHandedNamesOnAMount(t *testing.T) {
	var cs *countingStore
	e := memMount(t, func(c *Config) {
		cs = &countingStore{Store: c.Store}
		c.Store, c.ReadOnly = cs, true
	})
	const n = 20
	for i := range n {
		e.put(t, fmt.Sprintf("d/f%02d", i), strings.Repeat("x", i))
	}
	dir, err := os.Open(e.path("d"))
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	e.stale() // the listing opendir started is stale before readdir hands its names out
	names, err := dir.Readdirnames(-1)
	if err != nil || len(names) != n {
		t.Fatalf("readdir: %d names, %v", len(names), err)
	}
	if _, err := os.Lstat(e.path("d")); err != nil { // the root's lookup of d lists the root
		t.Fatal(err)
	}
	lists, heads := cs.lists.Load(), cs.heads.Load()
	for _, name := range names {
		var i int
		fmt.Sscanf(name, "f%d", &i)
		if fi, err := os.Lstat(e.path("d/" + name)); err != nil || fi.Size() != int64(i) {
			t.Fatalf("lstat %s: %v %v", name, fi, err)
		}
	}
	if got := cs.lists.Load() - lists + cs.heads.Load() - heads; got != 0 {
		t.Errorf("ls -l of names readdir just handed out: %d LISTs and %d HEADs, want none",
			cs.lists.Load()-lists, cs.heads.Load()-heads)
	}
	e.stale()
	if _, err := os.Lstat(e.path("d/f05")); err != nil {
		t.Fatal(err)
	}
	if cs.lists.Load() == lists && cs.heads.Load() == heads {
		t.Error("a stat a TTL after readdir handed the name out answered from that old listing")
	}
}
