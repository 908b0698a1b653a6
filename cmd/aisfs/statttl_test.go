package main

import (
	"testing"
	"time"
)

func TestStatTTLZeroTrustsNothing(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{0, time.Nanosecond},
		{time.Second, time.Second},
		{time.Minute, time.Minute},
	} {
		if got := statTTL(tc.in); got != tc.want {
			t.Errorf("statTTL(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
