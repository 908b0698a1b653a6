package cache

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/synctest"
)

// result is what a Read in another goroutine returned.
type result struct {
	b   []byte
	err error
}

// readAsync starts a Read and returns where its result arrives.
func readAsync(ctx context.Context, r *Reader, off int64, size int) <-chan result {
	ch := make(chan result, 1)
	go func() {
		b, err := r.Read(ctx, off, size)
		ch <- result{b, err}
	}()
	return ch
}

func TestConcurrentMissesMakeOneFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", tbs, 1) // one block: no readahead
		gate := make(chan struct{})
		o.gate = func(int64) chan struct{} { return gate }
		c := newTestCache(t, Config{BlockSize: tbs})

		const readers = 8
		var results []<-chan result
		for range readers {
			results = append(results, readAsync(t.Context(), c.NewReader(o.object()), 0, tbs))
		}
		synctest.Wait() // every reader now waits on the one gated fetch
		if got := len(o.fetched()); got != 1 {
			t.Fatalf("%d fetches in flight for one block, want 1", got)
		}
		close(gate)
		for _, ch := range results {
			if r := <-ch; r.err != nil || !bytes.Equal(r.b, o.data) {
				t.Errorf("Read = %d bytes, %v", len(r.b), r.err)
			}
		}
		if s := c.Stats(); s.Fetches != 1 || s.Misses != readers {
			t.Errorf("stats %+v, want 1 fetch, %d misses", s, readers)
		}
	})
}

func TestFetchErrorReachesAllWaitersAndIsNotCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", tbs, 1)
		o.failNext = 1
		gate := make(chan struct{})
		o.gate = func(int64) chan struct{} { return gate }
		c := newTestCache(t, Config{BlockSize: tbs})

		a := readAsync(t.Context(), c.NewReader(o.object()), 0, tbs)
		b := readAsync(t.Context(), c.NewReader(o.object()), 0, tbs)
		synctest.Wait()
		close(gate)
		for _, ch := range []<-chan result{a, b} {
			if r := <-ch; !errors.Is(r.err, errBoom) {
				t.Errorf("waiter got %v, want errBoom", r.err)
			}
		}
		if s := c.Stats(); s.Blocks != 0 || s.Bytes != 0 || s.InFlight != 0 {
			t.Errorf("failed fetch left state behind: %+v", s)
		}

		got, err := c.NewReader(o.object()).Read(t.Context(), 0, tbs)
		if err != nil || !bytes.Equal(got, o.data) {
			t.Fatalf("retry: %d bytes, %v", len(got), err)
		}
		if s := c.Stats(); s.Fetches != 2 || s.Blocks != 1 {
			t.Errorf("stats %+v, want 2 fetches and the block cached", s)
		}
	})
}

func TestShortFetchIsAnError(t *testing.T) {
	o := newFake("obj", 2*tbs+10, 1)
	o.size = int64(len(o.data)) + 100 // the object shrank under its key
	c := newTestCache(t, Config{BlockSize: tbs, MaxReadahead: -1})
	r := c.NewReader(o.object())
	for range 2 { // the error is not cached: both reads fetch
		if _, err := r.Read(t.Context(), 2*tbs, tbs); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Read of shrunk tail: %v, want io.ErrUnexpectedEOF", err)
		}
	}
	// Bypass reads check their length too.
	if _, err := r.Read(t.Context(), o.size-50, 50); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("bypass Read of shrunk tail: %v, want io.ErrUnexpectedEOF", err)
	}
	if s := c.Stats(); s.Fetches != 3 || s.Blocks != 0 {
		t.Errorf("stats %+v, want 3 fetches, nothing cached", s)
	}
}

func TestCancelledReaderReturnsWhileFetchGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", tbs, 1)
		gate := make(chan struct{})
		o.gate = func(int64) chan struct{} { return gate }
		c := newTestCache(t, Config{BlockSize: tbs})

		ctx, cancel := context.WithCancel(t.Context())
		quitter := readAsync(ctx, c.NewReader(o.object()), 0, tbs)
		patient := readAsync(t.Context(), c.NewReader(o.object()), 0, tbs)
		synctest.Wait()
		cancel()
		synctest.Wait() // the fetch is still gated, so only a prompt return can get here
		select {
		case r := <-quitter:
			if !errors.Is(r.err, context.Canceled) {
				t.Errorf("cancelled Read: %v, want context.Canceled", r.err)
			}
		default:
			t.Fatal("cancelled Read did not return while the fetch was blocked")
		}
		close(gate)
		if r := <-patient; r.err != nil || !bytes.Equal(r.b, o.data) {
			t.Errorf("other waiter: %d bytes, %v", len(r.b), r.err)
		}
		if s := c.Stats(); s.Fetches != 1 || s.Blocks != 1 {
			t.Errorf("stats %+v, want 1 fetch and the block cached", s)
		}
	})
}

func TestCloseCancelsFetches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newFake("obj", tbs, 1)
		o.gate = func(int64) chan struct{} { return make(chan struct{}) } // never opens
		c, err := New(Config{BlockSize: tbs})
		if err != nil {
			t.Fatal(err)
		}
		res := readAsync(t.Context(), c.NewReader(o.object()), 0, tbs)
		synctest.Wait()
		c.Close() // returns only once the fetch goroutine is done
		if r := <-res; !errors.Is(r.err, context.Canceled) {
			t.Errorf("Read during Close: %v, want context.Canceled", r.err)
		}
	})
}

func TestConcurrentReadersStress(t *testing.T) {
	objs := []*fakeObject{newFake("a", 40*tbs+7, 1), newFake("b", 3*tbs, 2), newFake("c", 100, 3)}
	c := newTestCache(t, Config{BlockSize: tbs, Capacity: 8 * tbs, MaxReadahead: 4 * tbs, MaxFetches: 3})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			o := objs[g%len(objs)]
			r := c.NewReader(o.object())
			defer r.Close()
			size := int64(len(o.data))
			for i := range 200 {
				off, n := int64(i)*777%max(size, 1), 1+i*313%(3*tbs)
				if g%2 == 0 { // sequential, in reads of varying size
					off, n = int64(i)*tbs/3%max(size, 1), tbs/3
				}
				got, err := r.Read(context.Background(), off, n)
				if want := o.want(off, n); err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: Read(%d, %d) = %d bytes, %v; want %d", o.key, off, n, len(got), err, len(want))
					return
				}
			}
		})
	}
	wg.Wait()
	if s := c.Stats(); s.Bytes > 8*tbs {
		t.Errorf("over budget after concurrent reads: %+v", s)
	}
}
