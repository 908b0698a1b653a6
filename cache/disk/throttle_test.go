package disk

import (
	"testing"
	"time"
)

// TestThrottleWakes: a miss throttled by a full write queue goes on when a writer takes the
// queue down to a quarter, or when the cache turns off, without waiting out maxThrottle.
func TestThrottleWakes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		release func(c *Cache)
	}{
		{"queue drained", func(c *Cache) {
			for !c.queueLow() { // as the writers take blocks
				<-c.queue
				c.wakeThrottled()
			}
		}},
		{"cache off", func(c *Cache) { c.turnOff(errBadBlock) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cache{queue: make(chan job, 8), log: newLogger(testWriter{t})}
			for range 6 {
				c.queue <- job{}
			}
			done := make(chan time.Duration)
			go func() {
				t0 := time.Now()
				c.throttle()
				done <- time.Since(t0)
			}()
			select {
			case <-done:
				t.Fatal("throttle returned while the queue was three quarters full")
			case <-time.After(50 * time.Millisecond): // it waits (maxThrottle is a second)
			}
			tc.release(c)
			if d := <-done; d >= maxThrottle {
				t.Fatalf("throttle waited %v: woken only by its deadline", d)
			}
		})
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
