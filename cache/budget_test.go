package cache

import (
	"bytes"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// gateFrom holds every fetch at or past offset from until open is closed.
func gateFrom(from int64) (gate func(int64) chan struct{}, open func()) {
	ch := make(chan struct{})
	var once sync.Once
	return func(off int64) chan struct{} {
			if off >= from {
				return ch
			}
			return nil
		}, func() {
			once.Do(func() { close(ch) })
		}
}

// readBlocks reads blocks lo..hi sequentially, one whole block per Read.
func readBlocks(t *testing.T, r *Reader, o *fakeObject, lo, hi int64) {
	t.Helper()
	for i := lo; i <= hi; i++ {
		got, err := r.Read(t.Context(), i*tbs, tbs)
		if err != nil || !bytes.Equal(got, o.want(i*tbs, tbs)) {
			t.Fatalf("Read block %d: %d bytes, %v", i, len(got), err)
		}
	}
}

func TestEvictionByBytes(t *testing.T) {
	const capBlocks = 4
	o := newFake("obj", 10*tbs, 1)
	c := newTestCache(t, Config{BlockSize: tbs, Capacity: capBlocks * tbs, MaxReadahead: -1})
	r := c.NewReader(o.object())
	for i := range int64(10) {
		readBlocks(t, r, o, i, i)
		if s := c.Stats(); s.Bytes > capBlocks*tbs {
			t.Fatalf("after block %d: %d cached bytes > capacity %d", i, s.Bytes, capBlocks*tbs)
		}
	}
	if s := c.Stats(); s.Blocks != capBlocks || s.Evictions != 10-capBlocks || s.Bytes != capBlocks*tbs {
		t.Errorf("stats %+v, want %d blocks cached, %d evicted", s, capBlocks, 10-capBlocks)
	}
	// Least recently used goes first: touch 6, then a miss on 0 evicts 7.
	readBlocks(t, r, o, 6, 6)
	readBlocks(t, r, o, 0, 0)
	before := c.Stats().Fetches
	readBlocks(t, r, o, 6, 6)
	if got := c.Stats().Fetches - before; got != 0 {
		t.Errorf("recently used block 6 was evicted (%d fetches)", got)
	}
	readBlocks(t, r, o, 7, 7)
	if got := c.Stats().Fetches - before; got != 1 {
		t.Errorf("least recently used block 7: %d fetches, want 1", got)
	}
}

func TestReadaheadBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const capacity = 8 * tbs
		a, b := newFake("a", 64*tbs, 1), newFake("b", 64*tbs, 2)
		var openA, openB func()
		a.gate, openA = gateFrom(6 * tbs)
		b.gate, openB = gateFrom(1 * tbs)
		defer openA()
		defer openB()
		c := newTestCache(t, Config{BlockSize: tbs, Capacity: capacity, MaxReadahead: 64 * tbs})

		ra := c.NewReader(a.object())
		defer ra.Close()
		for i := range int64(6) { // window 1, 2, 4, then capped at Capacity/2 = 4 blocks
			readBlocks(t, ra, a, i, i)
			synctest.Wait()
		}
		if got, want := a.fetchedBlocks(tbs), blockRange(0, 9); !equalInts(got, want) {
			t.Errorf("fetched %v, want %v", got, want)
		}
		s := c.Stats()
		if s.InFlight != capacity/2 || s.Bytes+s.InFlight > capacity {
			t.Errorf("stats %+v: want Capacity/2 in flight and everything within Capacity", s)
		}

		// Another stream finds the readahead budget spent: it reads what it asks for, nothing more.
		rb := c.NewReader(b.object())
		defer rb.Close()
		readBlocks(t, rb, b, 0, 0)
		synctest.Wait()
		if got := b.fetchedBlocks(tbs); !equalInts(got, []int64{0}) {
			t.Errorf("second stream fetched %v past the readahead budget", got)
		}

		openA()
		synctest.Wait()
		before := c.Stats()
		readBlocks(t, ra, a, 6, 9)
		if s := c.Stats(); s.Hits-before.Hits != 4 || s.Misses != before.Misses {
			t.Errorf("blocks read ahead were not hits: before %+v, after %+v", before, s)
		}
	})
}

