// Package faults checks that aisfs is trustworthy when AIS is not: a fault-injecting proxy
// between a mount and AIS breaks a share of all requests while large and small files are
// read and written, and a real local cluster is restarted under a writer. The mounts are
// served by the aisfs binary in its own process, as users run it (and so that this process,
// which starts and restarts aisnode, holds no /dev/fuse descriptor a child could inherit).
// What reached AIS is checked with the plain client, straight to AIS.
package faults
