package aiscluster

import (
	"context"
	"errors"
	"fmt"
)

// Stopping and starting nodes in place, for tests of what a client sees while
// AIS restarts. A node comes back on its port with its configs and data (the
// target's objects, the proxy's cluster map and bucket metadata), so an
// Endpoint or TargetURL handed out before stays valid.

// StopTarget stops the target only (SIGTERM, then SIGKILL after the grace
// period, as Stop). The proxy keeps answering, without storage: object
// requests get 400 ErrNoNodes or connection errors until Start.
func (c *Cluster) StopTarget() error { return c.stopNodes(c.target) }

// StopProxy stops the proxy only; reads that go straight to the target may
// still work until Start.
func (c *Cluster) StopProxy() error { return c.stopNodes(c.proxy) }

func (c *Cluster) stopNodes(nodes ...*node) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, n := range nodes {
		errs = append(errs, n.stop(stopGrace))
	}
	errs = append(errs, c.save())
	return errors.Join(errs...)
}

// Start starts again, in place, the nodes that are not running (after Stop,
// StopTarget, StopProxy, or a crash), and returns once the cluster is ready
// in the sense of the package doc, or with an error carrying the nodes' log
// tails. Without a deadline on ctx it waits at most 120 s for readiness.
// Nodes that run are left alone; with none stopped it only waits for
// readiness.
func (c *Cluster) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	bin := c.opts.AISNode
	if bin == "" { // found by Attach
		var err error
		if bin, err = AISNodeBinary(ctx); err != nil {
			return err
		}
	}
	for _, n := range c.nodes() { // proxy first: the target joins through it
		if n.running() {
			continue
		}
		if err := startNode(bin, n, c.opts.Log, c.opts.Detached); err != nil {
			return fmt.Errorf("aiscluster: restart in %s: %w", c.dir, err)
		}
	}
	if err := c.save(); err != nil {
		return err
	}
	if err := c.waitReady(ctx); err != nil {
		return fmt.Errorf("aiscluster: restart in %s: %w\n%s\n%s", c.dir, err, c.proxy.logTail(), c.target.logTail())
	}
	return nil
}

// Restart is Stop, then Start.
func (c *Cluster) Restart(ctx context.Context) error {
	if err := c.Stop(); err != nil {
		return err
	}
	return c.Start(ctx)
}
