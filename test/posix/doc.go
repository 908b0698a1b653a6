// Package posix checks aisfs the way users meet it: the aisfs binary serves a mount from its own
// process, backed by a real local AIS, and ordinary tools (cp, diff, rsync, git, tar, a shell's
// >>) and syscalls drive it. It also runs the parts of go-fuse's POSIX suite that object storage
// can honour.
package posix
