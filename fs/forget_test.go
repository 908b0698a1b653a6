package fs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestReadInFullLeavesTheCache: a file read in full through the page cache leaves the block
// cache at release (the kernel keeps the bytes), a reopen of the unchanged object reads nothing
// from AIS, and an object rewritten by another client is read in its new version after the stat
// TTL, never from the pages of the old one. A file read around the page cache (DirectIOMin) or
// read in part keeps its blocks.
func TestReadInFullLeavesTheCache(t *testing.T) {
	aiscluster.KeepPageCache(t)
	const ttl = 300 * time.Millisecond
	tests := []struct {
		name     string
		size     int
		directIO bool
		partial  bool
		forgets  bool
	}{
		{"small file", 100 << 10, false, false, true},
		{"three blocks", 3<<20 - 5, false, false, true},
		{"read in part", 3 << 20, false, true, false},
		{"direct I/O", 200 << 10, true, false, false},
	}
	c := newClient(t)
	bck := newBucket(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("f-%d-%v-%v", tt.size, tt.directIO, tt.partial)
			v1, v2 := randBytes(t, tt.size), randBytes(t, tt.size)
			put(t, c, bck, name, v1)
			blocks, err := cache.New(cache.Config{Capacity: 64 << 20, BlockSize: 1 << 20, MaxReadahead: -1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(blocks.Close)
			cfg := Config{Store: c, Cache: blocks, Bucket: bck, StatTTL: ttl, ReadOnly: true}
			if tt.directIO {
				cfg.DirectIOMin = 1
			}
			cs := &countingStore{Store: c}
			cfg.Store = cs
			mnt := testMount(t, cfg)
			path := filepath.Join(mnt, name)
			if tt.partial {
				mustEqual(t, "v1 head", readHead(t, path, 1<<20), v1[:1<<20])
			} else {
				mustEqual(t, "v1", readAll(t, path), v1)
			}
			// Release reaches the daemon after close(2) returns: wait for its effect.
			deadline := time.Now().Add(10 * time.Second)
			for blocks.Stats().Forgotten == 0 && tt.forgets && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			s := blocks.Stats()
			if got := s.Forgotten > 0 && s.Blocks == 0; got != tt.forgets {
				t.Fatalf("after the first read: %d blocks cached, %d forgotten; want forgotten=%v", s.Blocks, s.Forgotten, tt.forgets)
			}
			if !tt.forgets {
				return
			}
			gets := cs.gets.Load()
			mustEqual(t, "v1 again", readAll(t, path), v1)
			if n := cs.gets.Load() - gets; n != 0 {
				t.Errorf("rereading an unchanged, forgotten file sent %d GETs, want 0 (page cache kept)", n)
			}

			put(t, c, bck, name, v2)
			time.Sleep(2 * ttl)
			mustEqual(t, "v2 after the TTL", readAll(t, path), v2)
		})
	}
}

// readHead reads the first n bytes of path.
func readHead(t *testing.T, path string, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		t.Fatal(err)
	}
	return b
}
