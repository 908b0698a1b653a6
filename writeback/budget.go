package writeback

import (
	"context"
	"sync"
)

// budget is a byte-weighted semaphore, granted in FIFO order so a large request is not
// starved by small ones.
type budget struct {
	mu      sync.Mutex
	max     int64
	used    int64     // GUARDED_BY(mu)
	waiters []*waiter // GUARDED_BY(mu)
}

type waiter struct {
	n     int64
	ready chan struct{} // closed when granted
}

func newBudget(max int64) *budget { return &budget{max: max} }

// acquire waits until n bytes (at most max) are free and returns the amount to release.
func (b *budget) acquire(ctx context.Context, n int64) (int64, error) {
	n = max(min(n, b.max), 1)
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.max {
		b.used += n
		b.mu.Unlock()
		return n, nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted while we gave up: hand it back
		b.used -= n
		b.grantLocked()
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
		b.grantLocked() // the head may have been us, blocking smaller ones behind
	}
	return 0, ctx.Err()
}

func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.grantLocked()
	b.mu.Unlock()
}

func (b *budget) grantLocked() {
	for len(b.waiters) > 0 && b.used+b.waiters[0].n <= b.max {
		w := b.waiters[0]
		b.waiters = b.waiters[1:]
		b.used += w.n
		close(w.ready)
	}
}

func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
