package disk

import (
	"sync"
	"time"
)

// throttle is the backpressure on reads from AIS: a miss is what comes before every fetch, so
// while the write queue is over a quarter full, a miss waits (up to maxThrottle) for the
// writers to catch up. Dropping blocks instead cost the next epoch their refetch (up to 12%
// of the data, with the disk shared with the AIS target); waiting costs this read only what
// the disk is slower than AIS. The wait ends when a writer takes the queue down to a quarter
// (wakeThrottled), not on a poll: 16 fetches polling every millisecond woke 16,000 times a
// second on two cores that the disk writes and AIS need.
func (c *Cache) throttle() {
	if c.queueLow() {
		return
	}
	t := time.NewTimer(maxThrottle)
	defer t.Stop()
	for !c.queueLow() && !c.off.Load() {
		ch := c.low.wait()
		if c.queueLow() || c.off.Load() { // a writer may have taken it down before wait
			return
		}
		select {
		case <-ch:
		case <-t.C:
			return
		}
	}
}

// maxThrottle bounds one wait of throttle: a disk that stalls for longer gets its blocks
// dropped (counted as skipped), not the reads stalled with it.
const maxThrottle = time.Second

func (c *Cache) queueLow() bool { return len(c.queue) <= cap(c.queue)/4 }

// wakeThrottled releases the throttled misses once the queue is low again or the cache is off.
// The writers call it as they take each block.
func (c *Cache) wakeThrottled() {
	if c.queueLow() || c.off.Load() {
		c.low.wake()
	}
}

// lowWater is where throttled misses wait: a channel closed by wake, made by the first waiter.
type lowWater struct {
	mu sync.Mutex
	ch chan struct{} // GUARDED_BY(mu); nil: no one waits
}

func (w *lowWater) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

func (w *lowWater) wake() {
	w.mu.Lock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
	w.mu.Unlock()
}
