package aisclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrRemoteNotFound: no remote AIS cluster of that alias or UUID is attached.
var ErrRemoteNotFound = errors.New("aisclient: remote AIS cluster not attached")

// RemoteCluster is an AIS cluster attached to this one (`ais cluster remote-attach`).
type RemoteCluster struct {
	Alias string // "" when attached by UUID only
	UUID  string // the remote cluster's UUID; "" or "defunct" while it is unreachable
	URL   string
}

// Online reports whether the attached cluster answered: AIS knows its UUID.
func (r RemoteCluster) Online() bool { return r.UUID != "" && r.UUID != "defunct" }

// RemoteClusters lists the attached remote AIS clusters (GET /v1/cluster?what=remote).
func (c *Client) RemoteClusters(ctx context.Context) ([]RemoteCluster, error) {
	cl := &call{
		op: "RemoteClusters", method: http.MethodGet, path: "/v1/cluster",
		query: url.Values{"what": {"remote"}}, retry: true, meta: true,
	}
	var v struct {
		A []struct {
			URL   string `json:"url"`
			Alias string `json:"alias"`
			UUID  string `json:"uuid"`
		} `json:"a"`
	}
	if err := c.do(ctx, cl, func(resp *http.Response) error { return readJSON(resp, &v) }); err != nil {
		return nil, err
	}
	out := make([]RemoteCluster, 0, len(v.A))
	for _, r := range v.A {
		out = append(out, RemoteCluster{Alias: r.Alias, UUID: r.UUID, URL: r.URL})
	}
	return out, nil
}

// ListNamespace lists the ais buckets of one namespace: "@UUID" (or "@ALIAS") for the
// buckets of an attached remote cluster, "#NAME" for a namespace of this cluster. AIS
// answers GET /v1/buckets?provider=ais&namespace=NS; it names the namespace as it was asked
// (by alias when asked by alias), and so does the result.
func (c *Client) ListNamespace(ctx context.Context, ns string) ([]Bck, error) {
	if ns == "" || ns[0] != '@' && ns[0] != '#' {
		return nil, fmt.Errorf("aisclient: namespace %q: want @UUID, @ALIAS or #NAME: %w", ns, ErrInvalidArgument)
	}
	return c.listBuckets(ctx, url.Values{"provider": {ProviderAIS}, "namespace": {ns}})
}

// ResolveNamespace names a remote cluster by UUID: "@ALIAS[#NS]" becomes "@UUID[#NS]"; a
// namespace already naming a UUID, a local one ("#NS") and "" come back unchanged. Object
// requests need the UUID: AIS v1.5.0's target answers a GET of "@ALIAS" with 400
// ErrRemoteBckNotFound. ErrRemoteNotFound if no attached cluster has that alias or UUID.
func (c *Client) ResolveNamespace(ctx context.Context, ns string) (string, error) {
	if !strings.HasPrefix(ns, "@") {
		return ns, nil
	}
	id, rest, _ := strings.Cut(ns[1:], "#")
	if rest != "" {
		rest = "#" + rest
	}
	rcs, err := c.RemoteClusters(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range rcs {
		if r.Online() && (r.UUID == id || r.Alias == id) {
			return "@" + r.UUID + rest, nil
		}
	}
	return "", fmt.Errorf("aisclient: %q: %w", ns, ErrRemoteNotFound)
}

// CheckNamespace applies AIS's namespace syntax: "@ALIAS", "@UUID", "@UUID#NS" or "#NS", the
// parts made of bucket-name characters. "" (the global namespace) is fine.
func CheckNamespace(ns string) error {
	if ns == "" {
		return nil
	}
	var id, name string
	hasName := false
	switch ns[0] {
	case '@':
		id, name, hasName = strings.Cut(ns[1:], "#")
		if id == "" {
			return &nameError{fmt.Sprintf("namespace %q: want @ALIAS, @UUID, @UUID#NS or #NS", ns)}
		}
	case '#':
		name, hasName = ns[1:], true
	default:
		return &nameError{fmt.Sprintf("namespace %q: want @ALIAS, @UUID, @UUID#NS or #NS", ns)}
	}
	if hasName && name == "" {
		return &nameError{fmt.Sprintf("namespace %q: want @ALIAS, @UUID, @UUID#NS or #NS", ns)}
	}
	for _, c := range id + name {
		if !isBucketChar(c) {
			return &nameError{fmt.Sprintf("namespace %q: character %q not allowed", ns, c)}
		}
	}
	return nil
}
