package writeback

import (
	"context"
	"errors"
	"os"
)

// Close syncs the File if it is dirty, then releases it: the staging file is removed after a
// clean finish and kept (and logged) otherwise. Calling Close again returns the same result.
func (f *File) Close(ctx context.Context) error {
	f.gate.Lock()
	defer f.gate.Unlock()
	f.mu.Lock()
	if f.closed {
		defer f.mu.Unlock()
		return f.closeErr
	}
	f.mu.Unlock()

	err := f.syncGated(ctx)

	f.mu.Lock()
	f.syncing = true // no uploader may start; none should run, but make sure
	if f.uploading {
		f.upCancel()
	}
	f.waitUploaderLocked(ctx)
	f.closed = true
	if err == nil && f.dirty { // cannot happen: a clean Sync leaves nothing behind
		err = errors.New("writeback: dirty after sync")
	}
	reserved := f.reserved
	f.reserved = 0
	f.mu.Unlock()

	f.m.space.release(reserved)
	f.m.forget(f)
	cerr := f.fh.Close()
	if err == nil {
		if rerr := os.Remove(f.path); rerr != nil {
			f.m.log.Warn("writeback: removing staging file", "path", f.path, "err", rerr)
		}
		err = cerr // a close error of a file already uploaded is only worth reporting
	} else {
		// A latched failure was logged when it happened; say it once more only if not.
		var uerr *UploadError
		if !errors.As(err, &uerr) {
			err = &UploadError{Bucket: f.bck, Object: f.name, Path: f.path, Err: err}
			f.m.failed.Add(1)
			f.m.log.Error("writeback: upload failed; content kept in staging file",
				"op", "close", "bucket", f.bck.String(), "object", f.name, "path", f.path, "err", err)
		}
	}
	f.mu.Lock()
	f.closeErr = err
	f.mu.Unlock()
	return err
}
