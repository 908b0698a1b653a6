package control

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// SocketName is the abstract unix socket of the daemon of the mount with key (Mount.Key).
func SocketName(key string) string { return "@aisfs/" + key }

// peerListener accepts only connections from this process's user or root.
type peerListener struct {
	*net.UnixListener
	uid int
}

// listen opens the control socket of key.
func listen(key string) (*peerListener, error) {
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: SocketName(key), Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", SocketName(key), err)
	}
	return &peerListener{UnixListener: l, uid: os.Geteuid()}, nil
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, err := peerUID(c)
		if err == nil && (uid == l.uid || uid == 0) {
			return c, nil
		}
		go refuse(c, l.uid) // another user's process: not this daemon's business
	}
}

// refuse answers a connection of another user with a 403 that says why, and closes it. It reads
// the request first: a reply sent before the request is written is dropped by net/http's client
// as "unsolicited", and the user would see a transport error instead of the reason.
func refuse(c net.Conn, uid int) {
	defer c.Close()
	body := fmt.Sprintf(`{"error":"this mount's aisfs daemon serves only its own user (uid %d) and root"}`, uid)
	c.SetDeadline(time.Now().Add(time.Second))
	if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
		req.Body.Close()
	}
	fmt.Fprintf(c, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *unix.Ucred
	var cerr error
	err = raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	})
	if err = errors.Join(err, cerr); err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}

// dialer connects to key's control socket.
func dialer(key string) func(ctx context.Context, _, _ string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", SocketName(key))
	}
}
