package aisclient

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// directFakes is a fake proxy redirecting object requests to a fake target. The target
// answers direct requests (no pid) with directStatus (0 = serve them).
type directFakes struct {
	proxy, target *fake
	directStatus  atomic.Int64
	smapTargets   atomic.Int64 // targets in the fake cluster map; 0 = no map
}

func newDirectFakes(t *testing.T) *directFakes {
	d := &directFakes{}
	d.target = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if st := int(d.directStatus.Load()); st != 0 && r.URL.Query().Get("pid") == "" {
			aisErr(w, r, st, "", "direct")
			return
		}
		w.Header().Set("Ais-Version", "1")
		w.Header().Set("Content-Range", "bytes 0-0/1")
		w.WriteHeader(http.StatusPartialContent)
		w.Write([]byte("x"))
	})
	d.proxy = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/daemon" {
			n := int(d.smapTargets.Load())
			if n == 0 {
				http.NotFound(w, r)
				return
			}
			var tm []string
			for i := range n {
				url := d.target.URL
				if i > 0 {
					url = fmt.Sprintf("http://127.0.0.1:%d", 1+i)
				}
				tm = append(tm, fmt.Sprintf(`"t%d":{"public_net":{"direct_url":%q}}`, i, url))
			}
			fmt.Fprintf(w, `{"tmap":{%s},"pmap":{}}`, strings.Join(tm, ","))
			return
		}
		http.Redirect(w, r, d.target.URL+r.URL.EscapedPath()+"?pid=p&"+r.URL.RawQuery, http.StatusMovedPermanently)
	})
	return d
}

func (d *directFakes) read(t *testing.T, c *Client, name string) {
	t.Helper()
	if n, _, err := c.GetRange(t.Context(), Bck{Name: "b"}, name, 0, make([]byte, 1)); err != nil || n != 1 {
		t.Fatalf("GetRange(%s) = %d, %v", name, n, err)
	}
}

func TestDirectReads(t *testing.T) {
	for _, tc := range []struct {
		name         string
		smapTargets  int64
		directStatus int64
		wantProxied  int // object GETs through the proxy for two reads of one object
		wantDirect   int // object GETs to the target without a redirect
	}{
		{"learned from the redirect", 0, 0, 1, 1},
		{"one target in the cluster map", 1, 0, 0, 2},
		{"two targets: learn per object", 2, 0, 1, 1},
		{"404 direct: through the proxy", 1, 404, 2, 2},
		{"403 direct: stop going direct", 1, 403, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDirectFakes(t)
			d.smapTargets.Store(tc.smapTargets)
			d.directStatus.Store(tc.directStatus)
			c := fakeClient(t, d.proxy.URL)
			d.read(t, c, "obj")
			d.read(t, c, "obj")
			direct := 0
			for _, r := range d.target.requests() {
				if !strings.Contains(r.RawQuery, "pid=") {
					direct++
				}
			}
			if got := d.proxy.count("GET", "/v1/objects/"); got != tc.wantProxied {
				t.Errorf("proxied %d, want %d", got, tc.wantProxied)
			}
			if direct != tc.wantDirect {
				t.Errorf("direct %d, want %d", direct, tc.wantDirect)
			}
		})
	}
}

// TestDirectTargetDown: a learned target that stopped answering is bypassed.
func TestDirectTargetDown(t *testing.T) {
	d := newDirectFakes(t)
	c := fakeClient(t, d.proxy.URL)
	d.read(t, c, "obj")
	c.routes.learn(Bck{Name: "b"}.key("obj"), mustURL(t, "http://127.0.0.1:1")) // nothing listens
	d.read(t, c, "obj")
	if got := d.proxy.count("GET", "/v1/objects/"); got != 2 {
		t.Errorf("proxied %d, want 2", got)
	}
}

func TestRoutesBounded(t *testing.T) {
	c := fakeClient(t, "http://127.0.0.1:1")
	u := mustURL(t, "http://t:1/x")
	for i := range maxRoutes + 100 {
		c.routes.learn(fmt.Sprint(i), u)
	}
	if n := len(c.routes.byObj); n > maxRoutes {
		t.Errorf("%d routes, want <= %d", n, maxRoutes)
	}
}
