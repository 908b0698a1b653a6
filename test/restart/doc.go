// Package restart checks what a mount does while AIS restarts or stays down: each test
// starts a real local cluster of its own (aiscluster.Own), mounts it with the aisfs binary
// in its own process, and stops and starts the cluster's nodes under running reads.
// Nothing here asserts how long anything takes: each test waits for outcomes (bytes,
// errnos, log lines), and `go test -timeout` ends one that hangs.
package restart
