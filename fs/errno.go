package fs

import (
	"context"
	"errors"
	"log/slog"
	"syscall"

	"github.com/aisfs/aisfs/aisclient"
)

// errStale reports that an object changed while a handle was reading it.
var errStale = errors.New("object changed while open")

// errnoMap sorts errors into errnos; the first match wins.
var errnoMap = []struct {
	err   error
	errno syscall.Errno
}{
	{aisclient.ErrNotFound, syscall.ENOENT},
	{aisclient.ErrBucketNotFound, syscall.ENOENT},
	{aisclient.ErrExists, syscall.EEXIST},
	{aisclient.ErrNameConflict, syscall.EEXIST},
	{aisclient.ErrInvalidName, syscall.EINVAL},
	{aisclient.ErrUnauthorized, syscall.EACCES},
	{aisclient.ErrRangeNotSatisfiable, syscall.EIO},
	{aisclient.ErrBadChecksum, syscall.EIO},
	{aisclient.ErrUnavailable, syscall.EIO},
	{errStale, syscall.ESTALE},
	{context.Canceled, syscall.EINTR},
	{context.DeadlineExceeded, syscall.ETIMEDOUT},
}

// toErrno maps an error to the errno a POSIX caller expects. Unknown errors are logged and become
// EIO; errno values pass through unchanged.
func toErrno(log *slog.Logger, op, path string, err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	for _, m := range errnoMap {
		if errors.Is(err, m.err) {
			if m.errno != syscall.ENOENT && m.errno != syscall.EINTR {
				log.Warn("operation failed", "op", op, "path", path, "errno", m.errno.Error(), "err", err)
			}
			return m.errno
		}
	}
	log.Error("operation failed", "op", op, "path", path, "err", err)
	return syscall.EIO
}
