package metrics

import (
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// ObserveErrno records a failed filesystem operation; its signature is fs.Config.OnErrno's.
// errno 0 is not a failure and is ignored.
func (m *Metrics) ObserveErrno(op string, errno syscall.Errno) {
	if errno == 0 {
		return
	}
	m.fsErrors.WithLabelValues(op, errnoName(errno)).Inc()
}

// errnoName is the C name ("ENOENT"), or the number for one the table lacks.
func errnoName(e syscall.Errno) string {
	if name := unix.ErrnoName(e); name != "" {
		return name
	}
	return "errno" + strconv.Itoa(int(e))
}
