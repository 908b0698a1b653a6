package aisclient

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Client talks to one AIS cluster through one proxy endpoint.
type Client struct {
	// Write once, in New.
	base       *url.URL // proxy endpoint: scheme and host only
	hc         *http.Client
	token      string
	reqTimeout time.Duration
	hdrTimeout time.Duration
	opTimeout  time.Duration
	maxRetries int // -1: no limit but opTimeout
	backoff    time.Duration
	log        *slog.Logger
	observer   Observer // may be nil

	// Concurrency-safe state of their own.
	routes *routes // where reads may go directly
}

// New validates cfg, applies defaults and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, _ := parseEndpoint(cfg.Endpoint)
	c := &Client{
		base:       base,
		token:      cfg.Token,
		reqTimeout: cfg.RequestTimeout,
		hdrTimeout: cfg.ResponseHeaderTimeout,
		opTimeout:  cfg.OpTimeout,
		maxRetries: cfg.MaxRetries,
		backoff:    cfg.RetryBackoff,
		log:        cfg.Logger,
		observer:   cfg.Observer,
	}
	if c.reqTimeout == 0 {
		c.reqTimeout = DefaultRequestTimeout
	}
	if c.hdrTimeout == 0 {
		c.hdrTimeout = DefaultResponseHeaderTimeout
	}
	if c.opTimeout == 0 {
		c.opTimeout = DefaultOpTimeout
	}
	switch c.maxRetries {
	case 0:
		c.maxRetries = -1
	case -1:
		c.maxRetries = 0
	}
	if c.backoff == 0 {
		c.backoff = DefaultRetryBackoff
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	rt := cfg.Transport
	if rt == nil {
		rt = newTransport(cfg.TLS)
	}
	c.hc = &http.Client{
		Transport: rt,
		// Redirects are followed by hand: the body must be replayed (307), the token re-sent
		// to another host, and the target remembered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.routes = newRoutes(c)
	return c, nil
}

// Endpoint returns the proxy URL the Client was made with, as scheme://host:port.
func (c *Client) Endpoint() string { return c.base.String() }

// CloseIdleConnections closes idle keep-alive connections (e.g. at unmount).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }
