package cache

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
)

// mapTier is a Tier in memory that records what it was offered and asked for.
type mapTier struct {
	mu      sync.Mutex
	blocks  map[blockKey][]byte
	loads   []int64
	stores  []int64
	lasts   []int64  // blocks offered as their object's last
	pending []func() // done calls held back until release
	hold    bool     // keep done calls pending, as a slow disk does
}

func newMapTier() *mapTier { return &mapTier{blocks: map[blockKey][]byte{}} }

func (m *mapTier) Load(key string, idx int64, p []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads = append(m.loads, idx)
	b, ok := m.blocks[blockKey{key, idx}]
	if ok && len(b) == len(p) {
		copy(p, b)
		return true
	}
	return false
}

func (m *mapTier) Store(key string, idx int64, data []byte, last bool, done func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stores = append(m.stores, idx)
	if last {
		m.lasts = append(m.lasts, idx)
	}
	m.blocks[blockKey{key, idx}] = bytes.Clone(data)
	if m.hold {
		// The bytes must stay valid until done: check them again then.
		want := bytes.Clone(data)
		m.pending = append(m.pending, func() {
			if !bytes.Equal(data, want) {
				panic("block bytes changed before done")
			}
			done()
		})
		return
	}
	done()
}

func (m *mapTier) release() {
	m.mu.Lock()
	p := m.pending
	m.pending = nil
	m.mu.Unlock()
	for _, f := range p {
		f()
	}
}

func (m *mapTier) log() (loads, stores []int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, s := slices.Clone(m.loads), slices.Clone(m.stores)
	slices.Sort(l)
	slices.Sort(s)
	return l, s
}

func TestTier(t *testing.T) {
	const bs = 1 << 10
	for _, tc := range []struct {
		name       string
		volatile   bool
		hold       bool // the tier keeps blocks past Store, as the disk writer does
		wantStores []int64
		wantSecond []int64 // blocks the second cache fetches from the object
	}{
		{"blocks fetched once are served by the tier", false, false, []int64{0, 1, 2, 3}, nil},
		{"a slow tier keeps its bytes until done", false, true, []int64{0, 1, 2, 3}, nil},
		{"volatile objects bypass the tier", true, false, nil, []int64{0, 1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tier := newMapTier()
			tier.hold = tc.hold
			o := newFake("k", 4*bs-100, 1)
			obj := o.object()
			obj.Volatile = tc.volatile
			// Tiny memory, so blocks are evicted and their buffers reused while the tier
			// still holds them.
			cfg := Config{Capacity: 2 * bs, BlockSize: bs, MaxReadahead: -1, Tier: tier}
			c := newTestCache(t, cfg)
			r := c.NewReader(obj)
			for off := int64(0); off < obj.Size; off += bs {
				got, err := r.Read(context.Background(), off, bs)
				if err != nil || !bytes.Equal(got, o.want(off, bs)) {
					t.Fatalf("read at %d: %v", off, err)
				}
			}
			if _, stores := tier.log(); !slices.Equal(stores, tc.wantStores) {
				t.Errorf("stored blocks %v, want %v", stores, tc.wantStores)
			}
			tier.release()

			// A new cache (a remount) over the same tier and a fresh object.
			o2 := newFake("k", 4*bs-100, 1)
			obj2 := o2.object()
			obj2.Volatile = tc.volatile
			c2 := newTestCache(t, cfg)
			r2 := c2.NewReader(obj2)
			for off := int64(0); off < obj2.Size; off += bs {
				got, err := r2.Read(context.Background(), off, bs)
				if err != nil || !bytes.Equal(got, o2.want(off, bs)) {
					t.Fatalf("second read at %d: %v", off, err)
				}
			}
			if got := o2.fetchedBlocks(bs); !slices.Equal(got, tc.wantSecond) {
				t.Errorf("second cache fetched blocks %v from the object, want %v", got, tc.wantSecond)
			}
			if _, stores := tier.log(); !slices.Equal(stores, tc.wantStores) {
				t.Errorf("blocks served by the tier were stored again: %v", stores)
			}
		})
	}
}

// TestTierLastBlock: the tier learns which block is an object's last, short or (a size that is
// a multiple of the block size) full, so the disk tier can finish its file at once.
func TestTierLastBlock(t *testing.T) {
	const bs = 1 << 10
	for _, size := range []int64{4*bs - 100, 4 * bs, 1} {
		tier := newMapTier()
		c := newTestCache(t, Config{Capacity: 8 * bs, BlockSize: bs, MaxReadahead: -1, Tier: tier})
		o := newFake("k", int(size), 1)
		r := c.NewReader(o.object())
		for off := int64(0); off < size; off += bs {
			if _, err := r.Read(context.Background(), off, bs); err != nil {
				t.Fatal(err)
			}
		}
		tier.mu.Lock()
		lasts := slices.Clone(tier.lasts)
		tier.mu.Unlock()
		if want := []int64{(size - 1) / bs}; !slices.Equal(lasts, want) {
			t.Errorf("size %d: blocks offered as last %v, want %v", size, lasts, want)
		}
	}
}

// TestTierMissFetches: a key the tier does not hold, or a block it refuses, is fetched.
func TestTierMissFetches(t *testing.T) {
	const bs = 1 << 10
	tier := newMapTier()
	tier.blocks[blockKey{"k", 1}] = make([]byte, 7) // wrong length: refused
	o := newFake("k", 3*bs, 2)
	c := newTestCache(t, Config{Capacity: 8 * bs, BlockSize: bs, MaxReadahead: -1, Tier: tier})
	got, err := c.NewReader(o.object()).Read(context.Background(), 0, 3*bs)
	if err != nil || !bytes.Equal(got, o.data) {
		t.Fatalf("read: %v", err)
	}
	if loads, _ := tier.log(); !slices.Equal(loads, []int64{0, 1, 2}) {
		t.Errorf("tier asked for %v, want 0 1 2", loads)
	}
	if got := o.fetchedBlocks(bs); !slices.Equal(got, []int64{0, 1, 2}) {
		t.Errorf("fetched %v, want 0 1 2", got)
	}
}
