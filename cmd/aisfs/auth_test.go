package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadToken(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	bare := write("bare", "  tok-bare\n")
	js := write("json", `{"token":"tok-json"}`)
	empty := write("empty", "")
	home := t.TempDir()
	cli := filepath.Join(home, ".config", "ais", "cli")
	os.MkdirAll(cli, 0o700)
	os.WriteFile(filepath.Join(cli, "auth.token"), []byte(`{"token":"tok-cli"}`), 0o600)

	tests := []struct {
		name               string
		flag, env, envFile string
		home               string
		want, wantErr      string
	}{
		{name: "flag bare", flag: bare, env: "tok-env", want: "tok-bare"},
		{name: "flag json", flag: js, want: "tok-json"},
		{name: "env", env: "tok-env", envFile: js, home: home, want: "tok-env"},
		{name: "env file", envFile: js, home: home, want: "tok-json"},
		{name: "cli saved token", home: home, want: "tok-cli"},
		{name: "none", home: t.TempDir(), want: ""},
		{name: "empty file", flag: empty, wantErr: "holds no token"},
		{name: "missing file", flag: filepath.Join(dir, "nope"), wantErr: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AIS_AUTHN_TOKEN", tc.env)
			t.Setenv("AIS_AUTHN_TOKEN_FILE", tc.envFile)
			t.Setenv("HOME", tc.home)
			got, err := loadToken(tc.flag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "tok-") {
					t.Fatalf("error shows a token: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("loadToken = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, tc := range []struct {
		s    settings
		want string
	}{
		{settings{caCert: filepath.Join(dir, "missing")}, "--ca-cert"},
		{settings{caCert: notPEM}, "no PEM certificate"},
		{settings{clientCert: notPEM}, "go together"},
	} {
		if _, err := tlsConfig(&tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("tlsConfig(%+v) = %v, want %q", tc.s, err, tc.want)
		}
	}
	if cfg, err := tlsConfig(&settings{skipVerify: true}); err != nil || !cfg.InsecureSkipVerify {
		t.Errorf("--skip-verify: %v %v", cfg, err)
	}
	if cfg, err := tlsConfig(&settings{}); err != nil || cfg != nil {
		t.Errorf("no TLS flags should give no TLS config: %v %v", cfg, err)
	}
}
