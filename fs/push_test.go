package fs

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestPushedShuffledReads: a listed directory read in no order gets its unopened files pushed
// into the kernel's page cache (GetBatch), byte-exact, so most opens send no GET; a file
// rewritten by another client after it was pushed is read in its new version once the stat TTL
// passes, never from the pushed pages; a file rewritten before the push is not pushed (its
// bytes do not match the listing) and reads as it does without batching.
func TestPushedShuffledReads(t *testing.T) {
	aiscluster.KeepPageCache(t)
	tests := []struct {
		name    string
		noBatch bool
	}{
		{"pushed", false},
		{"no batched reads", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t)
			bck := newBucket(t, c)
			names, data := smallTree(t, c, bck, 200)
			cs := &countingStore{Store: c}
			ch, err := cache.New(cache.Config{Capacity: 64 << 20, BlockSize: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(ch.Close)
			var st Store = &batchStore{countingStore: cs, c: c}
			if tt.noBatch {
				st = cs
			}
			const ttl = 2 * time.Second
			mnt, fsys := testMountFS(t, Config{Store: st, Cache: ch, Bucket: bck, StatTTL: ttl, ReadOnly: true, NoBatchReads: tt.noBatch})
			dir := filepath.Join(mnt, "d")
			if _, err := os.ReadDir(dir); err != nil { // the listing: inodes the kernel knows
				t.Fatal(err)
			}
			order := rand.New(rand.NewPCG(9, 9)).Perm(len(names))
			// Rewritten before any push: same size, other bytes; AIS has it, the listing does not.
			early := names[order[len(order)-1]]
			put(t, c, bck, "d/"+early, bytes.Repeat([]byte{'e'}, len(data[early])))
			drops := aiscluster.PageCacheDrops()
			for _, i := range order[:len(order)-1] {
				mustEqual(t, names[i], readAll(t, filepath.Join(dir, names[i])), data[names[i]])
			}
			if aiscluster.PageCacheDrops() != drops {
				t.Skip("the page cache was dropped meanwhile")
			}
			gets := cs.gets.Load()
			if fsys.pf != nil {
				t.Logf("%d GETs, %d pushed, %d pushed files opened", gets, fsys.pf.pushed.Load(), fsys.pf.pushHits.Load())
			}
			if tt.noBatch {
				if fsys.pf != nil && fsys.pf.pushed.Load() != 0 {
					t.Fatal("pushed without batched reads")
				}
			} else {
				if p := fsys.pf.pushed.Load(); p < int64(len(names))/2 {
					t.Errorf("%d of %d files pushed, want most", p, len(names))
				}
				if gets > int64(len(names))/2 {
					t.Errorf("%d GETs for %d shuffled files, want most pushed", gets, len(names))
				}
			}
			// The early rewrite: whatever the unbatched mount reads, never bytes of a push.
			got, err := os.ReadFile(filepath.Join(dir, early))
			if err == nil && !bytes.Equal(got, data[early]) && !bytes.Equal(got, bytes.Repeat([]byte{'e'}, len(data[early]))) {
				t.Errorf("%s: neither version", early)
			}
			// Rewritten after it was read from a push: the new version after the TTL.
			late := names[order[len(order)-2]] // opened last: pushed, if anything was
			v2 := bytes.Repeat([]byte{'l'}, len(data[late]))
			put(t, c, bck, "d/"+late, v2)
			time.Sleep(ttl + ttl/2)
			mustEqual(t, late+" after a rewrite", readAll(t, filepath.Join(dir, late)), v2)
		})
	}
}
