package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// memHeadroom is the Go memory the mount may use beside its budgets: inodes, listings,
// request buffers, goroutine stacks.
const memHeadroom = 64 << 20

// setMemoryLimit makes the garbage collector keep the process near its budgets. The block
// cache is live heap, and by default the collector lets the heap grow to twice what is live
// before it runs: a full 256 MiB cache made a peak RSS of 570 MiB. A soft limit of the budgets
// plus headroom makes it collect sooner instead; cache blocks hold no pointers, so a cycle
// stays cheap. A GOMEMLIMIT the user set wins.
func setMemoryLimit(budget int64, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := budget + memHeadroom
	debug.SetMemoryLimit(limit)
	log.Debug("Go memory limit set", "bytes", limit)
}
