package disk

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentLoadsAndStores: readers and the writers race on a cache small enough to
// evict all the time; a Load that reports a hit always has the right bytes, and the files
// stay within the size.
func TestConcurrentLoadsAndStores(t *testing.T) {
	dir := t.TempDir()
	limit := int64(6 * oneBlockFile) // segments of one block
	var log syncLog
	c, err := Open(Config{Dir: dir, Size: limit, BlockSize: bs, Logger: newLogger(&log)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, bs)
			for i := range 200 {
				key := fmt.Sprintf("key-%d", (g+i)%3)
				idx := int64(i % 5)
				if c.Load(key, idx, p) && !bytes.Equal(p, block(key, idx)) {
					t.Errorf("Load(%s, %d) returned wrong bytes", key, idx)
					return
				}
				c.Store(key, idx, block(key, idx), false, func() {})
			}
		}()
	}
	wg.Wait()
	c.Close()
	if _, n := blockFiles(t, dir); n > limit {
		t.Fatalf("%d bytes of files, more than %d", n, limit)
	}
	if s := c.Stats(); s.Errors != 0 || !s.Enabled || s.Hits == 0 {
		t.Fatalf("stats %+v\n%s", s, log.String())
	}
}
