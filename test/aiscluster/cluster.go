package aiscluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	readyTimeout = 120 * time.Second // cold start is ~13 s; a loaded CI machine is slower
	stopGrace    = 30 * time.Second  // SIGTERM to SIGKILL; nodes stop in about a second
	killWait     = 10 * time.Second
	startTries   = 3 // fresh ports when one was taken between pick and bind
)

// ErrNotRunning says a state dir has no running cluster (Attach).
var ErrNotRunning = errors.New("aiscluster: cluster not running")

// Options configure Start.
type Options struct {
	Dir      string    // state dir (configs, logs, storage); required
	AISNode  string    // path to aisnode binary; "" = AISNodeBinary()
	Features string    // cluster "features" config string (numeric), "" = "0"
	Log      io.Writer // node stdout/stderr; nil = files under Dir (<Dir>/proxy.log, target.log)

	// Detached starts nodes that outlive this process (own session, output
	// to files under Dir, so Log must be nil). Find them again with Attach.
	Detached bool
}

// Cluster is a 1-proxy, 1-target AIS cluster. Its nodes can be stopped and
// started again in place (restart.go); Endpoint and TargetURL never change.
type Cluster struct {
	// Write once.
	dir           string
	proxy, target *node
	opts          Options // what Start was given, AISNode resolved ("" after Attach)

	// mu serializes Stop, Start and WaitReady: they replace a node's pid,
	// done and tail.
	mu sync.Mutex
}

// state is <Dir>/cluster.json: what Attach and a restart need.
type state struct {
	ProxyPort  int `json:"proxy_port"`
	TargetPort int `json:"target_port"`
	ProxyPID   int `json:"proxy_pid,omitempty"` // 0 when stopped
	TargetPID  int `json:"target_pid,omitempty"`
}

// Start starts 1 proxy + 1 target and returns once the cluster really serves
// requests (see package doc), or with an error that carries the nodes' log
// tails. Without a deadline on ctx it waits at most 120 s for readiness. A
// Dir that held a cluster before restarts it on the same ports with its data.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("aiscluster: Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if opts.Features == "" {
		opts.Features = "0"
	}
	if _, err := strconv.ParseUint(opts.Features, 10, 64); err != nil {
		return nil, fmt.Errorf("aiscluster: Features must be a number (AIS refuses names): %w", err)
	}
	if opts.Detached && opts.Log != nil {
		return nil, errors.New("aiscluster: a detached cluster logs to files under Dir; Log must be nil")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := ensureIntraAddr(ctx); err != nil {
		return nil, err
	}

	prev, err := readState(dir)
	if err != nil {
		return nil, err
	}
	if prev != nil && (prev.ProxyPID != 0 || prev.TargetPID != 0) {
		if _, err := attach(dir, prev); err == nil {
			return nil, fmt.Errorf("aiscluster: a cluster is already running in %s (pids %d, %d); stop it first",
				dir, prev.ProxyPID, prev.TargetPID)
		}
	}
	reuse := prev != nil && prev.ProxyPort != 0 && prev.TargetPort != 0
	if reuse && (!portsFree(prev.ProxyPort) || !portsFree(prev.TargetPort)) {
		return nil, fmt.Errorf("aiscluster: ports %d/%d of the cluster stored in %s are in use",
			prev.ProxyPort, prev.TargetPort, dir)
	}

	bin := opts.AISNode
	if bin == "" {
		if bin, err = AISNodeBinary(ctx); err != nil {
			return nil, err
		}
	}
	// Nodes run in their own dirs: a relative path would miss.
	if bin, err = filepath.Abs(bin); err != nil {
		return nil, err
	}

	for try := 1; ; try++ {
		var ports []int
		if reuse {
			ports = []int{prev.ProxyPort, prev.TargetPort}
		} else if ports, err = pickPorts(2); err != nil {
			return nil, err
		}
		c, err := launch(ctx, bin, dir, ports[0], ports[1], opts)
		if err == nil {
			return c, nil
		}
		// Someone took a port between pickPorts and the node's bind.
		if reuse || try == startTries || !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
	}
}

