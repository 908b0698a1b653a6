package disk

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// waitBlocks waits until the cache holds n blocks in sealed files (sealing is asynchronous).
func waitBlocks(t *testing.T, c *Cache, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Blocks != n {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v: want %d blocks sealed", c.Stats(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSegmentsSeal: a segment is sealed, and its blocks served, without a Close: at once when
// the object's short last block and all before it are in, and after idleSeal when a segment
// stops growing. A block of a sealed segment goes into a file of its own, and after a reopen
// every block is served from whichever file holds it.
func TestSegmentsSeal(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, 1<<20) // 4 slots per segment
	if c.g.slots != 4 {
		t.Fatalf("%d slots per segment, want 4", c.g.slots)
	}
	short := block("s", 1)[:1000]
	store(t, c, "s", 0)
	c.Store("s", 1, short, true, func() {})
	waitBlocks(t, c, 2) // complete: the short block is the object's last
	p := make([]byte, len(short))
	if !c.Load("s", 1, p) || !bytes.Equal(p, short) {
		t.Fatal("the short last block was not served")
	}

	store(t, c, "k", 0, 1) // two of four slots: sealed when idle
	waitBlocks(t, c, 4)
	store(t, c, "k", 2, 1) // block 1 is held: skipped; block 2 starts a new file of segment 0
	waitBlocks(t, c, 5)
	c.Close()
	if n, _ := blockFiles(t, dir); n != 3 {
		t.Fatalf("%d files, want 3 (s, and k's segment 0 twice)", n)
	}
	c = open(t, dir, 1<<20)
	defer c.Close()
	for _, b := range []struct {
		key string
		idx int64
	}{{"s", 0}, {"k", 0}, {"k", 1}, {"k", 2}} {
		if got, ok := load(c, b.key, b.idx); !ok || !bytes.Equal(got, block(b.key, b.idx)) {
			t.Errorf("block %s/%d after reopen: ok=%v", b.key, b.idx, ok)
		}
	}
	if s := c.Stats(); s.Errors != 0 || s.Blocks != 5 || s.Skipped != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestFullLastBlockSeals: an object whose size is a multiple of the block size ends in a full
// block, which Store flags as its last: its segment is sealed as soon as it is complete, not
// after idleSeal (meanwhile it would hold one of the open segments that claims are refused past).
func TestFullLastBlockSeals(t *testing.T) {
	defer func(d time.Duration) { idleSeal = d }(idleSeal)
	idleSeal = time.Hour             // only completeness can seal within the test
	c := open(t, t.TempDir(), 1<<20) // 4 slots per segment
	defer c.Close()
	c.Store("m", 0, block("m", 0), false, func() {})
	c.Store("m", 1, block("m", 1), true, func() {}) // a 2-block object
	waitBlocks(t, c, 2)
	if got, ok := load(c, "m", 1); !ok || !bytes.Equal(got, block("m", 1)) {
		t.Fatalf("the full last block was not served: ok=%v", ok)
	}
}

// TestOldLayoutIsRemoved: the first layout's files (DIR/v1, one file per block) go at Open;
// other files in DIR stay.
func TestOldLayoutIsRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "v1", "ab", "abcd-0")
	mine := filepath.Join(dir, "notes.txt")
	os.MkdirAll(filepath.Dir(old), 0o700)
	os.WriteFile(old, []byte("x"), 0o600)
	os.WriteFile(mine, []byte("x"), 0o600)
	c := open(t, dir, 1<<20)
	defer c.Close()
	if _, err := os.Stat(filepath.Join(dir, "v1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("DIR/v1 survived Open: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file that is not the cache's went: %v", err)
	}
}

// TestNewestFileHoldsTheBlock: a block dropped as damaged and stored again lives in a newer
// file of its segment; after a reopen that newer copy is the one served, even when the old
// file was used more recently (recency orders eviction, not which copy counts).
func TestNewestFileHoldsTheBlock(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, 1<<20)
	store(t, c, "k", 0, 1)
	c.Close()
	c = open(t, dir, 1<<20)
	old := fileOf(t, c, dir, "k", 0)
	if err := flip(old, 100); err != nil {
		t.Fatal(err)
	}
	if _, ok := load(c, "k", 0); ok {
		t.Fatal("a damaged block was served")
	}
	store(t, c, "k", 0) // fetched again
	c.Close()
	later := time.Now().Add(time.Hour)
	os.Chtimes(old, later, later)
	c = open(t, dir, 1<<20)
	defer c.Close()
	for i := range int64(2) {
		if got, ok := load(c, "k", i); !ok || !bytes.Equal(got, block("k", i)) {
			t.Fatalf("block %d after reopen: served=%v", i, ok)
		}
	}
	if s := c.Stats(); s.Errors != 0 {
		t.Fatalf("stats %+v: the damaged copy was read again", s)
	}
}
