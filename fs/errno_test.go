package fs

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

func TestToErrno(t *testing.T) {
	tests := []struct {
		err  error
		want syscall.Errno
	}{
		{nil, 0},
		{fmt.Errorf("head: %w", aisclient.ErrNotFound), syscall.ENOENT},
		{aisclient.ErrBucketNotFound, syscall.ENOENT},
		{aisclient.ErrExists, syscall.EEXIST},
		{aisclient.ErrNameConflict, syscall.EEXIST},
		{aisclient.ErrInvalidName, syscall.EINVAL},
		{aisclient.ErrUnauthorized, syscall.EACCES},
		{fmt.Errorf("x: %w", errStale), syscall.ESTALE},
		{fmt.Errorf("get: %w", context.Canceled), syscall.EINTR},
		{context.DeadlineExceeded, syscall.ETIMEDOUT},
		{syscall.ENOSPC, syscall.ENOSPC},
		{fmt.Errorf("wrapped: %w", syscall.EXDEV), syscall.EXDEV},
		{errors.New("something odd"), syscall.EIO},
		{fmt.Errorf("upload: %w", &aisclient.TransportError{Op: "PutObject", Err: syscall.ECONNRESET}), syscall.EIO},
		{&aisclient.TransportError{Op: "GetRange", Err: syscall.ECONNREFUSED}, syscall.EIO},
		// The socket's errno is not the file system's answer.
		{&aisclient.TransportError{Op: "GetRange", Err: fmt.Errorf("dial: %w", syscall.ECONNREFUSED)}, syscall.EIO},
		{&aisclient.BudgetError{Op: "HeadObject", Err: &aisclient.TransportError{Err: syscall.ECONNRESET}}, syscall.EIO},
		{&aisclient.BudgetError{Op: "GetRange", Err: context.DeadlineExceeded}, syscall.EIO},
	}
	for _, tc := range tests {
		if got := toErrno(tc.err); got != tc.want {
			t.Errorf("toErrno(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