func launch(ctx context.Context, bin, dir string, proxyPort, targetPort int, opts Options) (*Cluster, error) {
	opts.AISNode = bin
	c := &Cluster{
		dir:    dir,
		opts:   opts,
		proxy:  &node{role: roleProxy, port: proxyPort, dirs: dirsFor(dir, roleProxy)},
		target: &node{role: roleTarget, port: targetPort, dirs: dirsFor(dir, roleTarget)},
	}
	for _, n := range c.nodes() {
		if err := writeConfigs(n.dirs, n.role, n.port, c.proxy.url(), opts.Features); err != nil {
			return nil, fmt.Errorf("aiscluster: write %s config: %w", n.role, err)
		}
	}
	for _, n := range c.nodes() {
		if err := startNode(bin, n, opts.Log, opts.Detached); err != nil {
			c.kill()
			return nil, fmt.Errorf("aiscluster: %w", err)
		}
	}
	if err := c.save(); err != nil {
		c.kill()
		return nil, err
	}
	err := c.waitReady(ctx)
	if err == nil {
		err = c.ensureFeatures(ctx, opts.Features)
	}
	if err != nil {
		c.kill()
		return nil, fmt.Errorf("aiscluster: start in %s: %w\n%s\n%s", dir, err, c.proxy.logTail(), c.target.logTail())
	}
	return c, nil
}

// Attach finds the cluster a (detached) Start left running in dir, by the
// pids it recorded; ErrNotRunning when there is none. It does not wait for
// readiness: use WaitReady.
func Attach(dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	st, err := readState(dir)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("%w in %s", ErrNotRunning, dir)
	}
	return attach(dir, st)
}

// WaitReady returns once the cluster serves requests (see package doc), or
// with what was still missing when ctx (bounded to 120 s) ended.
func (c *Cluster) WaitReady(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.waitReady(ctx); err != nil {
		return fmt.Errorf("aiscluster: %s: %w\n%s\n%s", c.dir, err, c.proxy.logTail(), c.target.logTail())
	}
	return nil
}

// attach finds the recorded nodes. One that is gone counts as exited, so a
// half-dead cluster can still be stopped, and WaitReady says which died.
// Nodes started again (Start) are detached, like the ones found.
func attach(dir string, st *state) (*Cluster, error) {
	c := &Cluster{
		dir:    dir,
		opts:   Options{Dir: dir, Detached: true},
		proxy:  &node{role: roleProxy, port: st.ProxyPort, pid: st.ProxyPID, dirs: dirsFor(dir, roleProxy)},
		target: &node{role: roleTarget, port: st.TargetPort, pid: st.TargetPID, dirs: dirsFor(dir, roleTarget)},
	}
	alive := 0
	for _, n := range c.nodes() {
		if n.pid != 0 && attachNode(n) == nil {
			alive++
			continue
		}
		n.done = make(chan struct{})
		close(n.done)
	}
	if alive == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNotRunning, dir)
	}
	return c, nil
}

// Endpoint is the proxy's URL, "http://127.0.0.1:PORT".
func (c *Cluster) Endpoint() string { return c.proxy.url() }

// TargetURL is the target's public URL (where the proxy redirects to).
func (c *Cluster) TargetURL() string { return c.target.url() }

// Dir is the cluster's state dir.
func (c *Cluster) Dir() string { return c.dir }

// Stop sends SIGTERM to both nodes (target first, so it can leave the
// cluster map cleanly), waits, and SIGKILLs a node that outlives the grace
// period. Ports, configs and data stay: Start brings the same cluster back.
// It is safe to call more than once.
func (c *Cluster) Stop() error {
	return c.stopNodes(c.target, c.proxy)
}

// kill ends a cluster that failed to start; its error is already reported.
func (c *Cluster) kill() {
	for _, n := range c.nodes() {
		_ = n.stop(time.Second)
	}
	_ = c.save()
}

func (c *Cluster) nodes() []*node { return []*node{c.proxy, c.target} }

func statePath(dir string) string    { return filepath.Join(dir, "cluster.json") }
func endpointPath(dir string) string { return filepath.Join(dir, "endpoint") }

func readState(dir string) (*state, error) {
	b, err := os.ReadFile(statePath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("aiscluster: %s: %w", statePath(dir), err)
	}
	return &st, nil
}

// save records the ports (a restart reuses them) and the pids of the nodes
// that run, and while the proxy runs, the endpoint for scripts (make demo).
func (c *Cluster) save() error {
	st := state{ProxyPort: c.proxy.port, TargetPort: c.target.port}
	if c.proxy.running() {
		st.ProxyPID = c.proxy.pid
	}
	if c.target.running() {
		st.TargetPID = c.target.pid
	}
	if err := writeJSON(statePath(c.dir), st); err != nil {
		return err
	}
	if !c.proxy.running() {
		if err := os.Remove(endpointPath(c.dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.WriteFile(endpointPath(c.dir), []byte(c.Endpoint()+"\n"), 0o644)
}
