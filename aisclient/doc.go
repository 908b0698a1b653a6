// Package aisclient is a small client for the native REST API of NVIDIA AIStore (AIS),
// written for aisfs against the behaviour of a real aisnode (v1.5.0). It knows nothing of
// FUSE; it turns AIS requests into typed Go values and errors.
//
// # Routing
//
// An AIS proxy (gateway) never serves object data: it answers object requests with a
// redirect to the owning target (301 for GET, 307 for everything else). The Client follows
// redirects itself, re-issuing the same method, headers and body to Location, and adds the
// bearer token on every hop. Two things keep the proxy out of the data path:
//
//   - Uploads (PutObject, Append) first send the request with an empty body to the proxy,
//     take the target URL from its 307, and send the bytes only to the target. The proxy
//     never reads a PUT body, so the probe costs one small round trip and keeps the proxy
//     connection alive; "Expect: 100-continue" was measured to make the proxy answer
//     "Connection: close", costing a new connection per upload.
//   - Reads (GetRange, GetObject, HeadObject) go straight to a target when its URL is known:
//     learned from an earlier redirect for that object (a small bounded map), or, when the
//     cluster map has exactly one target, that target. If the direct request fails
//     (connection error, 400, 401, 403 or 404) it is repeated once through the proxy; a 401
//     or 403 from a target (clusters with AuthN reject direct access) turns direct reads off.
//
// Writes, deletes, renames and listings always go through the proxy.
//
// # Retries and timeouts
//
// Idempotent requests (GET, HEAD, list pages, the empty upload probe) are retried with
// exponential backoff (100 ms doubling to 2 s) and jitter on transient failures: connection
// refused or reset, a body cut short or stalled, 5xx other than 501, 505, 507 and a bad
// checksum, 429, and ErrNoNodes, which the proxy answers while targets (re)join (400 to a
// GET, 500 to a HEAD). An empty listing from a cluster whose map has no active target is
// the same condition (the proxy answers it with an empty page) and is retried too.
// Requests that change state are retried only when the connection could not be opened
// (nothing was sent). A range read whose body broke off resumes at the byte where it
// stopped, and starts over if the object changed in between. A read that was sent straight
// to a target which then failed is repeated through the proxy in the same attempt, and the
// target the proxy names is learned again.
//
// Every request has a total budget, Config.OpTimeout (retries and backoff included):
// metadata requests and range reads end when it is spent; uploads and streams start no
// new attempt after it. The call then fails with a *BudgetError that matches
// ErrUnavailable. Metadata requests are also bounded per attempt by Config.RequestTimeout;
// data requests wait at most Config.ResponseHeaderTimeout for the response to start after
// the request was sent, and for each further piece of the body. RenameObject is bounded by
// ctx only: AIS copies the object before it answers.
//
// # Errors
//
// Every AIS error becomes an *HTTPError (status, AIS "tcode", message, failing node)
// that matches the package's sentinel errors with errors.Is: ErrNotFound,
// ErrBucketNotFound, ErrExists, ErrInvalidName, ErrNameConflict, ErrRangeNotSatisfiable,
// ErrUnauthorized, ErrBadChecksum, ErrUnavailable, ErrNoSpace (and ErrInvalidArgument for
// requests refused before sending). A spent budget is a *BudgetError. Connection failures are a
// *TransportError wrapping the cause, so context.Canceled stays visible. Neither kind
// carries a query string (append handles) or the token.
//
// # Observing
//
// Config.Observer, when set, is called once per logical call (after redirects and retries)
// with its op, status, duration and body bytes: the hook for metrics. See Observer.
//
// All methods are safe for concurrent use.
package aisclient
