// Package aiscluster runs a real, local NVIDIA AIStore cluster (one proxy and
// one target, both the aisnode binary) for tests, benchmarks and the demo, and
// a fault-injecting HTTP proxy to put in front of it.
//
// Cluster shape. Each node gets its own directory under Options.Dir with its
// initial configs (ais.json, ais_local.json), the metadata aisnode persists
// (confdir), its logs, and for the target a plain directory as storage
// (test_fspaths). A cluster restarted on the same Dir keeps its ports, buckets
// and objects.
//
// Loopback only. aisnode listens on its public port on all interfaces unless an
// intra-cluster network uses the same port number on another address. Every
// node therefore uses ONE port number: public on 127.0.0.1:P, intra-cluster
// (control and data collapsed) on 127.0.0.2:P. aisnode only accepts a
// hostname that is an address of an interface, and 127.0.0.1/8 on lo routes
// 127.0.0.2 without listing it, so Start adds 127.0.0.2/32 (scope host) to lo
// when it is missing and it runs as root; otherwise its error gives the one
// command to run.
//
// Readiness means real readiness: /v1/health?cii=true reports flags&6 == 6 on
// both nodes, the proxy's cluster map holds the target, GET /v1/buckets
// answers 200, and the primary is "ready to rebalance" (/v1/health?prr=true),
// without which cluster operations such as set-config answer 503. A failed
// start returns an error carrying the tail of the nodes' logs.
//
// FaultProxy (faultproxy.go) sits between a client and the cluster and
// injects faults by Rule: a status, a connection reset, a truncated body, or
// a stall. It rewrites redirects and the cluster map so that target traffic
// passes through it as well.
//
// The cluster config keeps a developer machine from tripping limits: space
// watermarks are raised (a nearly full disk still takes PUTs), LRU is off so
// nothing deletes objects behind a test's back, rebalance is off (one target),
// and startup_time is aisnode's minimum, so a cold start takes ~13 s.
//
// Restarts (restart.go). Stop, StopTarget and StopProxy stop nodes in place;
// (*Cluster).Start starts the stopped ones again on the same ports with the
// same data and returns once the cluster is ready again; Restart is both.
// Tests that do this use a cluster of their own (Own), not the shared one.
//
// Start's nodes are children that die with the process. With
// Options.Detached they run in their own session and outlive it; Attach finds
// them again by the pids recorded in <Dir>/cluster.json (the endpoint is also
// in <Dir>/endpoint), and Stop ends them. cmd/aiscluster is built on that.
//
// Tests share one cluster per test binary: call Endpoint(t) wherever a test
// needs AIS and put `func TestMain(m *testing.M) { aiscluster.Main(m) }` in the
// package. Endpoint reuses AIS_ENDPOINT when set; otherwise it starts a cluster
// once, in a temp dir, and Main stops it after the tests. When no cluster can
// be had, tests skip on a laptop but fail under CI=true, so a suite cannot pass
// by skipping. Nodes started by a test binary die with it (parent-death
// signal), even when `go test -timeout` kills it.
//
// Remote clusters (remote.go). Second(tb) is a second cluster of the test
// binary (own ports, dirs and UUID; $AIS_REMOTE_ENDPOINT overrides it), and
// AttachRemote(tb, local, remote, alias) attaches one cluster to another as
// `ais cluster remote-attach` does, waits until the local one lists the
// remote's buckets, returns the remote's UUID, and detaches at cleanup.
// Object requests through the local cluster name the remote bucket by
// namespace "@UUID": v1.5.0's target refuses "@ALIAS" for objects.
//
// The aisnode binary comes from $AISNODE, else <repo>/.bin/aisnode, else it is
// built from the small separate module in <repo>/tools/aisnode (a few minutes
// the first time), which keeps AIStore's dependency graph out of aisfs's
// go.mod.
package aiscluster
