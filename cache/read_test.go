package cache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

const tbs = 4096 // test block size

func TestReadExact(t *testing.T) {
	type rc struct {
		off  int64
		size int
	}
	big := 10*tbs + 123 // last block short
	tests := []struct {
		name  string
		osize int
		reads []rc
	}{
		{"empty", 0, []rc{{0, 0}, {0, 10}, {5, 10}}},
		{"tiny", 1, []rc{{0, 1}, {0, 100}, {1, 1}, {2, 1}}},
		{"small", 1000, []rc{{0, 1000}, {999, 10}, {500, 100}, {1000, 1}}},
		{"one block", tbs, []rc{{0, tbs}, {0, tbs + 1}, {tbs - 1, 2}, {tbs, 1}, {100, 50}}},
		{"block plus one", tbs + 1, []rc{{0, tbs + 1}, {tbs, 1}, {tbs - 1, 2}, {0, tbs}, {tbs + 1, 5}}},
		{"big", big, []rc{
			{0, 0}, {0, 1}, {0, tbs}, {0, tbs + 1}, {tbs - 1, 2}, {tbs, tbs}, // first blocks
			{3*tbs + 17, 5 * tbs},                                                                          // spans six blocks
			{5*tbs + 100, 100},                                                                             // small, random: bypass
			{6 * tbs, tbs / 2},                                                                             // random, big enough for a block
			{int64(big) - 123, 123}, {int64(big) - 123, tbs}, {int64(big) - 1, 1}, {int64(big) - 10, 1000}, // last short block
			{int64(big), 1}, {int64(big) + 5000, tbs}, // at and past EOF
			{0, 3 * big}, // whole object and more
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFake("obj", tt.osize, 1)
			shared := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs})
			for _, rd := range tt.reads {
				want := o.want(rd.off, rd.size)
				name := fmt.Sprintf("off=%d/size=%d", rd.off, rd.size)
				// A fresh cache and reader (cold, pattern decided by off) and a shared cache
				// that holds whatever earlier reads left behind.
				fresh := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs})
				for i, c := range []*Cache{fresh, shared} {
					r := c.NewReader(o.object())
					got, err := r.Read(t.Context(), rd.off, rd.size)
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("%s cache %d: Read = %d bytes, %v; want %d bytes", name, i, len(got), err, len(want))
					}
					r.Close()

					r = c.NewReader(o.object())
					p := make([]byte, max(rd.size, 0))
					n, err := r.ReadAt(p, rd.off)
					wantErr := error(nil)
					if n < len(p) {
						wantErr = io.EOF
					}
					if n != len(want) || !bytes.Equal(p[:n], want) || !errors.Is(err, wantErr) {
						t.Errorf("%s cache %d: ReadAt = %d, %v; want %d, %v", name, i, n, err, len(want), wantErr)
					}
					r.Close()
				}
			}
			if tt.osize == 0 {
				if s := shared.Stats(); s.Fetches != 0 {
					t.Errorf("empty object: %d fetches, want 0", s.Fetches)
				}
			}
		})
	}
}

func TestReadNegativeOffset(t *testing.T) {
	o := newFake("obj", 100, 1)
	r := newTestCache(t, Config{BlockSize: tbs}).NewReader(o.object())
	if _, err := r.Read(t.Context(), -1, 10); err == nil {
		t.Error("Read at -1: no error")
	}
	if _, err := r.ReadAt(make([]byte, 10), -1); err == nil {
		t.Error("ReadAt at -1: no error")
	}
}

func TestReadRefInOneBlockDoesNotCopy(t *testing.T) {
	o := newFake("obj", 3*tbs, 1)
	c := newTestCache(t, Config{BlockSize: tbs, MaxReadahead: -1})
	r := c.NewReader(o.object())
	a, relA, err := r.ReadRef(t.Context(), tbs+10, tbs/2)
	if err != nil || relA == nil {
		t.Fatalf("ReadRef: %v, release %v", err, relA != nil)
	}
	b, relB, err := r.ReadRef(t.Context(), tbs+10, 100)
	if err != nil {
		t.Fatal(err)
	}
	if &a[0] != &b[0] {
		t.Error("two reads of one cached block returned different memory: the block was copied")
	}
	if cap(a) != len(a) {
		t.Errorf("sub-slice cap %d > len %d: an append could write into the cached block", cap(a), len(a))
	}
	relA()
	relB()
	if s := c.Stats(); s.Fetches != 1 || s.Hits != 1 {
		t.Errorf("stats %+v, want 1 fetch and 1 hit", s)
	}
	// A span of two blocks is the caller's own copy.
	if _, rel, err := r.ReadRef(t.Context(), tbs-5, 10); err != nil || rel != nil {
		t.Errorf("ReadRef across blocks: %v, release %v", err, rel != nil)
	}
}

// TestHeldBlockSurvivesEviction: a block a reader still holds keeps its bytes when the cache
// evicts it and reuses buffers for other blocks.
func TestHeldBlockSurvivesEviction(t *testing.T) {
	o := newFake("obj", 8*tbs, 3)
	c := newTestCache(t, Config{BlockSize: tbs, Capacity: 2 * tbs, MaxReadahead: -1})
	r := c.NewReader(o.object())
	held, release, err := r.ReadRef(t.Context(), 0, tbs)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), o.data[:tbs]...)
	for i := 1; i < 8; i++ { // evicts block 0 and recycles buffers
		got, err := r.Read(t.Context(), int64(i)*tbs, tbs)
		if err != nil || !bytes.Equal(got, o.data[i*tbs:(i+1)*tbs]) {
			t.Fatalf("block %d: %v", i, err)
		}
	}
	if !bytes.Equal(held, want) {
		t.Fatal("a held block was overwritten after its eviction")
	}
	release()
	if c.Stats().Evictions == 0 {
		t.Error("nothing was evicted: the test proves nothing")
	}
}

func TestIOTestReader(t *testing.T) {
	for _, n := range []int{0, 1, 100, tbs, tbs + 1, 10*tbs + 123} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			o := newFake("obj", n, 2)
			c := newTestCache(t, Config{BlockSize: tbs, Capacity: 4 * tbs})
			r := c.NewReader(o.object())
			defer r.Close()
			if err := iotest.TestReader(io.NewSectionReader(r, 0, int64(n)), o.data); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNewKeyMisses(t *testing.T) {
	v1 := newFake("obj#v1", 1000, 1)
	v2 := newFake("obj#v2", 1000, 2)
	c := newTestCache(t, Config{BlockSize: tbs})
	for _, o := range []*fakeObject{v1, v2, v1, v2} {
		got, err := c.NewReader(o.object()).Read(t.Context(), 0, 1000)
		if err != nil || !bytes.Equal(got, o.data) {
			t.Fatalf("%s: Read = %d bytes, %v; want its own content", o.key, len(got), err)
		}
	}
	if s := c.Stats(); s.Fetches != 2 || s.Misses != 2 || s.Hits != 2 {
		t.Errorf("stats %+v, want 2 fetches, 2 misses, 2 hits", s)
	}
}

func TestReadAfterClose(t *testing.T) {
	o := newFake("obj", 1000, 1)
	c, err := New(Config{BlockSize: tbs})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.NewReader(o.object()).Read(t.Context(), 0, 10); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close: %v, want ErrClosed", err)
	}
}
