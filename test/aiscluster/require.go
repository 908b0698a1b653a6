package aiscluster

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// RequireFUSE skips a test on a machine without /dev/fuse, except under CI=true, where a
// missing FUSE fails the test: a suite must not pass by skipping.
func RequireFUSE(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		skipOrFail(tb, "FUSE is unavailable: %v", err)
	}
}

// RequireTool does the same for a program the test runs.
func RequireTool(tb testing.TB, name string) {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		skipOrFail(tb, "%s is not installed", name)
	}
}

func skipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatalf("CI=true, so this fails instead of skipping: "+format, args...)
	}
	tb.Skipf(format, args...)
}
