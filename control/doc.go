// Package control is how the aisfs subcommands (prefetch, evict, stats, umount) talk to the
// daemon that serves a mount.
//
// Finding the daemon: a PATH is looked up in /proc/self/mountinfo (Find): the longest mount
// point of type fuse.aisfs above it is its mount, and the mount's ID and device number (each
// unique while the mount lives) name the daemon's control socket, the abstract unix socket
// "@aisfs/ID-MAJOR:MINOR" (SocketName). An abstract socket leaves no file behind when the
// daemon dies, and needs no directory that both sides agree on; the daemon closes it as soon
// as its mount is gone. Only the daemon's own user and root
// may talk to it: the daemon checks each connection's peer credentials (SO_PEERCRED). Abstract
// sockets belong to a network namespace: a subcommand must run in the daemon's (and, to see
// the mount, in its mount namespace).
//
// The protocol is HTTP/1.1 with JSON bodies on that socket:
//
//	GET  /v1/info              Info: source, endpoint, bucket, prefix, mount point, pid
//	GET  /v1/metrics           the daemon's Prometheus metrics (text format)
//	POST /v1/jobs    JobRequest -> JobRef: start a prefetch or evict of a mount-relative path
//	GET  /v1/jobs?kind=&id=    aisclient.JobStatus of a job
//	POST /v1/umount            finish pending uploads, unmount; answers when done
//
// Errors are a 4xx/5xx status with {"error": "one line"}. The daemon, not the subcommand,
// talks to AIS, with the mount's own endpoint, token and TLS settings; so a subcommand needs
// no configuration of its own, and the mount's source string (its fsname in the mount table)
// stays what the user typed.
package control
