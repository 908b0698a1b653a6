package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// SocketEnv names the environment variable through which systemd passes the socket address.
const SocketEnv = "NOTIFY_SOCKET"

// ErrBadAddress is wrapped by the error for a $NOTIFY_SOCKET that is neither an absolute path nor
// an abstract name; systemd never sets such a value, so something else in the environment did.
var ErrBadAddress = errors.New("not an absolute path or an abstract name (@...)")

// writeTimeout bounds a send: a datagram blocks when the receiver's queue is full, and a stuck
// supervisor must not keep a mount from shutting down.
const writeTimeout = 5 * time.Second

// Notify sends state, one or more "KEY=VALUE" lines, to $NOTIFY_SOCKET. sent is false, with a
// nil error, when the variable is unset or empty.
func Notify(state string) (sent bool, err error) {
	addr := os.Getenv(SocketEnv)
	if addr == "" {
		return false, nil
	}
	if err := send(addr, state); err != nil {
		return false, fmt.Errorf("sd_notify %q to %s: %w", state, addr, err)
	}
	return true, nil
}

// Ready tells systemd that start-up is complete: a Type=notify unit counts as started from here.
func Ready() (bool, error) { return Notify("READY=1") }

// Stopping tells systemd that the service is shutting down on its own or on request, so that a
// slow stop (pending uploads) is shown as "deactivating" rather than as a hang.
func Stopping() (bool, error) { return Notify("STOPPING=1") }

// Status sets the free-form status line that `systemctl status` shows. Line breaks in msg
// become spaces, because a newline would start another assignment.
func Status(msg string) (bool, error) {
	msg = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(msg)
	return Notify("STATUS=" + msg)
}

func send(addr, state string) error {
	if addr[0] != '/' && addr[0] != '@' {
		return ErrBadAddress
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	_, err = conn.Write([]byte(state))
	return err
}
