package fs

import "time"

// stamp is a wall-clock instant in 8 bytes (a time.Time takes 24), for the times every file node
// keeps: unix nanoseconds, 0 for "never" (the zero time.Time). It drops the monotonic reading,
// which only matters across a step of the system clock (an attribute then looks fresh or stale
// early, as with any TTL cache that restarts).
type stamp int64

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return 0
	}
	return stamp(t.UnixNano())
}

func (s stamp) time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(s))
}
