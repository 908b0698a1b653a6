package main

import (
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name, env string
		budget    int64
		want      int64
	}{
		{"cache budget plus headroom", "", 256 << 20, 256<<20 + memHeadroom},
		{"GOMEMLIMIT wins", "1GiB", 256 << 20, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tt.env)
			debug.SetMemoryLimit(math.MaxInt64)
			setMemoryLimit(tt.budget, log)
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("memory limit %d, want %d", got, tt.want)
			}
		})
	}
}
