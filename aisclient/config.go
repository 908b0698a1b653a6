package aisclient

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultRequestTimeout        = 30 * time.Second
	DefaultResponseHeaderTimeout = 30 * time.Second
	DefaultOpTimeout             = 2 * time.Minute
	DefaultRetryBackoff          = 100 * time.Millisecond

	dialTimeout = 10 * time.Second
	// AIS servers drop idle connections after 30s (ais/htcommon.go); closing ours earlier
	// keeps an upload from landing on a connection the server is closing.
	idleConnTimeout = 20 * time.Second
	// Longest wait between retries: also how late a mount notices that AIS is back.
	maxBackoff = 2 * time.Second
)

// Config configures a Client. Only Endpoint is required.
type Config struct {
	Endpoint string // http(s)://host:port of an AIS proxy

	// Token is sent as "Authorization: Bearer <token>" on every request; "" sends none.
	// It never appears in logs or error strings.
	Token string

	TLS       *tls.Config       // optional: CA pool, client certificate, InsecureSkipVerify
	Transport http.RoundTripper // optional override (tests); default: a tuned *http.Transport

	RequestTimeout        time.Duration // per attempt, metadata requests; default 30s
	ResponseHeaderTimeout time.Duration // data requests: first response byte after the request was sent, and longest pause in a body; default 30s
	// OpTimeout is the total budget of one request, retries and backoff included; default
	// 2m. Metadata requests and range reads end when it is spent; uploads and streams start
	// no new attempt after it.
	OpTimeout    time.Duration
	MaxRetries   int           // retries on top of OpTimeout: 0 = as many as OpTimeout allows, -1 = none, N = at most N
	RetryBackoff time.Duration // first backoff, then doubled with jitter up to 2s; default 100ms

	Logger *slog.Logger // nil = discard

	// Observer, if set, is called once for every call the Client makes (metrics); see Observer.
	Observer Observer
}

// Validate reports whether cfg can make a Client.
func (cfg Config) Validate() error {
	_, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return err
	}
	switch {
	case cfg.RequestTimeout < 0, cfg.ResponseHeaderTimeout < 0, cfg.RetryBackoff < 0, cfg.OpTimeout < 0:
		return errors.New("aisclient: timeouts and backoff must not be negative")
	case cfg.MaxRetries < -1:
		return errors.New("aisclient: MaxRetries must be >= -1")
	case strings.ContainsAny(cfg.Token, "\r\n"):
		return errors.New("aisclient: token contains a line break")
	}
	return nil
}

// parseEndpoint accepts scheme://host[:port] with an optional trailing slash.
func parseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("aisclient: endpoint is required")
	}
	if !strings.Contains(s, "://") {
		return nil, fmt.Errorf("aisclient: endpoint %q: scheme must be http or https (http://host:port)", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("aisclient: endpoint: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("aisclient: endpoint %q: scheme must be http or https", s)
	case u.Host == "":
		return nil, fmt.Errorf("aisclient: endpoint %q: missing host", s)
	case u.User != nil:
		return nil, errors.New("aisclient: endpoint must not contain credentials; use Token")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return nil, fmt.Errorf("aisclient: endpoint %q: want scheme://host:port without a path", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// newTransport is tuned for many parallel requests to few hosts (one proxy, a few targets).
func newTransport(tlsConf *tls.Config) *http.Transport {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         d.DialContext,
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: dialTimeout,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     idleConnTimeout,
		DisableCompression:  true, // object bytes are opaque; never let Go decompress them
		WriteBufferSize:     64 << 10,
		// Reads keep the default small buffer: response headers fit, and a body read into a
		// large slice then goes straight from the socket instead of through a second copy.
		ExpectContinueTimeout: time.Second,
	}
}
