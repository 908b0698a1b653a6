package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// loadToken finds the AuthN token the way the AIS CLI does, so a host where `ais auth login`
// ran needs no extra setup: --token-file, then $AIS_AUTHN_TOKEN, then $AIS_AUTHN_TOKEN_FILE,
// then the CLI's saved token. None is fine (a cluster without AuthN). The token never goes on a
// command line, so it cannot show in ps(1).
func loadToken(tokenFile string) (string, error) {
	if tokenFile != "" {
		return readToken(tokenFile)
	}
	if t := strings.TrimSpace(os.Getenv("AIS_AUTHN_TOKEN")); t != "" {
		return t, nil
	}
	if f := os.Getenv("AIS_AUTHN_TOKEN_FILE"); f != "" {
		return readToken(f)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", nil
	}
	t, err := readToken(filepath.Join(home, ".config", "ais", "cli", "auth.token"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return t, err
}

// readToken reads a token file: the CLI's JSON {"token": "..."} or the bare token.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "{") {
		var msg struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(b, &msg); err != nil {
			return "", fmt.Errorf("token file %s: %v", path, err)
		}
		s = msg.Token
	}
	if s == "" {
		return "", fmt.Errorf("token file %s holds no token", path)
	}
	return s, nil
}

// tlsConfig builds the client's TLS settings from the flags; nil when none is set.
func tlsConfig(s *settings) (*tls.Config, error) {
	if s.caCert == "" && s.clientCert == "" && s.clientKey == "" && !s.skipVerify {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: s.skipVerify, MinVersion: tls.VersionTLS12}
	if s.caCert != "" {
		pem, err := os.ReadFile(s.caCert)
		if err != nil {
			return nil, fmt.Errorf("--ca-cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert: no PEM certificate in %s", s.caCert)
		}
		cfg.RootCAs = pool
	}
	if (s.clientCert == "") != (s.clientKey == "") {
		return nil, errors.New("--client-cert and --client-key go together")
	}
	if s.clientCert != "" {
		cert, err := tls.LoadX509KeyPair(s.clientCert, s.clientKey)
		if err != nil {
			return nil, fmt.Errorf("--client-cert/--client-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
