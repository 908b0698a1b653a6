package writeback

import "context"

// Rename points the File at the object's new name, once the caller has renamed the object in
// AIS: what AIS held under the old name is there now, so what the File knows of it stays true.
// Nothing in flight may keep the old name. Writers and Sync are held off by the gate, the
// uploader is waited for, a streaming PUT is dropped (AIS stores nothing of it; its bytes stay
// dirty here for the next Sync), and so is an append chain, whose work file is the old name's.
// After a Sync (fs settles a writer before the rename) there is none of these.
func (f *File) Rename(ctx context.Context, name string) {
	f.gate.Lock()
	defer f.gate.Unlock()
	f.mu.Lock()
	f.syncing = true // no uploader may start while the name changes
	f.waitUploaderLocked(ctx)
	done := f.putDone
	f.dropPutLocked()
	f.dropChainLocked()
	f.mu.Unlock()
	if done != nil {
		<-done // its request is gone: runPut reads the name no more
	}
	f.mu.Lock()
	f.name = name
	f.syncing = false
	f.maybeStreamLocked()
	f.mu.Unlock()
}
