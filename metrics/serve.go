package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

const (
	readHeaderTimeout = 10 * time.Second
	shutdownTimeout   = 5 * time.Second
)

// ListenAddr turns a --metrics-addr value into a listen address: a bare port ("9101")
// means loopback only (127.0.0.1:9101), so metrics are never exposed by accident;
// "host:port" and ":port" (every interface) are taken as given.
func ListenAddr(s string) (string, error) {
	if s == "" {
		return "", errors.New("metrics: empty address")
	}
	if _, err := strconv.ParseUint(s, 10, 16); err == nil {
		return net.JoinHostPort("127.0.0.1", s), nil
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("metrics: address %q: want PORT or HOST:PORT", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("metrics: address %q: bad port", s)
	}
	return s, nil
}

// Serve listens on addr and serves h at /metrics until ctx ends, then shuts the server
// down. It returns once listening, with the bound address (so ":0" works), or the listen
// error. log may be nil.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	bound := ln.Addr().String()
	log.Info("serving metrics", "url", "http://"+bound+"/metrics")
	return bound, nil
}
