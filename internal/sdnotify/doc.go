// Package sdnotify speaks systemd's readiness protocol (sd_notify(3)) with the standard library
// alone: a service of Type=notify sends newline-separated assignments such as "READY=1" in one
// datagram to the unix socket that systemd names in $NOTIFY_SOCKET.
//
// When $NOTIFY_SOCKET is unset the process is not supervised that way, and every call is a
// no-op returning (false, nil), so callers need no "am I under systemd" check. A set but unusable
// socket is an error; callers usually log it and carry on, since the service itself still works.
//
// The address is an absolute path or, when it starts with '@', a name in the abstract namespace
// (Go's net package maps the leading '@' to the NUL byte). systemd accepts notifications from the
// main process only under NotifyAccess=main, so a process that forks a background child must
// leave notifying to the process systemd started.
package sdnotify
