package writeback

import (
	"context"
	"os"
)

// Discard releases the File without uploading anything: the object it was for has been removed
// (unlink of an open file), so its bytes have nowhere to go.
func (f *File) Discard() error {
	f.gate.Lock()
	defer f.gate.Unlock()
	f.stopPut()
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.syncing = true
	if f.uploading {
		f.upCancel()
	}
	f.waitUploaderLocked(context.Background())
	f.closed, f.dirty = true, false
	reserved := f.reserved
	f.reserved = 0
	fh, path := f.fh, f.path
	f.dropMemLocked()
	f.mu.Unlock()

	f.m.space.release(reserved)
	f.m.forget(f)
	if fh == nil {
		return nil
	}
	fh.Close()
	return os.Remove(path)
}
