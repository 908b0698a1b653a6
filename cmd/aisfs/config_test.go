package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCLIConfig makes $HOME a temp dir holding the AIS CLI config body (none if "").
func writeCLIConfig(t *testing.T, body string) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	if body != "" {
		dir := filepath.Join(home, ".config", "ais", "cli")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cli.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

func TestResolveEndpoint(t *testing.T) {
	cli := `{"cluster":{"url":"http://cli-host:8080/","skip_verify_crt":true},"timeout":{"tcp_timeout":"60s"}}`
	tests := []struct {
		name, flag, env, cli string
		want                 string
		skipVerify           bool
		wantErr              string
	}{
		{"flag first", "http://flag:1", "http://env:2", cli, "http://flag:1", false, ""},
		{"then AIS_ENDPOINT", "", "http://env:2", cli, "http://env:2", false, ""},
		{"then the CLI config", "", "", cli, "http://cli-host:8080", true, ""},
		{"CLI config without url", "", "", `{"cluster":{}}`, "", false, "no endpoint"},
		{"no CLI config", "", "", "", "", false, "cli.json"},
		{"broken CLI config", "", "", `{"cluster":`, "", false, "AIS CLI config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeCLIConfig(t, tc.cli)
			t.Setenv("AIS_ENDPOINT", tc.env)
			ep, skip, err := resolveEndpoint(tc.flag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || ep != tc.want || skip != tc.skipVerify {
				t.Errorf("= %q %v %v, want %q %v", ep, skip, err, tc.want, tc.skipVerify)
			}
		})
	}
}

// parseArgs runs the command line through the flag set and configure, as run does.
func parseArgs(t *testing.T, args ...string) (*mountConfig, error) {
	t.Helper()
	var s settings
	fl := newFlagSet(&s)
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	return configure(&s, fl)
}

// TestConfigFile: a --config file sets flags as -o does; -o and command-line flags win over it.
func TestConfigFile(t *testing.T) {
	writeCLIConfig(t, "")
	t.Setenv("AIS_ENDPOINT", "")
	mnt := t.TempDir()
	file := filepath.Join(t.TempDir(), "aisfs.conf")
	os.WriteFile(file, []byte(`# a comment
endpoint = http://from-file:51080

cache-size = 64MiB
stat_ttl=1m
read_only
max-fetches=4
`), 0o644)
	c, err := parseArgs(t, "--config", file, "--max-fetches", "8", "-o", "stat_ttl=5s", "ais://b", mnt)
	if err != nil {
		t.Fatal(err)
	}
	s := c.s
	if c.endpoint != "http://from-file:51080" || s.cacheSize != 64<<20 || !s.readOnly {
		t.Errorf("file not applied: endpoint %q cache %d ro %v", c.endpoint, s.cacheSize, s.readOnly)
	}
	if s.maxFetches != 8 || s.statTTL != 5*time.Second {
		t.Errorf("flags must win over the file: max-fetches %d stat-ttl %v", s.maxFetches, s.statTTL)
	}
	// -o config= names the file too (for fstab).
	if c, err := parseArgs(t, "-o", "config="+file, "ais://b", mnt); err != nil || c.endpoint != "http://from-file:51080" {
		t.Errorf("-o config=: %v", err)
	}

	for _, tc := range []struct{ body, want string }{
		{"cache-size = lots\n", "cache-size"},
		{"bogus_opt=1\n", "bogus"},
		{"a=1,b=2\n", "no commas"},
		{"config=/etc/x\n", "cannot name another"},
	} {
		os.WriteFile(file, []byte(tc.body), 0o644)
		if _, err := parseArgs(t, "--config", file, "--endpoint", "http://h:1", "ais://b", mnt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: err = %v, want one containing %q", tc.body, err, tc.want)
		}
	}
	if _, err := parseArgs(t, "--config", filepath.Join(mnt, "nope"), "ais://b", mnt); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("missing config file: %v", err)
	}
}

// TestVerbose: -v is --log-level=debug, and an explicit --log-level wins.
func TestVerbose(t *testing.T) {
	mnt := t.TempDir()
	for _, tc := range []struct {
		args []string
		want slog.Level
	}{
		{[]string{"-v"}, slog.LevelDebug},
		{[]string{"-v", "--log-level", "warn"}, slog.LevelWarn},
		{[]string{"-o", "verbose"}, slog.LevelDebug},
		{nil, slog.LevelInfo},
	} {
		c, err := parseArgs(t, append(tc.args, "--endpoint", "http://h:1", "ais://b", mnt)...)
		if err != nil || c.s.logLevel != tc.want {
			t.Errorf("%v: level %v %v, want %v", tc.args, c.s.logLevel, err, tc.want)
		}
	}
}
