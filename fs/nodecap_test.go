package fs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestNodeCapPrunesLeastRecentlyUsed checks the order of pruning: oldest first, a touched node
// last, and a node the kernel keeps is asked again only after the others.
func TestNodeCapPrunesLeastRecentlyUsed(t *testing.T) {
	fsys := &FS{}
	c := newNodeCap(4)
	fsys.nodes = c
	var mu sync.Mutex
	var pruned []string
	c.prune = func(batch []*fileNode) {
		mu.Lock()
		defer mu.Unlock()
		for _, n := range batch {
			pruned = append(pruned, n.nm.last)
		}
	}
	nodes := map[string]*fileNode{}
	add := func(name string) {
		n := &fileNode{fsys: fsys}
		n.nm.set(name)
		nodes[name] = n
		c.mu.Lock()
		n.lru.counted = true
		c.pushFront(n)
		c.mu.Unlock()
		c.live.Add(1)
	}
	for i := range 6 {
		add(fmt.Sprint("f", i))
	}
	c.touch(nodes["f0"])
	if !c.full() {
		t.Fatal("6 nodes under a cap of 4 is not full")
	}
	c.pass() // 6 live, down to 7/8 of 4 = 3: prunes 3
	want := []string{"f1", "f2", "f3"}
	if fmt.Sprint(pruned) != fmt.Sprint(want) {
		t.Fatalf("pruned %v, want %v", pruned, want)
	}
	// The kernel forgot f1 only; the others stay and come last next time.
	c.forgotten(nodes["f1"])
	c.forgotten(nodes["f1"]) // a second report changes nothing
	if got := c.live.Load(); got != 5 {
		t.Fatalf("live %d after one forget, want 5", got)
	}
	pruned = nil
	c.pass() // 5 live: prunes 2, the least recently used: f4, f5
	if want := []string{"f4", "f5"}; fmt.Sprint(pruned) != fmt.Sprint(want) {
		t.Fatalf("second pass pruned %v, want %v", pruned, want)
	}
}

