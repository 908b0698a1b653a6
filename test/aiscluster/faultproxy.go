package aiscluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// FaultProxy is an HTTP proxy in front of an AIS cluster that injects faults
// by Rule. It forwards every request to AIS unchanged and rewrites where AIS
// sends the client next, so that target traffic flows through it too:
//   - the Location of a redirect (AIS redirects object requests to a target)
//     points to a "front" listener of the proxy for that target;
//   - so do the public URLs in the cluster map (GET /v1/daemon?what=smap).
//
// Each upstream host gets its own front on 127.0.0.1, opened on first sight.
type FaultProxy struct {
	transport *http.Transport
	closing   chan struct{} // closed by Close: ends stalls
	first     *front        // the front for the AIS proxy

	mu     sync.Mutex
	fronts map[string]*front // upstream host:port -> front; GUARDED_BY(mu)
	rules  []*Fault          // GUARDED_BY(mu)
	rng    *rand.Rand        // draws Rule.Chance; GUARDED_BY(mu)
	seen   []Request         // GUARDED_BY(mu)
	closed bool              // GUARDED_BY(mu)
}

// front is one listener of the proxy, forwarding to one upstream host.
type front struct {
	upstream string // host:port
	host     string // our host:port
	srv      *http.Server
}

// NewFaultProxy starts a proxy forwarding to the AIS endpoint upstream
// ("http://host:port"). Close it when done.
func NewFaultProxy(upstream string) (*FaultProxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: upstream %q: want http://host:port", upstream)
	}
	p := &FaultProxy{
		transport: &http.Transport{
			Proxy:                 nil,
			DisableCompression:    true, // pass bytes and encodings through untouched
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       30 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		closing: make(chan struct{}),
		fronts:  map[string]*front{},
		rng:     rand.New(rand.NewPCG(1, 2)),
	}
	if p.first, err = p.frontFor(u.Host); err != nil {
		return nil, err
	}
	return p, nil
}

// URL is the proxy's endpoint: use it where the AIS endpoint would go.
func (p *FaultProxy) URL() string { return "http://" + p.first.host }

// AddRule adds a rule after the existing ones. A request is checked against
// every rule (each counts its matches); the first that fires acts.
func (p *FaultProxy) AddRule(r Rule) *Fault {
	f := &Fault{p: p, rule: r}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, f)
	return f
}

// Seed restarts the generator that Rule.Chance draws from. Which requests fire still
// depends on the order they arrive in.
func (p *FaultProxy) Seed(seed uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// ClearRules removes all rules; requests already stalled stay stalled.
func (p *FaultProxy) ClearRules() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Count is how many requests seen so far pass r's filter (Method,
// PathContains, Query), whether or not any rule fired on them.
func (p *FaultProxy) Count(r Rule) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, req := range p.seen {
		if r.matches(req) {
			n++
		}
	}
	return n
}

// Requests returns every request seen so far, in arrival order.
func (p *FaultProxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.seen...)
}

// Close stops all fronts, cutting open connections, and ends stalls.
// (No error: fits t.Cleanup(p.Close).)
func (p *FaultProxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.closing)
	fronts := p.fronts
	p.mu.Unlock()

	for _, f := range fronts {
		f.srv.Close() // only reports listener close errors, of no use here
	}
	p.transport.CloseIdleConnections()
}

// frontFor returns the front for an upstream host, opening it if new.
func (p *FaultProxy) frontFor(upstream string) (*front, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.fronts[upstream]; f != nil {
		return f, nil
	}
	if p.closed {
		return nil, errors.New("faultproxy: closed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	f := &front{upstream: upstream, host: ln.Addr().String()}
	f.srv = &http.Server{Handler: p.handler(f), ReadHeaderTimeout: time.Minute}
	go f.srv.Serve(ln) // returns when Close closes the server
	p.fronts[upstream] = f
	return f, nil
}

// decide logs req and returns the action of the first rule firing on it.
func (p *FaultProxy) decide(req Request) Action {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, req)
	var act Action
	for _, f := range p.rules {
		if !f.rule.matches(req) {
			continue
		}
		f.matched++
		canFire := f.matched > f.rule.After && (f.rule.Times == 0 || f.fired < f.rule.Times)
		if act.kind == actNone && canFire && (f.rule.Chance == 0 || p.rng.Float64() < f.rule.Chance) {
			f.fired++
			act = f.rule.Action
		}
	}
	return act
}

func (p *FaultProxy) handler(f *front) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		act := p.decide(Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Upstream: f.upstream})
		switch act.kind {
		case actStatus:
			writeStatus(w, r, act.status)
			return
		case actReset:
			resetConn(w)
			return
		case actStall:
			if !p.stall(r.Context(), act.d) {
				return // the client left, or we are closing
			}
		case actResetMid:
			if r.ContentLength != 0 {
				io.CopyN(io.Discard, r.Body, act.n)
				resetConn(w)
				return
			}
		}
		resp, err := p.forward(r, f)
		if err != nil {
			http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		if act.kind == actTruncate || act.kind == actResetMid {
			p.truncate(w, resp, act.n, act.kind == actResetMid)
			return
		}
		p.relay(w, r, resp)
	}
}

// stall waits d; false when the request or the proxy ended first.
func (p *FaultProxy) stall(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-p.closing:
	}
	return false
}

// forward sends r to the front's upstream: same method, request-target
// (kept as received, so encoding is untouched), headers and body.
func (p *FaultProxy) forward(r *http.Request, f *front) (*http.Response, error) {
	var body io.Reader
	if r.ContentLength != 0 {
		body = r.Body
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+f.upstream+r.RequestURI, body)
	if err != nil {
		return nil, err
	}
	out.ContentLength = r.ContentLength
	out.Header = cleanHeader(r.Header)
	return p.transport.RoundTrip(out)
}

// relay copies resp to the client, pointing redirects and cluster-map URLs
// to fronts.
func (p *FaultProxy) relay(w http.ResponseWriter, r *http.Request, resp *http.Response) {
	h := cleanHeader(resp.Header)
	p.rewriteLocation(h)
	if isSmapRequest(r) && resp.StatusCode == http.StatusOK {
		b, err := io.ReadAll(resp.Body)
		if err == nil {
			b, err = p.rewriteSmap(b)
		}
		if err != nil {
			http.Error(w, "faultproxy: cluster map: "+err.Error(), http.StatusBadGateway)
			return
		}
		h.Del("Content-Length")
		copyHeader(w.Header(), h)
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
		return
	}
	copyHeader(w.Header(), h)
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body) // a client gone mid-body is its own business
}

// rewriteLocation points an absolute http Location at the front for its
// host; the path and query stay byte for byte.
func (p *FaultProxy) rewriteLocation(h http.Header) {
	loc := h.Get("Location")
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return
	}
	f, err := p.frontFor(u.Host)
	if err != nil {
		return
	}
	rest, _ := strings.CutPrefix(loc, "http://"+u.Host)
	h.Set("Location", "http://"+f.host+rest)
}

// cleanHeader copies a header without the hop-by-hop fields, which apply
// to one connection only (RFC 9110 7.6.1).
func cleanHeader(in http.Header) http.Header {
	h := in.Clone()
	for _, f := range h.Values("Connection") {
		for name := range strings.SplitSeq(f, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range []string{
		"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
		"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	} {
		h.Del(name)
	}
	return h
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append(dst[k], vs...)
	}
}
