package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestBatchFillsServeReads(t *testing.T) {
	const bs = 64 << 10
	c := newTestCache(t, Config{BlockSize: bs, Capacity: 16 * bs, MaxReadahead: -1})
	objs := []*fakeObject{
		newFake("a", 1000, 1),
		newFake("big", 2*bs, 2), // more than a block: never batched
		newFake("empty", 0, 3),
		newFake("b", bs, 4),
		newFake("c", 5000, 5),
	}
	in := make([]Object, len(objs))
	for i, o := range objs {
		in[i] = o.object()
	}
	// "c" is cached already: the batch leaves it alone.
	if _, err := c.NewReader(in[4]).Read(t.Context(), 0, 10); err != nil {
		t.Fatal(err)
	}
	b := c.StartBatch(in, 1<<30)
	for i, want := range []bool{true, false, false, true, false} {
		if b.Taken(i) != want {
			t.Errorf("Taken(%d) = %v, want %v", i, b.Taken(i), want)
		}
	}
	for i, o := range objs {
		if err := b.Fill(i, func(p []byte) error { copy(p, o.data); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	b.End()
	for _, i := range []int{0, 3} {
		got, err := c.NewReader(in[i]).Read(t.Context(), 0, int(objs[i].size))
		if err != nil || !bytes.Equal(got, objs[i].data) {
			t.Errorf("%s: read %d bytes, %v; want the batch's bytes", objs[i].key, len(got), err)
		}
		if n := len(objs[i].log()); n != 0 {
			t.Errorf("%s: %d fetches, want 0 (filled by the batch)", objs[i].key, n)
		}
	}
}

func TestBatchReaderWaitsOrFallsBack(t *testing.T) {
	const bs = 64 << 10
	tests := []struct {
		name    string
		fill    func(o *fakeObject) func(p []byte) error
		fetches int // ordinary fetches the waiting reader caused
	}{
		{"filled", func(o *fakeObject) func([]byte) error {
			return func(p []byte) error { copy(p, o.data); return nil }
		}, 0},
		{"bad bytes", func(o *fakeObject) func([]byte) error {
			return func(p []byte) error { return errors.New("checksum mismatch") }
		}, 1},
		{"never filled", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCache(t, Config{BlockSize: bs, Capacity: 16 * bs, MaxReadahead: -1})
			o := newFake("x", 3000, 9)
			b := c.StartBatch([]Object{o.object()}, 1<<30)
			if !b.Taken(0) {
				t.Fatal("not taken")
			}
			type result struct {
				data []byte
				err  error
			}
			done := make(chan result, 1)
			go func() {
				data, err := c.NewReader(o.object()).Read(context.Background(), 0, 3000)
				done <- result{data, err}
			}()
			// The reader joins the batch's fetch (a waiter) rather than starting its own.
			for deadline := time.Now().Add(10 * time.Second); ; {
				c.mu.Lock()
				w := c.inflight[blockKey{"x", 0}].waiters
				c.mu.Unlock()
				if w == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the reader never waited for the batch")
				}
				time.Sleep(time.Millisecond)
			}
			if tt.fill != nil {
				_ = b.Fill(0, tt.fill(o))
			}
			b.End()
			r := <-done
			if r.err != nil || !bytes.Equal(r.data, o.data) {
				t.Fatalf("read %d bytes, %v", len(r.data), r.err)
			}
			if n := len(o.log()); n != tt.fetches {
				t.Errorf("%d ordinary fetches, want %d", n, tt.fetches)
			}
			if s := c.Stats(); s.InFlight != 0 {
				t.Errorf("%d bytes still reserved", s.InFlight)
			}
		})
	}
}

func TestBatchBudget(t *testing.T) {
	const bs = 64 << 10
	c := newTestCache(t, Config{BlockSize: bs, Capacity: 8 * bs, MaxReadahead: -1})
	var in []Object
	for i := range 10 {
		in = append(in, newFake(fmt.Sprint(i), bs, uint64(i)).object())
	}
	b := c.StartBatch(in, 3*bs)
	taken := 0
	for i := range in {
		if b.Taken(i) {
			taken++
		}
	}
	if taken != 3 {
		t.Errorf("took %d members, want 3 (maxBytes)", taken)
	}
	if s := c.Stats(); s.InFlight != 3*bs {
		t.Errorf("reserved %d, want %d", s.InFlight, 3*bs)
	}
	b.End() // nobody waits: all dropped
	if s := c.Stats(); s.InFlight != 0 || s.Blocks != 0 {
		t.Errorf("after End: %+v, want nothing reserved or cached", s)
	}
}

// TestBatchFillsReachTier: a batched block is offered to the tier like any fetched block, except
// for a Volatile object.
func TestBatchFillsReachTier(t *testing.T) {
	const bs = 64 << 10
	tier := newMapTier()
	c := newTestCache(t, Config{BlockSize: bs, Capacity: 16 * bs, MaxReadahead: -1, Tier: tier})
	a, v := newFake("a", 1000, 1), newFake("v", 1000, 2)
	vo := v.object()
	vo.Volatile = true
	objs := []*fakeObject{a, v}
	b := c.StartBatch([]Object{a.object(), vo}, 1<<30)
	for i, o := range objs {
		if err := b.Fill(i, func(p []byte) error { copy(p, o.data); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	b.End()
	tier.mu.Lock()
	defer tier.mu.Unlock()
	if _, ok := tier.blocks[blockKey{"a", 0}]; !ok {
		t.Error("the batched block of a was not offered to the tier")
	}
	if _, ok := tier.blocks[blockKey{"v", 0}]; ok {
		t.Error("the batched block of a Volatile object reached the tier")
	}
}
