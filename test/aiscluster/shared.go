package aiscluster

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds a first-time aisnode build (module downloads included).
const buildTimeout = 20 * time.Minute

// sharedCluster is the one cluster of a test binary, started on first use.
type sharedCluster struct {
	once sync.Once
	dir  string
	c    *Cluster
	err  error
}

// shared is package state by necessity: Endpoint(t) must find the same
// cluster from every test of the binary, and Main must find it to stop it.
var shared sharedCluster

func (s *sharedCluster) start() {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	bin, err := AISNodeBinary(ctx)
	if err != nil {
		s.err = err
		return
	}
	s.dir, err = os.MkdirTemp("", "aiscluster-")
	if err != nil {
		s.err = err
		return
	}
	// Start bounds readiness itself (readyTimeout).
	s.c, s.err = Start(context.Background(), Options{Dir: s.dir, AISNode: bin})
}

// stop ends the cluster (if any) and removes its files.
func (s *sharedCluster) stop() error {
	if s.c == nil {
		if s.dir != "" {
			return os.RemoveAll(s.dir)
		}
		return nil
	}
	if err := s.c.Stop(); err != nil {
		return fmt.Errorf("%w (files kept in %s)", err, s.dir)
	}
	return os.RemoveAll(s.dir)
}

// Endpoint returns the AIS endpoint for a test: $AIS_ENDPOINT when set,
// else the proxy URL of a cluster started once per test binary (in a temp
// dir) on first use. When no cluster can be had the test fails under
// CI=true and is skipped otherwise. Pair it with Main in TestMain.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	if ep := os.Getenv("AIS_ENDPOINT"); ep != "" {
		return ep
	}
	shared.once.Do(shared.start)
	if shared.err != nil {
		unavailable(tb, shared.err)
	}
	return shared.c.Endpoint()
}

// Own starts a cluster of tb's own, in a temp dir, for a test that stops or
// restarts it (the one Endpoint shares must stay up for the other tests),
// and stops it when the test ends. AIS_ENDPOINT does not apply. When no
// cluster can be had the test fails under CI=true and is skipped otherwise;
// a cluster that cannot start fails the test.
func Own(tb testing.TB) *Cluster {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	bin, err := AISNodeBinary(ctx)
	if err != nil {
		unavailable(tb, err)
	}
	c, err := Start(ctx, Options{Dir: tb.TempDir(), AISNode: bin})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return c
}

// unavailable ends a test that cannot have a cluster: it fails under
// CI=true, so a suite cannot pass by skipping, and skips elsewhere.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatalf("no AIS cluster (CI=true, so this fails instead of skipping): %v", err)
	}
	tb.Skipf("no AIS cluster (set AIS_ENDPOINT, AISNODE, or run make test): %v", err)
}

// Main is for TestMain: it runs the tests, stops the cluster Endpoint
// started (if any), runs cleanups, and exits with the tests' code.
func Main(m *testing.M, cleanups ...func()) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	for _, s := range []*sharedCluster{&second, &shared} {
		if err := s.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "aiscluster: stop:", err)
		}
	}
	os.Exit(code)
}
