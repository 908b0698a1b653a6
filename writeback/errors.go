package writeback

import (
	"errors"
	"io/fs"

	"github.com/aisfs/aisfs/aisclient"
)

// ErrClosed is returned by every method of a File after Close, and by Open after Shutdown.
var ErrClosed = fs.ErrClosed

// ErrUploadFailed matches (errors.Is) every *UploadError.
var ErrUploadFailed = errors.New("writeback: upload failed")

// UploadError is a File's final upload failure. The content is kept in Path.
// It unwraps to the AIS errors of every attempt.
type UploadError struct {
	Bucket aisclient.Bck
	Object string
	Path   string // the staging file holding the complete content
	Err    error
}

func (e *UploadError) Error() string {
	return "writeback: upload of " + e.Bucket.String() + "/" + e.Object + " failed; content kept in " +
		e.Path + ": " + e.Err.Error()
}

func (e *UploadError) Unwrap() error { return e.Err }

func (e *UploadError) Is(target error) bool { return target == ErrUploadFailed }
