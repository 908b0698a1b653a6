package cache

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// errBoom is the fake fetcher's injected failure.
var errBoom = errors.New("boom")

// span is one Fetcher call.
type span struct {
	off int64
	n   int
}

// fakeObject serves an in-memory object and records every fetch.
type fakeObject struct {
	key  string
	data []byte
	size int64 // declared size; may exceed len(data) to simulate a shrunk object

	mu       sync.Mutex
	calls    []span
	failNext int                           // the next failNext fetches fail with errBoom
	gate     func(off int64) chan struct{} // when it returns a channel, the fetch waits for it to close
}

// newFake returns an object of n random bytes.
func newFake(key string, n int, seed uint64) *fakeObject {
	data := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = rng.Read(data)
	return &fakeObject{key: key, data: data, size: int64(n)}
}

func (o *fakeObject) object() Object { return Object{Key: o.key, Size: o.size, Fetch: o.fetch} }

func (o *fakeObject) fetch(ctx context.Context, off int64, p []byte) (int, error) {
	o.mu.Lock()
	o.calls = append(o.calls, span{off, len(p)})
	fail := o.failNext > 0
	if fail {
		o.failNext--
	}
	var gate chan struct{}
	if o.gate != nil {
		gate = o.gate(off)
	}
	o.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	if fail {
		return 0, errBoom
	}
	if off >= int64(len(o.data)) {
		return 0, io.EOF
	}
	n := copy(p, o.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// log returns the calls so far, in call order.
func (o *fakeObject) log() []span {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.calls)
}

// fetched returns the calls so far, sorted by offset.
func (o *fakeObject) fetched() []span {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := slices.Clone(o.calls)
	slices.SortFunc(s, func(a, b span) int { return int(a.off - b.off) })
	return s
}

// fetchedBlocks returns the sorted block indexes fetched so far (block-aligned calls only).
func (o *fakeObject) fetchedBlocks(bs int64) []int64 {
	var idx []int64
	for _, c := range o.fetched() {
		if c.off%bs == 0 {
			idx = append(idx, c.off/bs)
		}
	}
	return idx
}

// newTestCache returns a cache closed at the end of the test.
func newTestCache(t *testing.T, cfg Config) *Cache {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	t.Cleanup(c.Close)
	return c
}

// want returns the bytes a read of [off, off+size) must produce.
func (o *fakeObject) want(off int64, size int) []byte {
	if off >= int64(len(o.data)) || size <= 0 {
		return nil
	}
	return o.data[off:min(off+int64(size), int64(len(o.data)))]
}

// blockRange returns the block indexes lo..hi.
func blockRange(lo, hi int64) []int64 {
	var s []int64
	for i := lo; i <= hi; i++ {
		s = append(s, i)
	}
	return s
}
