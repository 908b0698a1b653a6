package aisclient

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg     Config
		wantErr string // substring; "" = valid
		want    string // Endpoint()
	}{
		{Config{Endpoint: "http://127.0.0.1:51080"}, "", "http://127.0.0.1:51080"},
		{Config{Endpoint: "https://ais.example:443/"}, "", "https://ais.example:443"},
		{Config{}, "required", ""},
		{Config{Endpoint: "127.0.0.1:51080"}, "scheme", ""},
		{Config{Endpoint: "ftp://host"}, "scheme", ""},
		{Config{Endpoint: "http://"}, "missing host", ""},
		{Config{Endpoint: "http://host/v1"}, "without a path", ""},
		{Config{Endpoint: "http://host?x=1"}, "without a path", ""},
		{Config{Endpoint: "http://user:pw@host"}, "credentials", ""},
		{Config{Endpoint: "http://host", MaxRetries: -2}, "MaxRetries", ""},
		{Config{Endpoint: "http://host", RequestTimeout: -1}, "negative", ""},
		{Config{Endpoint: "http://host", Token: "a\nb"}, "line break", ""},
	} {
		c, err := New(tc.cfg)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("New(%+v): %v", tc.cfg, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("New(%+v) = %v, want error with %q", tc.cfg, err, tc.wantErr)
		case err == nil && c.Endpoint() != tc.want:
			t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), tc.want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := New(Config{Endpoint: "http://h:1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.reqTimeout != DefaultRequestTimeout || c.hdrTimeout != DefaultResponseHeaderTimeout ||
		c.maxRetries != -1 || c.opTimeout != DefaultOpTimeout || c.backoff != DefaultRetryBackoff || c.log == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c, _ := New(Config{Endpoint: "http://h:1", MaxRetries: -1}); c.maxRetries != 0 {
		t.Errorf("MaxRetries -1 gave %d retries", c.maxRetries)
	}
}
