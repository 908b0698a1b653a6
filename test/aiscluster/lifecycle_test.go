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

// What restart tests rely on: nodes stop and start in place, one or both,
// keep their endpoint and data, and Start returns only once the cluster
// serves objects again.
func TestStopStartInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a cluster")
	}
	c := Own(t)
	ep, turl := c.Endpoint(), c.TargetURL()
	hc := freshClient(t)
	bck := newBucket(t, hc, ep)
	obj := objectURL(ep, bck, "kept")
	if code := put(t, hc, obj, []byte("kept across restarts")); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}
	check := func(when string) {
		t.Helper()
		resp := mustDo(t, hc, mustRequest(t, http.MethodGet, obj))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", when, resp.Status)
		}
	}

	for _, tc := range []struct {
		name string
		stop func() error
		down []*node
	}{
		{"target", c.StopTarget, []*node{c.target}},
		{"proxy", c.StopProxy, []*node{c.proxy}},
		{"both", c.Stop, []*node{c.proxy, c.target}},
	} {
		old := map[*node]int{c.proxy: c.proxy.pid, c.target: c.target.pid}
		if err := tc.stop(); err != nil {
			t.Fatalf("stop %s: %v", tc.name, err)
		}
		for _, n := range tc.down {
			if pidAlive(old[n]) {
				t.Errorf("stop %s: %s pid %d alive", tc.name, n.role, old[n])
			}
		}
		if err := c.Start(t.Context()); err != nil {
			t.Fatalf("start after stopping %s: %v", tc.name, err)
		}
		if c.Endpoint() != ep || c.TargetURL() != turl {
			t.Fatalf("after %s: %s/%s, want %s/%s", tc.name, c.Endpoint(), c.TargetURL(), ep, turl)
		}
		check("after restarting " + tc.name)
	}
	if err := c.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("after Restart")
	// A detached view of the same dir finds the restarted nodes.
	a, err := Attach(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if a.proxy.pid != c.proxy.pid || a.target.pid != c.target.pid {
		t.Errorf("Attach found pids %d/%d, want %d/%d", a.proxy.pid, a.target.pid, c.proxy.pid, c.target.pid)
	}
}
