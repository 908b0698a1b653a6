package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestFlagValues: every typed flag takes its good spellings, refuses bad ones with a message
// naming the flag, and prints its default so that it parses back to the same value.
func TestFlagValues(t *testing.T) {
	tests := []struct {
		flag, in string
		want     string // String() after Set; "" means Set must fail
	}{
		{"cache-size", "256MiB", "256MiB"},
		{"cache-size", "1G", "1000000000"},
		{"cache-size", "4096", "4KiB"},
		{"cache-size", "3000", "3000"},
		{"cache-size", "lots", ""},
		{"cache-size", "0", ""},
		{"cache-size", "2PiB", ""},
		{"direct-io-min", "0", "0"},
		{"direct-io-min", "16MiB", "16MiB"},
		{"file-mode", "0600", "0600"},
		{"file-mode", "755", "0755"},
		{"file-mode", "0888", ""},
		{"file-mode", "01777", ""},
		{"stat-ttl", "0s", "0s"},
		{"stat-ttl", "1m", "1m0s"},
		{"stat-ttl", "-1s", ""},
		{"stat-ttl", "soon", ""},
		{"op-timeout", "0s", ""},
		{"request-timeout", "5s", "5s"},
		{"max-fetches", "0", ""},
		{"max-fetches", "8", "8"},
		{"max-fetches", "x", ""},
		{"retries", "-1", "-1"},
		{"retries", "-2", ""},
		{"log-level", "debug", "debug"},
		{"log-level", "WARN", "warn"},
		{"log-level", "loud", ""},
		{"log-format", "json", "json"},
		{"log-format", "xml", ""},
	}
	for _, tc := range tests {
		t.Run(tc.flag+"="+tc.in, func(t *testing.T) {
			var s settings
			fl := newFlagSet(&s)
			err := fl.Set(tc.flag, tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("Set(%q) accepted, want an error", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set(%q): %v", tc.in, err)
			}
			if got := fl.Lookup(tc.flag).Value.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFlagDefaultsParse: each default, as printed by --help, is accepted by its own flag.
func TestFlagDefaultsParse(t *testing.T) {
	var s settings
	fl := newFlagSet(&s)
	fl.VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() == "stringSlice" {
			return
		}
		if err := f.Value.Set(f.DefValue); err != nil {
			t.Errorf("--%s: its default %q does not parse: %v", f.Name, f.DefValue, err)
		}
	})
	// Bad input through the command line names the flag, in one line.
	err := newFlagSet(&s).Parse([]string{"--block-size", "big"})
	if err == nil || !strings.Contains(err.Error(), "--block-size") || strings.Contains(err.Error(), "\n") {
		t.Errorf("bad --block-size: %v", err)
	}
}
