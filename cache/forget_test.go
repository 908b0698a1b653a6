package cache

import (
	"bytes"
	"testing"
)

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
		{"one block, whole", tbs / 2, []rc{{0, tbs}}, true},
		{"one block, in two reads", tbs, []rc{{0, tbs / 2}, {tbs / 2, tbs / 2}}, true},
		{"one block, reordered", tbs, []rc{{tbs / 2, tbs / 2}, {0, tbs / 2}}, false},
		{"one block, first half", tbs, []rc{{0, tbs / 2}}, false},
		{"three blocks, whole", 3*tbs - 10, []rc{{0, tbs}, {tbs, tbs}, {2 * tbs, tbs}}, true},
		{"three blocks, a gap", 3 * tbs, []rc{{0, tbs}, {2 * tbs, tbs}}, false},
		{"nothing read", tbs, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFake("obj", tt.osize, 2)
			c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxReadahead: -1})
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
