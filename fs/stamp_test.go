package fs

import (
	"testing"
	"time"
)

func TestStamp(t *testing.T) {
	base := time.Date(2026, 12, 2, 3, 4, 5, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		t    time.Time
	}{
		{"zero stays zero", time.Time{}},
		{"nanoseconds kept", base},
		{"monotonic reading dropped", time.Now()},
		{"other zone", base.In(time.FixedZone("x", 3600))},
	} {
		got := stampOf(tc.t).time()
		if !got.Equal(tc.t) || got.IsZero() != tc.t.IsZero() {
			t.Errorf("%s: %v came back as %v", tc.name, tc.t, got)
		}
		if later := tc.t.Add(time.Nanosecond); !tc.t.IsZero() && !stampOf(tc.t).time().Before(stampOf(later).time()) {
			t.Errorf("%s: order lost", tc.name)
		}
	}
}
