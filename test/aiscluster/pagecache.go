package aiscluster

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The kernel's page cache is one per machine, and go test runs packages in parallel: a test that
// drops it would make another that counts what the page cache serves fail. They take a shared
// flock on one file (KeepPageCache) or an exclusive one for the drop (DropCaches).
var pageCacheLock = filepath.Join(os.TempDir(), "aisfs-test-pagecache.lock")

func lockPageCache(tb testing.TB, how int) *os.File {
	tb.Helper()
	f, err := os.OpenFile(pageCacheLock, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		tb.Fatalf("page cache lock: %v", err)
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		tb.Fatalf("page cache lock: %v", err)
	}
	return f
}

// KeepPageCache holds off every DropCaches of this and other test binaries until tb ends.
func KeepPageCache(tb testing.TB) {
	f := lockPageCache(tb, unix.LOCK_SH)
	tb.Cleanup(func() { f.Close() })
}

// DropCaches writes dirty pages back and makes the kernel drop its page cache, dentries and
// inodes, as memory pressure would, once no test holds KeepPageCache. Without root it skips the
// test, or fails it under CI=true.
func DropCaches(tb testing.TB) {
	tb.Helper()
	f := lockPageCache(tb, unix.LOCK_EX)
	defer f.Close()
	unix.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("drop_caches: %v", err)
		}
		tb.Skipf("drop_caches: %v", err)
	}
}

// PageCacheDrops is how many times the page cache or the inode cache was dropped on this machine
// (drop_pagecache + drop_slab in /proc/vmstat), by anything: a benchmark, another package's test,
// an admin.
// A test that counts what the page cache serves compares it before and after to tell a dropped
// cache from a bug. It is -1 where the kernel does not report it.
func PageCacheDrops() int64 {
	b, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		return -1
	}
	var sum int64
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		if k == "drop_pagecache" || k == "drop_slab" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return -1
			}
			sum += n
			found++
		}
	}
	if found != 2 {
		return -1
	}
	return sum
}
