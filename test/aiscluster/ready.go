package aiscluster

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const (
	pollEvery  = 250 * time.Millisecond
	reqTimeout = 10 * time.Second // one probe; the overall wait is readyTimeout
)

// Health flags in /v1/health?cii=true: 2 = cluster started (target: joined),
// 4 = node started.
const readyFlags = 2 | 4

// waitReady polls until the cluster serves requests, a node exits, or ctx
// (bounded by readyTimeout) ends. The error says what was still missing.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		for _, n := range c.nodes() {
			if n.exited() {
				return fmt.Errorf("%s (pid %d) exited", n.role, n.pid)
			}
		}
		notReady := c.probe(ctx)
		if notReady == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w (last check: %v)", ctx.Err(), notReady)
		case <-tick.C:
		}
	}
}

// probe returns nil when the cluster is ready, else what is not.
func (c *Cluster) probe(ctx context.Context) error {
	for _, n := range c.nodes() {
		var h struct {
			Flags uint64 `json:"flags"`
		}
		if err := getJSON(ctx, n.url()+"/v1/health?cii=true", &h); err != nil {
			return fmt.Errorf("%s health: %w", n.role, err)
		}
		if h.Flags&readyFlags != readyFlags {
			return fmt.Errorf("%s health flags %d, want %d set", n.role, h.Flags, readyFlags)
		}
	}
	var smap struct {
		Tmap map[string]struct {
			Public struct {
				URL string `json:"direct_url"`
			} `json:"public_net"`
		} `json:"tmap"`
	}
	if err := getJSON(ctx, c.Endpoint()+"/v1/daemon?what=smap", &smap); err != nil {
		return fmt.Errorf("cluster map: %w", err)
	}
	found := false
	for _, t := range smap.Tmap {
		found = found || t.Public.URL == c.TargetURL()
	}
	if !found {
		return fmt.Errorf("cluster map has no target %s", c.TargetURL())
	}
	// A restarted primary says healthy while list-buckets still answers
	// 503, and cluster ops (set-config) answer 503 until the primary is
	// "ready to rebalance" (prr).
	if err := getJSON(ctx, c.Endpoint()+"/v1/buckets", nil); err != nil {
		return fmt.Errorf("list buckets: %w", err)
	}
	if err := getJSON(ctx, c.Endpoint()+"/v1/health?prr=true", nil); err != nil {
		return fmt.Errorf("primary ready (prr): %w", err)
	}
	return nil
}

// ensureFeatures sets the cluster's features when they differ from want:
// on a restart aisnode ignores the initial config and uses its own copy.
func (c *Cluster) ensureFeatures(ctx context.Context, want string) error {
	var cfg struct {
		Features string `json:"features"`
	}
	if err := getJSON(ctx, c.Endpoint()+"/v1/daemon?what=config", &cfg); err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	if cfg.Features == want {
		return nil
	}
	return do(ctx, http.MethodPut, c.Endpoint()+"/v1/cluster/set-config?features="+want, nil)
}

// getJSON GETs url and decodes a 200 answer into v (nil: just check 200).
func getJSON(ctx context.Context, url string, v any) error {
	return do(ctx, http.MethodGet, url, v)
}

func do(ctx context.Context, method, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, reqTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{code: resp.StatusCode, body: string(body)}
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(body, v)
}

type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string {
	s := "HTTP " + strconv.Itoa(e.code)
	if e.body != "" {
		s += ": " + e.body
	}
	return s
}
