package aiscluster

import (
	"fmt"
	"strings"
	"time"
)

// Rule injects a fault into requests passing a FaultProxy. The filter
// fields are ANDed; empty ones match anything.
type Rule struct {
	Method       string // "" = any
	PathContains string // substring of the (decoded) URL path
	// Query is a substring of the raw query. "pid=" matches only the
	// redirected leg of an object request (AIS adds pid= to the target
	// URL it redirects to); the leg to the proxy has no pid.
	Query string
	After int // let this many matching requests pass first
	Times int // fire this many times, then let requests pass; 0 = forever
	// Chance fires the rule on this fraction of the requests it may fire on, drawn from the
	// proxy's seeded generator (see FaultProxy.Seed); 0 = on all of them.
	Chance float64
	Action Action
}

// Action is what a firing rule does: Status, Reset, Truncate or Stall.
type Action struct {
	kind   actionKind
	status int
	n      int64
	d      time.Duration
}

type actionKind int

const (
	actNone actionKind = iota
	actStatus
	actReset
	actTruncate
	actStall
	actResetMid
)

// Status answers the request itself with this HTTP status and an AIS-style
// JSON error; nothing reaches AIS.
func Status(code int) Action { return Action{kind: actStatus, status: code} }

// Reset drops the connection with a TCP RST before anything is forwarded.
//
// Note: net/http resends an idempotent request (GET, HEAD, or one with
// GetBody) once when a REUSED connection fails before any response byte,
// so with Times: 1 such a client may never see the error. Use Times: 0,
// a fresh connection, or a non-replayable request to see it.
func Reset() Action { return Action{kind: actReset} }

// Truncate forwards the request, sends the response head (Content-Length
// still announcing the full body) and the first n body bytes, then closes
// the connection: the client sees an unexpected EOF.
func Truncate(n int64) Action { return Action{kind: actTruncate, n: n} }

// ResetMidBody breaks a transfer half way with a TCP RST: a request with a body is read
// for n bytes and never forwarded; any other is forwarded, and its response head and first n
// body bytes are sent before the reset. The client sees ECONNRESET mid-body.
func ResetMidBody(n int64) Action { return Action{kind: actResetMid, n: n} }

// Stall holds the request for d before forwarding it (less when the client
// gives up or the proxy closes).
func Stall(d time.Duration) Action { return Action{kind: actStall, d: d} }

func (a Action) String() string {
	switch a.kind {
	case actStatus:
		return fmt.Sprintf("Status(%d)", a.status)
	case actReset:
		return "Reset"
	case actTruncate:
		return fmt.Sprintf("Truncate(%d)", a.n)
	case actStall:
		return fmt.Sprintf("Stall(%v)", a.d)
	case actResetMid:
		return fmt.Sprintf("ResetMidBody(%d)", a.n)
	}
	return "pass"
}

// Request is one request the proxy saw.
type Request struct {
	Method   string
	Path     string // decoded URL path
	RawQuery string
	Upstream string // host:port it was forwarded to (proxy or a target)
}

// matches reports whether req passes the rule's filter.
func (r Rule) matches(req Request) bool {
	return (r.Method == "" || strings.EqualFold(r.Method, req.Method)) &&
		strings.Contains(req.Path, r.PathContains) &&
		strings.Contains(req.RawQuery, r.Query)
}

// Fault is an added rule and its counters.
type Fault struct {
	p       *FaultProxy
	rule    Rule
	matched int // GUARDED_BY(p.mu)
	fired   int // GUARDED_BY(p.mu)
}

// Matched is how many requests passed the rule's filter so far.
func (f *Fault) Matched() int {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	return f.matched
}

// Fired is how many times the rule's action was applied.
func (f *Fault) Fired() int {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	return f.fired
}
