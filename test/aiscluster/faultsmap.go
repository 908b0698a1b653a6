package aiscluster

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
)

// isSmapRequest reports whether r asks a node for the cluster map, which
// lists the nodes' public URLs.
func isSmapRequest(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		(r.URL.Path == "/v1/daemon" || r.URL.Path == "/v1/cluster") &&
		r.URL.Query().Get("what") == "smap"
}

// rewriteSmap points every node's public address in a cluster map
// (direct_url, node_ip_addr, daemon_port) at its front, so a client that learns targets from the map still comes
// through the proxy. Numbers are kept as written (ids exceed float64).
func (p *FaultProxy) rewriteSmap(b []byte) ([]byte, error) {
	var smap map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&smap); err != nil {
		return nil, err
	}
	var nodes []any
	for _, key := range []string{"tmap", "pmap"} {
		if m, ok := smap[key].(map[string]any); ok {
			for _, n := range m {
				nodes = append(nodes, n)
			}
		}
	}
	nodes = append(nodes, smap["proxy_si"])
	for _, n := range nodes {
		node, _ := n.(map[string]any)
		pub, _ := node["public_net"].(map[string]any)
		raw, _ := pub["direct_url"].(string)
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			continue
		}
		f, err := p.frontFor(u.Host)
		if err != nil {
			return nil, err
		}
		host, port, err := net.SplitHostPort(f.host)
		if err != nil {
			return nil, err
		}
		pub["direct_url"] = "http://" + f.host
		pub["node_ip_addr"], pub["daemon_port"] = host, port
	}
	return json.Marshal(smap)
}
