package fs

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/writeback"
)

// errStale reports that an object changed while a handle was reading it.
var errStale = errors.New("object changed while open")

// errDetached: the file was unlinked or renamed over while open; AIS has no object of it left.
var errDetached = fmt.Errorf("file removed while open: %w", errStale)

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
	{aisclient.ErrNameTooLong, syscall.ENAMETOOLONG},
	{aisclient.ErrUnauthorized, syscall.EACCES},
	{aisclient.ErrRangeNotSatisfiable, syscall.EIO},
	{aisclient.ErrBadChecksum, syscall.EIO},
	{aisclient.ErrUnavailable, syscall.EIO},
	{errStale, syscall.ESTALE},
	{context.Canceled, syscall.EINTR},
	{context.DeadlineExceeded, syscall.ETIMEDOUT},
}

// toErrno maps an error to the errno a POSIX caller expects; unknown errors are EIO and errno
// values pass through unchanged.
func toErrno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	// AIS out of reach is EIO, whatever the socket said: a wrapped ECONNREFUSED or
	// ECONNRESET would otherwise pass through as if the file system had answered it.
	if errors.Is(err, aisclient.ErrUnavailable) {
		return syscall.EIO
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	for _, m := range errnoMap {
		if errors.Is(err, m.err) {
			return m.errno
		}
	}
	return syscall.EIO
}

// errno is toErrno with the log line a failure deserves: none for a missing name, an
// interrupted call or a failed upload (writeback logs that), one clear line (the first time)
// for refused access, one per other failure.
func (f *FS) errno(op, path string, err error) syscall.Errno {
	e := toErrno(err)
	switch {
	case e == 0 || e == syscall.ENOENT || e == syscall.EINTR:
	case errors.Is(err, writeback.ErrUploadFailed):
		// writeback logged it once, naming the staging file that keeps the bytes.
	case e == syscall.EACCES && errors.Is(err, aisclient.ErrUnauthorized):
		if f.authWarned.CompareAndSwap(false, true) {
			f.log.Error("AIS refused access: check the AuthN token (--token-file, $AIS_AUTHN_TOKEN) and its permissions",
				"op", op, "path", path, "err", err)
		} else {
			f.log.Debug("access refused", "op", op, "path", path, "err", err)
		}
	case e == syscall.EIO:
		f.log.Error("operation failed", "op", op, "path", path, "err", err)
	default:
		f.log.Warn("operation failed", "op", op, "path", path, "errno", e.Error(), "err", err)
	}
	if f.onErrno != nil && e != 0 {
		f.onErrno(op, e)
	}
	return e
}