func TestReaderCloseDropsQueuedReadahead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", 64*tbs, 1)
		var open func()
		o.gate, open = gateFrom(4 * tbs)
		defer open()
		// One readahead slot: block 4 runs (held at the gate), 5..11 queue behind it.
		c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxFetches: 1})
		r := c.NewReader(o.object())
		readBlocks(t, r, o, 0, 3)
		synctest.Wait()
		if s := c.Stats(); s.InFlight != 8*tbs || s.Readaheads != 11 {
			t.Fatalf("stats %+v, want blocks 4..11 in flight", s)
		}
		r.Close()
		synctest.Wait()
		if s := c.Stats(); s.InFlight != tbs {
			t.Errorf("after Close: %d bytes in flight, want only the running block", s.InFlight)
		}
		open()
		synctest.Wait()
		if got := o.fetchedBlocks(tbs); !equalInts(got, blockRange(0, 4)) {
			t.Errorf("fetched %v, want 0..4", got)
		}
		// A later reader gets the dropped blocks by demand.
		r2 := c.NewReader(o.object())
		defer r2.Close()
		readBlocks(t, r2, o, 5, 5)
	})
}

func TestDemandDoesNotQueueBehindReadahead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", 64*tbs, 1)
		held := make(chan struct{})
		defer close(held)
		o.gate = func(off int64) chan struct{} { // blocks 4..6 hold all three readahead slots
			if off >= 4*tbs && off < 7*tbs {
				return held
			}
			return nil
		}
		c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxFetches: 4})
		r := c.NewReader(o.object())
		defer r.Close()
		readBlocks(t, r, o, 0, 3) // 4..11 scheduled: 4..6 running, 7..11 queued
		synctest.Wait()

		// Block 9 is queued for readahead: a demand read promotes it instead of waiting.
		other := c.NewReader(o.object())
		defer other.Close()
		readBlocks(t, other, o, 9, 9)
		// Block 40 is not scheduled at all: demand has a slot of its own.
		readBlocks(t, other, o, 40, 40)
		if got := o.fetchedBlocks(tbs); !equalInts(got, []int64{0, 1, 2, 3, 4, 5, 6, 9, 40}) {
			t.Errorf("fetched %v", got)
		}
	})
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	o := newFake("obj", 256*tbs, 1)
	c, err := New(Config{BlockSize: tbs, Capacity: 32 * tbs, MaxReadahead: 16 * tbs, MaxFetches: 4})
	if err != nil {
		t.Fatal(err)
	}
	r := c.NewReader(o.object())
	readBlocks(t, r, o, 0, 100) // leaves readahead in flight
	r.Close()
	c.Close()
	if _, err := r.Read(t.Context(), 200*tbs, tbs); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close: %v, want ErrClosed", err)
	}
	// Close waited for every fetch; their goroutines may still be returning.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero means defaults", Config{}, true},
		{"explicit", Config{Capacity: 1 << 20, BlockSize: 64 << 10, MaxReadahead: 1 << 20, MaxFetches: 4}, true},
		{"readahead disabled", Config{MaxReadahead: -1}, true},
		{"negative capacity", Config{Capacity: -1}, false},
		{"negative block", Config{BlockSize: -1}, false},
		{"huge block", Config{BlockSize: 2 << 30, Capacity: 4 << 30}, false},
		{"capacity below a block", Config{Capacity: 1000, BlockSize: 4096}, false},
		{"capacity below default block", Config{Capacity: 1000}, false},
		{"negative fetches", Config{MaxFetches: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidConfig)) {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if _, err := New(tt.cfg); (err == nil) != tt.ok {
				t.Errorf("New() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
