package cache

import (
	"context"
	"io"
	"slices"
	"testing"
	"testing/synctest"
)

// runObject is o with a FetchRun that logs one span per run and fails (errBoom) at buffer
// failAt of the next run when failAt >= 0.
func (o *fakeObject) runObject(failAt *int) Object {
	obj := o.object()
	obj.FetchRun = func(ctx context.Context, off int64, bufs [][]byte, filled func(int)) error {
		total := 0
		for _, b := range bufs {
			total += len(b)
		}
		o.mu.Lock()
		o.calls = append(o.calls, span{off, total})
		var gate chan struct{}
		if o.gate != nil {
			gate = o.gate(off)
		}
		o.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		o.mu.Lock()
		fail := *failAt // read after the gate: the test sets it while the run is held
		*failAt = -1
		o.mu.Unlock()
		for i, b := range bufs {
			if i == fail {
				return errBoom
			}
			if n := copy(b, o.data[min(off, int64(len(o.data))):]); n < len(b) {
				return io.ErrUnexpectedEOF
			}
			off += int64(len(b))
			filled(i)
		}
		return nil
	}
	return obj
}

func TestReadaheadRuns(t *testing.T) {
	tests := []struct {
		name   string
		failAt int // buffer of the first run that fails; -1 none
	}{
		{"runs", -1},
		{"run fails part way", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const nblocks = 40
				o := newFake("obj", nblocks*tbs+100, 1)
				var open func()
				o.gate, open = gateFrom(4 * tbs) // readahead queues up behind the held blocks
				defer open()
				c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxReadahead: 32 * tbs, MaxFetches: 4, MaxRun: 4})
				failAt := -1
				r := c.NewReader(o.runObject(&failAt))
				defer r.Close()
				readBlocks(t, r, o, 0, 3)
				synctest.Wait()
				o.mu.Lock()
				failAt = tt.failAt
				o.mu.Unlock()
				open()
				synctest.Wait()
				// Every byte reads right, including blocks whose run failed (by demand).
				readBlocks(t, r, o, 4, nblocks-1)
				if got, err := r.Read(t.Context(), nblocks*tbs, 200); err != nil || len(got) != 100 {
					t.Fatalf("tail: %d bytes, %v", len(got), err)
				}
				runs := 0
				for _, s := range o.log() {
					if s.n > tbs {
						runs++
						if s.n > 4*tbs || s.off%tbs != 0 {
							t.Errorf("run %+v: more than MaxRun blocks or unaligned", s)
						}
					}
				}
				if runs == 0 {
					t.Errorf("no readahead run among fetches %v", o.log())
				}
				if s := c.Stats(); s.InFlight != 0 {
					t.Errorf("%d bytes still in flight", s.InFlight)
				}
			})
		})
	}
}

// TestRunFailureServesFinishedBlocks: the blocks a run completed before it failed are cached;
// the ones after fail, and the next read fetches them.
func TestRunFailureServesFinishedBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", 32*tbs, 2)
		var open func()
		o.gate, open = gateFrom(2 * tbs)
		defer open()
		c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxReadahead: 16 * tbs, MaxFetches: 2, MaxRun: 8})
		failAt := -1
		r := c.NewReader(o.runObject(&failAt))
		defer r.Close()
		// One readahead slot: block 2 starts (held at the gate) and takes 3..9 along, which
		// were queued under the same lock.
		c.readahead(r, 2, 9)
		synctest.Wait()
		o.mu.Lock()
		failAt = 1
		o.mu.Unlock()
		open()
		synctest.Wait()
		if got, want := o.log(), []span{{2 * tbs, 8 * tbs}}; len(got) != 1 || got[0] != want[0] {
			t.Fatalf("fetches %v, want one run %v", got, want)
		}
		before := c.Stats()
		readBlocks(t, r, o, 2, 2) // finished before the failure: a hit
		if s := c.Stats(); s.Misses != before.Misses || s.Hits != before.Hits+1 {
			t.Errorf("block finished by the failed run was not a hit: before %+v, after %+v", before, s)
		}
		before = c.Stats()
		readBlocks(t, r, o, 3, 3) // failed: fetched again on demand
		if s := c.Stats(); s.Misses != before.Misses+1 || s.InFlight > 16*tbs {
			t.Errorf("block the run failed on was cached: before %+v, after %+v", before, s)
		}
	})
}

// TestRunWithTier: a run takes the blocks the tier holds at its front from the tier, fetches the
// rest with one request and offers those to the tier.
func TestRunWithTier(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", 32*tbs, 3)
		tier := newMapTier()
		for _, idx := range []int64{2, 3} {
			tier.blocks[blockKey{"obj", idx}] = o.data[idx*tbs : (idx+1)*tbs]
		}
		c := newTestCache(t, Config{BlockSize: tbs, Capacity: 64 * tbs, MaxReadahead: 16 * tbs, MaxFetches: 2, MaxRun: 8, Tier: tier})
		failAt := -1
		r := c.NewReader(o.runObject(&failAt))
		defer r.Close()
		c.readahead(r, 2, 9)
		synctest.Wait()
		if got, want := o.log(), []span{{4 * tbs, 6 * tbs}}; len(got) != 1 || got[0] != want[0] {
			t.Errorf("fetches %v, want one run %v", got, want)
		}
		tier.mu.Lock()
		stores := slices.Clone(tier.stores)
		tier.mu.Unlock()
		if want := blockRange(4, 9); !equalInts(stores, want) {
			t.Errorf("offered to the tier %v, want %v", stores, want)
		}
		readBlocks(t, r, o, 2, 9)
	})
}
