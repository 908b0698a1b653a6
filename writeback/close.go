package writeback

import (
	"context"
	"errors"
	"fmt"
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
	f.stopPut() // none should be left (a latched failure returns before one is finished)

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
	var uerr *UploadError
	if err != nil && !errors.As(err, &uerr) {
		// Not latched (the context ended): the bytes must still end up in the staging directory.
		if serr := f.spillLocked(); serr != nil {
			err = fmt.Errorf("%w; and the content, held in memory, could not be saved: %w", err, serr)
		}
	}
	fh, path := f.fh, f.path
	f.dropMemLocked()
	f.mu.Unlock()

	f.m.space.release(reserved)
	f.m.forget(f)
	var cerr error
	if fh != nil {
		cerr = fh.Close()
	}
	if err == nil {
		if fh != nil {
			if rerr := os.Remove(path); rerr != nil {
				f.m.log.Warn("writeback: removing staging file", "path", path, "err", rerr)
			}
		}
		err = cerr // a close error of a file already uploaded is only worth reporting
	} else if uerr == nil {
		// A latched failure was logged when it happened; say it once more only if not.
		err = &UploadError{Bucket: f.bck, Object: f.name, Path: path, Err: err}
		f.m.failed.Add(1)
		f.m.log.Error("writeback: upload failed; content kept in staging file",
			"op", "close", "bucket", f.bck.String(), "object", f.name, "path", path, "err", err)
	}
	f.mu.Lock()
	f.closeErr = err
	f.mu.Unlock()
	return err
}
