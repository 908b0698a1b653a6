package aiscluster

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// What `aiscluster start/stop` and `make demo` rely on: a detached cluster
// is found again by Attach, refuses a second Start, stops, and restarts on
// the same dir with the same endpoint, its buckets, and the features asked
// for now (aisnode itself would keep the old ones).
func TestDetachedClusterRestartsWithItsData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two clusters")
	}
	ctx := t.Context()
	bin, err := AISNodeBinary(ctx)
	if err != nil {
		unavailable(t, err)
	}
	dir := t.TempDir()
	var running *Cluster
	t.Cleanup(func() {
		if running != nil {
			running.Stop()
		}
	})

	c, err := Start(ctx, Options{Dir: dir, AISNode: bin, Detached: true, Features: "8192"})
	if err != nil {
		t.Fatal(err)
	}
	running = c
	if _, err := Start(ctx, Options{Dir: dir, AISNode: bin}); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second Start on a running dir: %v, want 'already running'", err)
	}
	a, err := Attach(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Endpoint() != c.Endpoint() || a.TargetURL() != c.TargetURL() {
		t.Fatalf("Attach found %s/%s, want %s/%s", a.Endpoint(), a.TargetURL(), c.Endpoint(), c.TargetURL())
	}
	hc := freshClient(t)
	bck := newBucket(t, hc, c.Endpoint())
	if got := features(t, c.Endpoint()); got != "8192" {
		t.Errorf("features %q, want 8192", got)
	}

	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.nodes() {
		if pidAlive(n.pid) {
			t.Errorf("%s pid %d alive after Stop", n.role, n.pid)
		}
	}
	if _, err := Attach(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Attach after Stop: %v, want ErrNotRunning", err)
	}

	c2, err := Start(ctx, Options{Dir: dir, AISNode: bin})
	if err != nil {
		t.Fatal(err)
	}
	running = c2
	if c2.Endpoint() != c.Endpoint() {
		t.Errorf("restart moved the endpoint from %s to %s", c.Endpoint(), c2.Endpoint())
	}
	resp := mustDo(t, hc, mustRequest(t, http.MethodHead, c2.Endpoint()+"/v1/buckets/"+bck))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("bucket %s after restart: %s", bck, resp.Status)
	}
	if got := features(t, c2.Endpoint()); got != "0" {
		t.Errorf("features after restart %q, want 0", got)
	}
}

func features(t *testing.T, endpoint string) string {
	t.Helper()
	var cfg struct {
		Features string `json:"features"`
	}
	if err := getJSON(t.Context(), endpoint+"/v1/daemon?what=config", &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Features
}
