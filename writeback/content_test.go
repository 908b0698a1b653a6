package writeback

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/internal/memstore"
)

// TestContentPlace: a small Truncate-mode file stays in memory (no staging file is ever
// created), one that grows past the in-memory limit moves to a staging file with every byte,
// and a small file whose upload fails for good is saved to the staging file it names.
func TestContentPlace(t *testing.T) {
	limit := int(min(memFileMax, testChunk/2))
	tests := []struct {
		name      string
		size      int
		piece     int
		truncate  int64 // a truncate after the writes, -1: none
		fail      bool  // the store refuses the upload
		wantFile  bool  // a staging file exists before Close
		wantStays bool  // the staging file is kept after Close
	}{
		{"empty", 0, 1, -1, false, false, false},
		{"small", 64 << 10, 4096, -1, false, false, false},
		{"at the limit", limit, 64 << 10, -1, false, false, false},
		{"past the limit", limit + 1, 64 << 10, -1, false, true, false},
		{"grown by truncate", 1000, 1000, int64(limit) + 5000, false, true, false},
		{"shrunk, then in memory", 10_000, 1000, 10, false, false, false},
		{"small, upload fails", 5000, 1000, -1, true, false, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, bck := memBucket(t)
			m, _ := newManager(t, s, func(c *Config) { c.OpTimeout = 200 * time.Millisecond })
			want := randBytes(uint64(i), tt.size)
			f := open(t, m, bck, "obj", Truncate, OpenOptions{})
			writeSeq(t, f, 0, want, tt.piece)
			if tt.truncate >= 0 {
				if err := f.Truncate(tt.truncate); err != nil {
					t.Fatal(err)
				}
				want = append(want, make([]byte, max(0, int(tt.truncate)-len(want)))...)[:tt.truncate]
			}
			checkBytes(t, "ReadAt", readAll(t, f), want)
			if got := f.Path() != ""; got != tt.wantFile {
				t.Errorf("staging file before Close: %v (%q), want %v", got, f.Path(), tt.wantFile)
			}
			if got := len(stagingFiles(t, m.cfg.Dir)) > 0; got != tt.wantFile {
				t.Errorf("files in the staging directory before Close: %v, want %v", got, tt.wantFile)
			}
			if tt.fail {
				s.FailNext(memstore.OpPutObject, 1<<20, syscall.EIO)
				if err := f.Close(t.Context()); err == nil {
					t.Fatal("Close succeeded with the store refusing every PUT")
				}
			} else {
				mustClose(t, f)
				checkBytes(t, "stored", memData(t, s, bck, "obj"), want)
			}
			if got := len(stagingFiles(t, m.cfg.Dir)) > 0; got != tt.wantStays {
				t.Errorf("staging file kept after Close: %v, want %v", got, tt.wantStays)
			}
			if tt.wantStays {
				kept, err := os.ReadFile(f.Path())
				if err != nil || !bytes.Equal(kept, want) {
					t.Errorf("staging file %q: %v, holds the content: %v", f.Path(), err, bytes.Equal(kept, want))
				}
			}
			if n := m.memUsed.Load(); n != 0 {
				t.Errorf("%d bytes of in-memory staging held after Close", n)
			}
		})
	}
}
