package aiscluster

import (
	"context"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestEndpointServesListBuckets(t *testing.T) {
	ep := Endpoint(t)
	resp, err := http.Get(ep + "/v1/buckets")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/v1/buckets: %s, want 200", ep, resp.Status)
	}
}

// A user running the tests or the demo must not expose an unauthenticated
// storage cluster to the network: every socket the nodes listen on, on any
// port, is loopback.
func TestListensOnLoopbackOnly(t *testing.T) {
	Endpoint(t)
	if shared.c == nil {
		t.Skip("cluster comes from AIS_ENDPOINT; its sockets are not ours to check")
	}
	for _, n := range shared.c.nodes() {
		socks := listenSockets(t, n.pid)
		if len(socks) == 0 {
			t.Fatalf("%s (pid %d) listens on nothing", n.role, n.pid)
		}
		sawPublic := false
		for _, s := range socks {
			if !s.ip.IsLoopback() {
				t.Errorf("%s (pid %d) listens on %s:%d, outside loopback", n.role, n.pid, s.ip, s.port)
			}
			sawPublic = sawPublic || (s.ip.String() == publicHost && s.port == n.port)
		}
		if !sawPublic {
			t.Errorf("%s (pid %d) does not listen on its public %s:%d; has %v", n.role, n.pid, publicHost, n.port, socks)
		}
		t.Logf("%s listens on %v", n.role, socks)
	}
}

type sock struct {
	ip   net.IP
	port int
}

func (s sock) String() string { return net.JoinHostPort(s.ip.String(), strconv.Itoa(s.port)) }

// listenSockets returns the TCP sockets process pid listens on: its socket
// inodes from /proc/PID/fd matched against /proc/net/tcp and tcp6.
func listenSockets(t *testing.T, pid int) []sock {
	t.Helper()
	fdDir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var socks []sock
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for _, line := range lines[1:] { // [0] is the header
			fields := strings.Fields(line)
			// sl local rem st tx:rx tr:when retrnsmt uid timeout inode
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] { // 0A = LISTEN
				continue
			}
			ip, port := parseProcAddr(t, fields[1])
			socks = append(socks, sock{ip, port})
		}
	}
	return socks
}

// parseProcAddr decodes "0100007F:1F90": the address is stored as 32-bit
// words in host (little-endian) order, the port in hex.
func parseProcAddr(t *testing.T, s string) (net.IP, int) {
	t.Helper()
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		t.Fatalf("bad /proc/net address %q", s)
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+4 <= len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		t.Fatal(err)
	}
	return net.IP(raw), int(port)
}

func TestParseProcAddr(t *testing.T) {
	tests := []struct {
		in   string
		ip   string
		port int
	}{
		{"0100007F:1F90", "127.0.0.1", 8080},
		{"00000000:0050", "0.0.0.0", 80},
		{"0200007F:C350", "127.0.0.2", 50000},
		{"00000000000000000000000001000000:1F90", "::1", 8080},
		{"00000000000000000000000000000000:1F90", "::", 8080},
	}
	for _, tt := range tests {
		ip, port := parseProcAddr(t, tt.in)
		if ip.String() != tt.ip || port != tt.port {
			t.Errorf("parseProcAddr(%q) = %s, %d; want %s, %d", tt.in, ip, port, tt.ip, tt.port)
		}
	}
}

// A node that dies at startup must say why: the error carries its output.
func TestStartFailureCarriesLogTail(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-aisnode")
	script := "#!/bin/sh\necho \"fake aisnode refuses: $*\" >&2\nexit 3\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := Start(t.Context(), Options{Dir: filepath.Join(dir, "state"), AISNode: fake})
	if err == nil {
		c.Stop()
		t.Fatal("Start with a failing aisnode succeeded")
	}
	// The proxy's output is there; the target may not have written before the proxy's exit
	// was seen.
	for _, want := range []string{"exited", "fake aisnode refuses", "-role=proxy", "target"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestStartOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no dir", Options{}, "Dir is required"},
		{"named features", Options{Dir: t.TempDir(), Features: "S3-Reverse-Proxy"}, "must be a number"},
		{"detached with writer", Options{Dir: t.TempDir(), Detached: true, Log: os.Stderr}, "Log must be nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Start(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start: %v, want error containing %q", err, tt.want)
			}
		})
	}
}
