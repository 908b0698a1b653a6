package writeback

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// budget bounds the buffer bytes of fetches in flight: a byte-weighted semaphore that grants
// in FIFO order, so a large request is not starved by small ones, and that says how much is
// held (Stats).
type budget struct {
	sem  *semaphore.Weighted
	max  int64
	used atomic.Int64
}

func newBudget(max int64) *budget { return &budget{sem: semaphore.NewWeighted(max), max: max} }

// acquire waits until n bytes (at most max) are free and returns the amount to release.
func (b *budget) acquire(ctx context.Context, n int64) (int64, error) {
	n = max(min(n, b.max), 1)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return 0, err
	}
	b.used.Add(n)
	return n, nil
}

func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.used.Add(-n)
	b.sem.Release(n)
}

func (b *budget) inUse() int64 { return b.used.Load() }
