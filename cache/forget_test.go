package cache

import (
	"bytes"
	"testing"
)

// fbs is TestForget's block size: 16 pages.
const fbs = 64 << 10

// TestForget: a reader's blocks leave memory on Forget only when it read its whole object
// without a gap; a later reader then fetches them again and still gets the right bytes.
func TestForget(t *testing.T) {
	type rc struct {
		off  int64
		size int
	}
	tests := []struct {
		name    string
		osize   int
		reads   []rc
		dropped bool
	}{
		{"one block, whole", fbs / 2, []rc{{0, fbs}}, true},
		{"one block, in two reads", fbs, []rc{{0, fbs / 2}, {fbs / 2, fbs / 2}}, true},
		{"one block, reordered", fbs, []rc{{fbs / 2, fbs / 2}, {0, fbs / 2}}, true},
		{"one block, unaligned halves", fbs, []rc{{0, fbs/2 + 1}, {fbs/2 + 1, fbs/2 - 1}}, false},
		{"one block, first half", fbs, []rc{{0, fbs / 2}}, false},
		{"three blocks, whole", 3*fbs - 10, []rc{{0, fbs}, {fbs, fbs}, {2 * fbs, fbs}}, true},
		{"three blocks, a gap", 3 * fbs, []rc{{0, fbs}, {2 * fbs, fbs}}, false},
		{"three blocks, reordered", 3 * fbs, []rc{{2 * fbs, fbs}, {0, fbs}, {fbs, fbs}}, true},
		{"large, in order", 5 << 20, []rc{{0, 2 << 20}, {2 << 20, 3 << 20}}, true},
		{"large, reordered", 5 << 20, []rc{{2 << 20, 3 << 20}, {0, 2 << 20}}, false},
		{"nothing read", fbs, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFake("obj", tt.osize, 2)
			c := newTestCache(t, Config{BlockSize: fbs, Capacity: 16 << 20, MaxReadahead: -1})
			r := c.NewReader(o.object())
			for _, rd := range tt.reads {
				if got, err := r.Read(t.Context(), rd.off, rd.size); err != nil || !bytes.Equal(got, o.want(rd.off, rd.size)) {
					t.Fatalf("Read(%d, %d) = %d bytes, %v", rd.off, rd.size, len(got), err)
				}
			}
			before := c.Stats()
			r.Forget()
			s := c.Stats()
			if dropped := s.Blocks == 0 && before.Blocks > 0; dropped != tt.dropped {
				t.Errorf("blocks %d -> %d after Forget; want dropped=%v", before.Blocks, s.Blocks, tt.dropped)
			}
			if tt.dropped && (s.Forgotten != before.Blocks || s.Evictions != 0 || s.Bytes != 0) {
				t.Errorf("stats after Forget %+v; want %d forgotten, no evictions, no bytes", s, before.Blocks)
			}
			r2 := c.NewReader(o.object())
			defer r2.Close()
			if got, err := r2.Read(t.Context(), 0, tt.osize); err != nil || !bytes.Equal(got, o.data) {
				t.Errorf("reread = %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestForgetWhileHeld: a block a read still holds survives Forget intact until released.
func TestForgetWhileHeld(t *testing.T) {
	o := newFake("obj", tbs, 3)
	c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs})
	r := c.NewReader(o.object())
	data, release, err := r.ReadRef(t.Context(), 0, tbs)
	if err != nil || release == nil {
		t.Fatalf("ReadRef: %v, release %v", err, release != nil)
	}
	r.Forget()
	if c.Stats().Blocks != 0 {
		t.Errorf("block still cached after Forget")
	}
	// Another block allocated now must not reuse the held buffer.
	other := newFake("other", tbs, 4)
	r2 := c.NewReader(other.object())
	if _, err := r2.Read(t.Context(), 0, tbs); err != nil {
		t.Fatal(err)
	}
	r2.Close()
	if !bytes.Equal(data, o.data) {
		t.Errorf("held data changed after Forget")
	}
	release()
}

// TestCoverage: pages count once, in any order; a partial page counts only at the object's end.
func TestCoverage(t *testing.T) {
	type rc struct{ off, end int64 }
	tests := []struct {
		name  string
		size  int64
		reads []rc
		pages int
		whole bool
	}{
		{"short last page", 5000, []rc{{0, 5000}}, 2, true},
		{"overlapping rereads", 3 * coveragePage, []rc{{0, 8192}, {4096, 12288}, {0, 4096}}, 3, true},
		{"unaligned start", 2 * coveragePage, []rc{{100, 8192}}, 1, false},
		{"missing middle", 3 * coveragePage, []rc{{0, 4096}, {8192, 12288}}, 2, false},
		{"empty", 0, []rc{{0, 0}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCoverage(tt.size)
			for _, r := range tt.reads {
				c.add(r.off, r.end, tt.size)
			}
			if c.count() != tt.pages || c.whole(tt.size) != tt.whole {
				t.Errorf("pages %d, whole %v; want %d, %v", c.count(), c.whole(tt.size), tt.pages, tt.whole)
			}
		})
	}
}

// TestStartWhole: an object of one block is fetched before any read, and the read that follows
// takes that fetch (one Fetcher call in all); a larger object, or one cached, is not fetched.
func TestStartWhole(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		cached  bool
		fetches int // Fetcher calls after StartWhole and one read of the first block
	}{
		{"one block", tbs - 1, false, 1},
		{"cached", tbs, true, 1},
		{"two blocks", tbs + 1, false, 1}, // only the read's own
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFake("obj", tt.size, 5)
			c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxReadahead: -1})
			if tt.cached {
				r := c.NewReader(o.object())
				if _, err := r.Read(t.Context(), 0, tbs); err != nil {
					t.Fatal(err)
				}
				r.Close()
			}
			gate := make(chan struct{})
			o.mu.Lock()
			o.gate = func(int64) chan struct{} { return gate }
			o.mu.Unlock()
			r := c.NewReader(o.object())
			defer r.Close()
			r.StartWhole()
			wantStarted := tt.size <= tbs && !tt.cached
			if got := c.Stats().InFlight > 0; got != wantStarted {
				t.Errorf("in flight after StartWhole: %v, want %v", got, wantStarted)
			}
			close(gate)
			if got, err := r.Read(t.Context(), 0, tbs); err != nil || !bytes.Equal(got, o.want(0, tbs)) {
				t.Fatalf("Read = %d bytes, %v", len(got), err)
			}
			if n := len(o.log()); n != tt.fetches {
				t.Errorf("%d Fetcher calls, want %d", n, tt.fetches)
			}
		})
	}
}
