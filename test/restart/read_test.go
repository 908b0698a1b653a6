package restart

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

func randBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestReadAcrossRestart: a reader in the middle of a large file keeps reading while AIS
// is stopped and started again (the whole cluster, or only its target, which makes the
// proxy answer ErrNoNodes), and gets every byte right without an error.
func TestReadAcrossRestart(t *testing.T) {
	const (
		size   = 64 << 20
		before = 24 << 20 // read with AIS up; the rest is read while it is down and restarting
	)
	// A small cache and readahead, so most of the file must come from AIS after the stop.
	e := newEnv(t, "--op-timeout", "5m", "--cache-size", "16MiB", "--readahead", "4MiB")
	for _, tc := range []struct {
		name string
		stop func() error
	}{
		{"cluster", e.cl.Stop},
		{"target", e.cl.StopTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randBytes(t, size)
			e.put(t, tc.name, data)
			f, err := os.Open(e.path(tc.name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h := sha256.New()
			buf := make([]byte, 1<<20)
			if _, err := io.CopyBuffer(h, io.LimitReader(f, before), buf); err != nil {
				t.Fatalf("read before the restart: %v", err)
			}
			if err := tc.stop(); err != nil {
				t.Fatal(err)
			}
			started := time.Now()
			restarted := make(chan error, 1)
			go func() { restarted <- e.cl.Start(context.Background()) }()
			n, rerr := io.CopyBuffer(h, f, buf)
			if err := <-restarted; err != nil {
				t.Fatal(err)
			}
			t.Logf("read the last %d MiB across the restart in %v", n>>20, time.Since(started).Round(time.Millisecond))
			if rerr != nil {
				t.Fatalf("read across the restart: %v", rerr)
			}
			if n != size-before {
				t.Fatalf("read %d bytes after the restart began, want %d", n, size-before)
			}
			if got, want := h.Sum(nil), sha256.Sum256(data); !slices.Equal(got, want[:]) {
				t.Fatal("content read across the restart differs from what was written")
			}
			if lines := e.logLines(t, "ERROR"); len(lines) > 0 {
				t.Errorf("aisfs logged errors for a read that succeeded:\n%v", lines)
			}
		})
	}
}

// TestDownThenBack: with AIS down, calls that need it fail with EIO once the op budget
// is spent, each failure logged once; when AIS is back the same mount works again with
// nothing remembered from the outage (no cached errors, no negative entries).
func TestDownThenBack(t *testing.T) {
	const ttl = time.Second
	e := newEnv(t, "--op-timeout", "8s", "--stat-ttl", ttl.String())
	data := randBytes(t, 4<<20)
	e.put(t, "f", data)
	e.put(t, "d/g", []byte("in d"))
	f, err := os.Open(e.path("f")) // opened while AIS is up; nothing of it read yet
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	if err := e.cl.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl + ttl/2) // let the root listing from the open expire: the calls below must ask AIS

	down := []struct {
		name string
		call func() error
		word string // in the failure's log line
	}{
		{"stat of a new name", func() error { _, err := os.Stat(e.path("new")); return err }, "new"},
		{"read of an open file", func() error { _, err := f.ReadAt(make([]byte, 4096), 0); return err }, "/f"},
		{"readdir of an unread directory", func() error { _, err := os.ReadDir(e.path("d")); return err }, "d"},
	}
	for _, tc := range down {
		start := time.Now()
		err := tc.call()
		t.Logf("%s with AIS down: %v after %v", tc.name, err, time.Since(start).Round(time.Millisecond))
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("%s with AIS down: %v, want EIO", tc.name, err)
		}
	}
	if lines := e.logLines(t, "ERROR", "new"); len(lines) != 1 {
		t.Errorf("the failed stat logged %d error lines, want 1:\n%v", len(lines), lines)
	}

	if err := e.cl.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The same mount, without a remount.
	if fi, err := os.Stat(e.path("f")); err != nil || fi.Size() != int64(len(data)) {
		t.Fatalf("stat f after AIS is back: %v, %v", fi, err)
	}
	got := make([]byte, len(data))
	if _, err := f.ReadAt(got, 0); err != nil || !slices.Equal(got, data) {
		t.Fatalf("read of the handle opened before the outage: %v (content equal: %v)", err, slices.Equal(got, data))
	}
	ents, err := os.ReadDir(e.path("d"))
	if err != nil || len(ents) != 1 || ents[0].Name() != "g" {
		t.Fatalf("readdir d after AIS is back: %v, %v", ents, err)
	}
	if _, err := os.Stat(e.path("new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat of a missing name after AIS is back: %v, want ENOENT", err)
	}
}
