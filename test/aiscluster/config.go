package aiscluster

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Addresses of the two loopback networks. The public one is what clients
// see; the intra-cluster one only has to differ from it so that aisnode binds
// its public port to 127.0.0.1 instead of to every interface.
const (
	publicHost = "127.0.0.1"
	intraHost  = "127.0.0.2"
)

// Node roles, as aisnode's -role flag spells them.
const (
	roleProxy  = "proxy"
	roleTarget = "target"
)

// nodeDirs are the paths of one node below the cluster's state dir.
type nodeDirs struct {
	root    string // <Dir>/<role>: initial configs and aisnode's confdir
	logDir  string // aisnode's log_dir (logs go to stderr, but it must exist)
	storage string // target only: test_fspaths root
	out     string // stdout+stderr of the node when Options.Log is nil
}

func dirsFor(dir, role string) nodeDirs {
	root := filepath.Join(dir, role)
	d := nodeDirs{
		root:   root,
		logDir: filepath.Join(root, "log"),
		out:    filepath.Join(dir, role+".log"),
	}
	if role == roleTarget {
		d.storage = filepath.Join(dir, "storage")
	}
	return d
}

func (d nodeDirs) globalConfig() string { return filepath.Join(d.root, "ais.json") }
func (d nodeDirs) localConfig() string  { return filepath.Join(d.root, "ais_local.json") }

// clusterConfig is the initial cluster config (ais.json). Sections left out
// take aisnode's defaults. aisnode reads it only on the first start: later it
// uses the copy it persisted in confdir.
func clusterConfig(primaryURL, features string) map[string]any {
	return map[string]any{
		"proxy": map[string]any{
			"primary_url":   primaryURL,
			"original_url":  primaryURL,
			"discovery_url": "",
		},
		"timeout": map[string]any{
			"cplane_operation":  "2s",
			"max_keepalive":     "5s",
			"cold_get_conflict": "5s",
			"max_host_busy":     "20s",
			// The primary declares the cluster up after startup_time/5 of
			// no new joins: 30s (aisnode's minimum) makes that 6 s, not 12.
			// A target joining later still joins (join_startup_time), and
			// readiness waits for it.
			"startup_time":      "30s",
			"join_startup_time": "3m",
			"send_file_time":    "5m",
			"object_md":         "2h",
		},
		// A developer disk may be mostly full: only refuse PUTs at 99%.
		"space": map[string]any{
			"cleanupwm":    90,
			"lowwm":        95,
			"highwm":       98,
			"out_of_space": 99,
		},
		// Nothing may evict or delete objects behind a test's back.
		"lru": map[string]any{"enabled": false},
		// One target has nothing to rebalance, and with rebalance on the
		// primary stays "starting" (503 to set-config and other cluster
		// ops) for max_keepalive, or max_host_busy after a crash, past the
		// point where it already serves buckets.
		"rebalance": map[string]any{"enabled": false},
		"memsys": map[string]any{
			"min_free":    "256mb",
			"default_buf": "32kb",
			"to_gc":       "1gb",
			"hk_time":     "3m",
		},
		"versioning": map[string]any{"enabled": true, "validate_warm_get": false},
		"net": map[string]any{
			"l4": map[string]any{"proto": "tcp", "sndrcv_buf_size": 131072},
			"http": map[string]any{
				"use_https":           false,
				"idle_conn_time":      "6s",
				"idle_conns_per_host": 32,
				"idle_conns":          256,
				"chunked_transfer":    true,
			},
			"use_ipv6": false,
		},
		// Everything to stderr: one file (or Options.Log) per node, whose
		// tail goes into start errors.
		"log":      map[string]any{"to_stderr": true},
		"features": features,
	}
}

// localConfig is one node's ais_local.json.
func localConfig(d nodeDirs, role string, port int) map[string]any {
	p := strconv.Itoa(port)
	fsp := map[string]any{"root": "", "count": 0, "instance": 0}
	if role == roleTarget {
		fsp = map[string]any{"root": d.storage, "count": 1, "instance": 0}
	}
	return map[string]any{
		"confdir": d.root,
		"log_dir": d.logDir,
		"host_net": map[string]any{
			"hostname":               publicHost,
			"hostname_intra_control": intraHost,
			"hostname_intra_data":    intraHost,
			// Same number on both addresses: see package doc.
			"port":               p,
			"port_intra_control": p,
			"port_intra_data":    p,
		},
		"fspaths":      map[string]any{},
		"test_fspaths": fsp,
	}
}

// writeConfigs writes one node's initial configs and creates its dirs.
func writeConfigs(d nodeDirs, role string, port int, primaryURL, features string) error {
	for _, dir := range []string{d.root, d.logDir, d.storage} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if err := writeJSON(d.globalConfig(), clusterConfig(primaryURL, features)); err != nil {
		return err
	}
	return writeJSON(d.localConfig(), localConfig(d, role, port))
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
