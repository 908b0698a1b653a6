package writeback

import (
	"errors"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

// TestRename: once the object is renamed, everything the File still uploads goes to the new
// name, whatever was in flight under the old one; the old name is left with nothing.
func TestRename(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	tests := []struct {
		name  string
		old   int  // bytes of an existing object, opened in Edit mode; 0: a new file
		first int  // written (after old) before the rename
		sync  bool // Sync before the rename, as fs does
		// What is under way under the old name at the rename.
		putActive, chainActive bool
	}{
		{name: "after a sync", first: 1000, sync: true},
		{name: "streaming PUT under way", first: 2*testChunk + 10, putActive: true},
		{name: "append chain under way", old: 2 * testChunk, first: 2 * testChunk, chainActive: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := objectName(t)+"-from", objectName(t)+"-to"
			want := randBytes(uint64(300+i), tt.old)
			mode, opts := Truncate, OpenOptions{}
			if tt.old > 0 {
				putObject(t, c, bck, from, want)
				mode, opts = Edit, OpenOptions{Size: int64(tt.old), Exists: true}
			}
			f := open(t, m, bck, from, mode, opts)
			first := randBytes(uint64(400+i), tt.first)
			writeSeq(t, f, int64(len(want)), first, 64<<10)
			want = append(want, first...)
			if tt.sync {
				if err := f.Sync(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			waitIdle(f)
			f.mu.Lock()
			putActive := f.sput.active
			f.mu.Unlock()
			if putActive != tt.putActive || (chainSent(f) > 0) != tt.chainActive {
				t.Fatalf("at the rename: streaming PUT %v, chain %v; want %v, %v",
					putActive, chainSent(f) > 0, tt.putActive, tt.chainActive)
			}

			if tt.sync || tt.old > 0 { // what AIS holds moves, as fs renames it
				if err := c.RenameObject(t.Context(), bck, from, to); err != nil {
					t.Fatal(err)
				}
			}
			f.Rename(t.Context(), to)
			more := randBytes(uint64(500+i), 3*testChunk)
			writeSeq(t, f, int64(len(want)), more, 64<<10)
			want = append(want, more...)
			mustClose(t, f)

			checkBytes(t, "object under the new name", getObject(t, c, bck, to), want)
			if _, _, err := c.GetObject(t.Context(), bck, from); !errors.Is(err, aisclient.ErrNotFound) {
				t.Errorf("GetObject of the old name: %v, want ErrNotFound", err)
			}
		})
	}
}
