package main

import (
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	beforeGC := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(before); debug.SetGCPercent(beforeGC) })
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name, env, gogc string
		budget          int64
		want            int64
		wantGC          int
	}{
		{"cache budget plus headroom", "", "", 256 << 20, 256<<20 + memHeadroom, gcPercent},
		{"GOMEMLIMIT wins", "1GiB", "", 256 << 20, math.MaxInt64, gcPercent},
		{"GOGC wins", "", "200", 256 << 20, 256<<20 + memHeadroom, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tt.env)
			t.Setenv("GOGC", tt.gogc) // read by the runtime only at start: 100 stands for the user's
			debug.SetMemoryLimit(math.MaxInt64)
			debug.SetGCPercent(100)
			setMemoryLimit(tt.budget, log)
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("memory limit %d, want %d", got, tt.want)
			}
			if got := debug.SetGCPercent(100); got != tt.wantGC {
				t.Errorf("GC percent %d, want %d", got, tt.wantGC)
			}
		})
	}
}
