package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// listen opens a datagram socket at addr, as systemd does for a notify service.
func listen(t *testing.T, addr string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// receive returns the one datagram a call sent.
func receive(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no datagram: %v", err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name     string
		socket   string // "path", "abstract", "missing", "relative" or "" (unset)
		call     func() (bool, error)
		wantSent bool
		wantMsg  string
		wantErr  error // what errors.Is must find in the error, if one is wanted
	}{
		{name: "unset", call: Ready},
		{name: "ready", socket: "path", call: Ready, wantSent: true, wantMsg: "READY=1"},
		{name: "stopping", socket: "path", call: Stopping, wantSent: true, wantMsg: "STOPPING=1"},
		{name: "status", socket: "path", call: func() (bool, error) { return Status("mounted ais://b") },
			wantSent: true, wantMsg: "STATUS=mounted ais://b"},
		{name: "status keeps one line", socket: "path", call: func() (bool, error) { return Status("a\nREADY=1\r\nb") },
			wantSent: true, wantMsg: "STATUS=a READY=1 b"},
		{name: "several assignments", socket: "path", call: func() (bool, error) { return Notify("READY=1\nSTATUS=up") },
			wantSent: true, wantMsg: "READY=1\nSTATUS=up"},
		{name: "abstract", socket: "abstract", call: Ready, wantSent: true, wantMsg: "READY=1"},
		{name: "nobody listening", socket: "missing", call: Ready, wantErr: syscall.ENOENT},
		{name: "relative path", socket: "relative", call: Ready, wantErr: ErrBadAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conn *net.UnixConn
			switch tt.socket {
			case "":
				t.Setenv(SocketEnv, "")
				os.Unsetenv(SocketEnv) // t.Setenv restores the original value afterwards
			case "path":
				addr := filepath.Join(t.TempDir(), "n.sock")
				conn = listen(t, addr)
				t.Setenv(SocketEnv, addr)
			case "abstract":
				addr := fmt.Sprintf("@aisfs-sdnotify-test-%d-%d", os.Getpid(), time.Now().UnixNano())
				conn = listen(t, addr)
				t.Setenv(SocketEnv, addr)
			case "missing":
				t.Setenv(SocketEnv, filepath.Join(t.TempDir(), "gone.sock"))
			case "relative":
				t.Setenv(SocketEnv, "n.sock")
			}
			sent, err := tt.call()
			if (tt.wantErr == nil) != (err == nil) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if sent != tt.wantSent {
				t.Fatalf("sent = %v, want %v", sent, tt.wantSent)
			}
			if conn != nil && tt.wantSent {
				if got := receive(t, conn); got != tt.wantMsg {
					t.Fatalf("datagram %q, want %q", got, tt.wantMsg)
				}
			}
		})
	}
}
