package aiscluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"
)

// attachTimeout bounds how long an attached cluster may take to show up in
// the local cluster's list of remote clusters (the proxy learns its cluster
// map asynchronously).
const attachTimeout = 60 * time.Second

// second is the other cluster of a test binary (Second), next to shared.
var second sharedCluster

// Second returns the proxy URL of a second cluster of the test binary,
// started once on first use in a temp dir (its own ports, dirs and cluster
// UUID, so it never clashes with the one Endpoint shares) and stopped by
// Main. $AIS_REMOTE_ENDPOINT overrides it, the way $AIS_ENDPOINT overrides
// Endpoint. Like Endpoint, it skips without a cluster and fails under CI=true.
// Attach it to another cluster with AttachRemote.
func Second(tb testing.TB) string {
	tb.Helper()
	if ep := os.Getenv("AIS_REMOTE_ENDPOINT"); ep != "" {
		return ep
	}
	second.once.Do(second.start)
	if second.err != nil {
		unavailable(tb, second.err)
	}
	return second.c.Endpoint()
}

// RemoteCluster is one entry of GET /v1/cluster?what=remote.
type RemoteCluster struct {
	URL   string `json:"url"`
	Alias string `json:"alias"`
	UUID  string `json:"uuid"` // the remote cluster's Smap UUID; "" while unreachable
}

// AttachRemote attaches the cluster at remote (a proxy URL) to the cluster at
// local under alias, as `ais cluster remote-attach ALIAS=URL` does (PUT
// /v1/cluster/attach?what=remote with headers Ais-Remote-Ais-Alias and
// Ais-Remote-Ais-Url). It returns once local lists the remote cluster with
// its UUID and can list its buckets (GET /v1/buckets?provider=ais&namespace=@ALIAS),
// and returns that UUID. The test's cleanup detaches it again.
func AttachRemote(tb testing.TB, local, remote, alias string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), attachTimeout)
	defer cancel()
	uuid, err := attachRemote(ctx, local, remote, alias)
	if err != nil {
		tb.Fatalf("aiscluster: attach %s as %q to %s: %v", remote, alias, local, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), reqTimeout)
		defer cancel()
		if err := DetachRemote(ctx, local, alias); err != nil {
			tb.Errorf("aiscluster: detach %q from %s: %v", alias, local, err)
		}
	})
	return uuid
}

func attachRemote(ctx context.Context, local, remote, alias string) (string, error) {
	hdr := http.Header{"Ais-Remote-Ais-Alias": {alias}, "Ais-Remote-Ais-Url": {remote}}
	if err := doHeader(ctx, http.MethodPut, local+"/v1/cluster/attach?what=remote", hdr); err != nil {
		return "", err
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last error
	for {
		uuid, err := remoteUUID(ctx, local, alias)
		if err == nil {
			q := url.Values{"provider": {"ais"}, "namespace": {"@" + alias}}
			err = getJSON(ctx, local+"/v1/buckets?"+q.Encode(), nil)
			if err == nil {
				return uuid, nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("not attached: %w (last check: %v)", ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// remoteUUID returns the UUID local knows for alias, or an error while it
// does not know one yet.
func remoteUUID(ctx context.Context, local, alias string) (string, error) {
	rcs, err := RemoteClusters(ctx, local)
	if err != nil {
		return "", err
	}
	for _, rc := range rcs {
		if rc.Alias == alias && rc.UUID != "" {
			return rc.UUID, nil
		}
	}
	return "", fmt.Errorf("remote cluster %q not listed (have %v)", alias, rcs)
}

// RemoteClusters lists the clusters attached to the cluster at local.
func RemoteClusters(ctx context.Context, local string) ([]RemoteCluster, error) {
	var v struct {
		A []RemoteCluster `json:"a"`
	}
	if err := getJSON(ctx, local+"/v1/cluster?what=remote", &v); err != nil {
		return nil, err
	}
	return v.A, nil
}

// DetachRemote detaches alias from the cluster at local
// (PUT /v1/cluster/detach?what=remote, header Ais-Remote-Ais-Alias).
func DetachRemote(ctx context.Context, local, alias string) error {
	hdr := http.Header{"Ais-Remote-Ais-Alias": {alias}}
	return doHeader(ctx, http.MethodPut, local+"/v1/cluster/detach?what=remote", hdr)
}

// doHeader sends a body-less request with hdr and wants a 200. The proxy
// answers cluster operations with 503 while it is still starting: retried
// until ctx ends.
func doHeader(ctx context.Context, method, u string, hdr http.Header) error {
	for {
		err := doOnce(ctx, method, u, hdr)
		var se *statusError
		if err == nil || !errors.As(err, &se) || se.code != http.StatusServiceUnavailable {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pollEvery):
		}
	}
}

func doOnce(ctx context.Context, method, u string, hdr http.Header) error {
	ctx, cancel := context.WithTimeout(ctx, reqTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return &statusError{code: resp.StatusCode, body: string(body)}
	}
	return nil
}
