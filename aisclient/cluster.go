package aisclient

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Capacity is the storage of all targets' mountpaths, in bytes.
type Capacity struct {
	Total, Used, Avail uint64
}

// ClusterCapacity sums the filesystem capacity every target reports
// (GET /v1/cluster?what=sysinfo, as api.GetClusterSysInfo). AIS reports used and total;
// available is their difference.
func (c *Client) ClusterCapacity(ctx context.Context) (Capacity, error) {
	cl := &call{
		op: "ClusterCapacity", method: http.MethodGet, path: "/v1/cluster",
		query: url.Values{"what": {"sysinfo"}}, retry: true, meta: true,
	}
	var info struct {
		Target map[string]*struct {
			Used  string `json:"fs_used"`     // decimal string
			Total string `json:"fs_capacity"` // decimal string
		} `json:"target"`
	}
	if err := c.do(ctx, cl, func(resp *http.Response) error { return readJSON(resp, &info) }); err != nil {
		return Capacity{}, err
	}
	var cp Capacity
	for _, t := range info.Target {
		if t == nil {
			continue
		}
		used, _ := strconv.ParseUint(t.Used, 10, 64)
		total, _ := strconv.ParseUint(t.Total, 10, 64)
		cp.Used += used
		cp.Total += total
	}
	if cp.Total > cp.Used {
		cp.Avail = cp.Total - cp.Used
	}
	return cp, nil
}

// Snode flags (core/meta/smap.go): a target in maintenance or being decommissioned
// serves no objects.
const snodeMaintDecomm = 1<<2 | 1<<3

// targetURLs returns the public URLs of the active targets in the cluster map.
func (c *Client) targetURLs(ctx context.Context) ([]string, error) {
	cl := &call{
		op: "ClusterMap", method: http.MethodGet, path: "/v1/daemon",
		query: url.Values{"what": {"smap"}}, meta: true, // best effort: no retries to delay a read
	}
	var smap struct {
		Tmap map[string]struct {
			Public struct {
				URL string `json:"direct_url"`
			} `json:"public_net"`
			Flags uint64 `json:"flags"`
		} `json:"tmap"`
	}
	if err := c.do(ctx, cl, func(resp *http.Response) error { return readJSON(resp, &smap) }); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(smap.Tmap))
	for _, t := range smap.Tmap {
		if t.Flags&snodeMaintDecomm != 0 {
			continue
		}
		if u, err := url.Parse(t.Public.URL); err == nil && u.Host != "" {
			out = append(out, u.Scheme+"://"+u.Host)
		}
	}
	slices.Sort(out)
	return out, nil
}