// TestNodeCapKickDuringPass: nodes added while a pass runs (their kicks find it running) are
// pruned by another pass after it, though nothing kicks again once the additions stop.
func TestNodeCapKickDuringPass(t *testing.T) {
	c := newNodeCap(4)
	inPass, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	c.prune = func(batch []*fileNode) {
		once.Do(func() {
			close(inPass)
			<-release
		})
		for _, n := range batch {
			c.forgotten(n) // as the kernel does with idle inodes it is asked to drop
		}
	}
	add := func() { c.added(&fileNode{}) }
	for range 5 { // the 5th is over the cap: a pass starts, and waits in prune
		add()
	}
	<-inPass
	for range 6 {
		add()
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for c.live.Load() > c.max {
		if time.Now().After(deadline) {
			t.Fatalf("%d nodes live, cap %d: the ones added during the first pass were never pruned", c.live.Load(), c.max)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestNodeCapBoundsInodes lists and stats a directory of more files than the cap on a real
// mount: every file is found with its size, and the kernel's FORGETs bring the file nodes the
// mount keeps back under the cap.
func TestNodeCapBoundsInodes(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const n, max = 300, 40
	for i := range n {
		put(t, c, bck, fmt.Sprintf("d/f%03d", i), make([]byte, i))
	}
	mnt, fsys := testMountFS(t, Config{Store: c, Bucket: bck, ReadOnly: true, StatTTL: time.Minute, MaxFileNodes: max})
	for round := range 2 {
		ents, err := os.ReadDir(filepath.Join(mnt, "d"))
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != n {
			t.Fatalf("round %d: listed %d entries, want %d", round, len(ents), n)
		}
		for i, de := range ents {
			fi, err := os.Lstat(filepath.Join(mnt, "d", de.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("f%03d", i); de.Name() != want || fi.Size() != int64(i) || !fi.Mode().IsRegular() {
				t.Fatalf("entry %d: %s of %d bytes (%v), want %s of %d", i, de.Name(), fi.Size(), fi.Mode(), want, i)
			}
		}
	}
	// FORGETs arrive asynchronously after the prune notifications.
	deadline := time.Now().Add(10 * time.Second)
	for fsys.nodes.live.Load() > max && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if live := fsys.nodes.live.Load(); live > max {
		t.Fatalf("%d file nodes live after stat'ing %d files, cap %d", live, n, max)
	}
}

// TestLargeDirectoryLookupsList stats files of a directory read in full once it is stale: a
// directory known to be larger than ListLookupMax is listed again in full for its lookups, one
// LIST for all of them, where a bounded listing would leave one HEAD per name past its end.
func TestLargeDirectoryLookupsList(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const n = 30
	for i := range n {
		put(t, c, bck, fmt.Sprintf("d/f%02d", i), make([]byte, i))
	}
	cs := &countingStore{Store: c}
	const ttl = time.Second
	mnt := testMount(t, Config{Store: cs, Bucket: bck, ReadOnly: true, StatTTL: ttl, ListLookupMax: 5})
	if ents, err := os.ReadDir(filepath.Join(mnt, "d")); err != nil || len(ents) != n {
		t.Fatalf("readdir: %d entries, %v", len(ents), err)
	}
	// Past the TTL the listing and the kernel's entries are stale. The walk to d costs the
	// root's listing: not counted.
	time.Sleep(ttl + ttl/2)
	if _, err := os.Stat(filepath.Join(mnt, "d")); err != nil {
		t.Fatal(err)
	}
	heads, lists := cs.heads.Load(), cs.lists.Load()
	for _, i := range []int{25, 29, 7} {
		fi, err := os.Lstat(filepath.Join(mnt, "d", fmt.Sprintf("f%02d", i)))
		if err != nil || fi.Size() != int64(i) {
			t.Fatalf("stat f%02d: %v, %v", i, fi, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(mnt, "d", "f99")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat of a missing name: %v", err)
	}
	if h, l := cs.heads.Load()-heads, cs.lists.Load()-lists; h != 0 || l != 1 {
		t.Fatalf("4 lookups in a large directory cost %d HEADs and %d LISTs, want 0 and 1", h, l)
	}
}

// TestLargeDirectorySurvivesForget: what a complete listing learnt (the directory is larger than
// a lookup lists) belongs to the mount, not to the directory's node, which the kernel may forget
// at any time (drop_caches by any process, memory pressure): a new node for the same directory
// lists it in full for its first lookup, one LIST, where it would otherwise list a bounded page
// and HEAD each name past its end.
func TestLargeDirectorySurvivesForget(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const n = 30
	for i := range n {
		put(t, c, bck, fmt.Sprintf("d/f%02d", i), make([]byte, i))
	}
	cs := &countingStore{Store: c}
	fsys := unmountedFS(t, Config{Store: cs, Bucket: bck, StatTTL: time.Minute, ListLookupMax: 5})
	ctx := context.Background()
	for _, tc := range []struct {
		what     string
		complete bool
	}{
		{"first node, never read in full", false},
		{"a new node after the directory was read in full", true},
		{"another new node", true},
	} {
		d := fsys.newDir(bck, false) // as Lookup makes it, not yet in the tree
		d.nm.set("d/")
		lists := cs.lists.Load()
		l, known, err := d.lookupListing(ctx, "f00")
		if err == nil { // a listing that covers the name may still be loading its end
			_, _, err = l.entry(ctx, int(^uint(0)>>1))
		}
		if err != nil || known != tc.complete || l.isComplete() != tc.complete || cs.lists.Load()-lists != 1 {
			t.Fatalf("%s: known %v (want %v), %d LISTs, %v", tc.what, known, tc.complete, cs.lists.Load()-lists, err)
		}
		if !tc.complete { // readdir: the complete listing that shows the directory is large
			d.invalidate()
			if _, err := d.load(ctx, 0); err != nil {
				t.Fatal(err)
			}
			d.invalidate() // and it is stale by the next lookup
		}
	}
}
