package aisclient

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	maxRoutes = 8192 // learned object->target entries; about 1 MiB at most
	// How long the "exactly one target" answer from the cluster map is trusted, and how
	// long to wait before asking again after the map could not be read.
	smapTTL = 30 * time.Second
	// How long "the cluster has an active target" is trusted when an empty listing is
	// checked (list.go): short, since it is what tells an outage from an empty bucket.
	targetsTTL = time.Second
)

// routes remembers which target serves an object, so reads can skip the proxy's redirect.
type routes struct {
	c *Client

	disabled atomic.Bool  // a target refused direct access (AuthN): go through the proxy
	noSmap   atomic.Bool  // the cluster map's target URL was unreachable from here (NAT, k8s)
	seenTs   atomic.Int64 // unix nanoseconds when the cluster map last showed an active target

	mu      sync.Mutex
	byObj   map[string]string // Bck.key(obj) -> target base URL (scheme://host)
	single  string            // the only target's URL when the cluster map has one target
	smapAt  time.Time         // when single was last determined (or the attempt failed)
	loading bool              // one cluster-map request at a time
}

func newRoutes(c *Client) *routes {
	return &routes{c: c, byObj: make(map[string]string)}
}

// target returns the base URL to send a read of key to, or "" for the proxy.
func (r *routes) target(ctx context.Context, key string) string {
	if r.disabled.Load() {
		return ""
	}
	r.mu.Lock()
	if t, ok := r.byObj[key]; ok {
		r.mu.Unlock()
		return t
	}
	stale := time.Since(r.smapAt) > smapTTL && !r.loading && !r.noSmap.Load()
	if stale {
		r.loading = true
	}
	single := r.single
	r.mu.Unlock()
	if stale {
		single = r.loadSmap(ctx)
	}
	return single
}

// learn records the target base URL from a redirect's Location.
func (r *routes) learn(key string, loc *url.URL) {
	if key == "" || loc == nil || loc.Host == "" {
		return
	}
	base := loc.Scheme + "://" + loc.Host
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byObj[key] == base {
		return
	}
	if len(r.byObj) >= maxRoutes {
		// Drop an arbitrary entry: a miss costs only one redirect.
		for k := range r.byObj {
			delete(r.byObj, k)
			break
		}
	}
	r.byObj[key] = base
}

// forget is called when a direct read failed: the object moved or the target is gone.
// connErr is the connection failure, nil when the target answered.
func (r *routes) forget(key, base string, connErr error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byObj[key] == base {
		delete(r.byObj, key)
	}
	// A 404 from the only target says nothing against the cluster map; a dead connection does.
	if r.single == base && connErr != nil {
		r.single = ""
		r.smapAt = time.Now() // re-read the map only after smapTTL
		// Refused or reset: the host is there (restarting?). A dial that found no host (a
		// timeout, no route) suggests the map's URLs are cluster-internal (NAT, k8s): stop
		// using them; redirects still teach reachable ones. Anything else (a slow answer)
		// says nothing about the map.
		var op *net.OpError
		unreachable := errors.As(connErr, &op) && op.Op == "dial" &&
			!errors.Is(connErr, syscall.ECONNREFUSED) && !errors.Is(connErr, syscall.ECONNRESET)
		if unreachable && !r.noSmap.Swap(true) {
			r.c.log.Info("aisclient: target from the cluster map is unreachable; using redirects",
				"target", base, "err", connErr)
		}
	}
}

// sawTargets records that the cluster map showed an active target just now.
func (r *routes) sawTargets() { r.seenTs.Store(time.Now().UnixNano()) }

func (r *routes) targetsSeenRecently() bool {
	return time.Since(time.Unix(0, r.seenTs.Load())) < targetsTTL
}

// refuse turns direct reads off for good: targets reject them (AuthN or request signing).
func (r *routes) refuse() {
	if !r.disabled.Swap(true) {
		r.c.log.Info("aisclient: targets refuse direct reads; reading through the proxy")
	}
	r.mu.Lock()
	clear(r.byObj)
	r.single = ""
	r.mu.Unlock()
}

// loadSmap reads the cluster map and returns the only target's public URL, or "".
// It does not inherit ctx's cancellation: the answer serves every later read.
func (r *routes) loadSmap(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(r.c.reqTimeout, 5*time.Second))
	defer cancel()
	urls, err := r.c.targetURLs(ctx)
	single := ""
	if err == nil && len(urls) == 1 {
		single = urls[0]
	}
	if len(urls) > 0 {
		r.sawTargets()
	}
	if err != nil {
		r.c.log.Debug("aisclient: cluster map", "err", err)
	}
	r.mu.Lock()
	r.single, r.smapAt, r.loading = single, time.Now(), false
	r.mu.Unlock()
	return single
}
