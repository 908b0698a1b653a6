package writeback

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Small files are staged in memory: creating and removing a staging file for each of them
// was a fifth of the daemon's CPU when writing many small files. A Truncate-mode File keeps
// its bytes in memory up to memFileMax (all Files together up to memTotalMax) and moves them
// to a staging file when it grows past that, and before an upload failure is reported, so
// that a failed upload always leaves its bytes in the staging directory. Edit and Append
// Files, whose old bytes are fetched into the staging file, always have one.
const (
	memFileMax  = 1 << 20
	memTotalMax = 64 << 20
)

// memLimit is the most bytes one File keeps in memory: under a chunk, so anything big
// enough to stream is in a staging file.
func (m *Manager) memLimit() int64 { return min(memFileMax, m.cfg.ChunkSize/2) }

// memReserve takes n bytes of the shared in-memory staging budget, or reports that it is spent.
func (m *Manager) memReserve(n int64) bool {
	for {
		cur := m.memUsed.Load()
		if cur+n > memTotalMax {
			return false
		}
		if m.memUsed.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// inMemoryLocked: the content is in f.mem, there is no staging file (yet).
func (f *File) inMemoryLocked() bool { return f.fh == nil }

// spillLocked moves an in-memory content to a new staging file.
func (f *File) spillLocked() error {
	if f.fh != nil {
		return nil
	}
	fh, err := createStaging(f.m.cfg.Dir, f.bck, f.name)
	if err != nil {
		return err
	}
	if _, err := fh.WriteAt(f.mem, 0); err != nil {
		fh.Close()
		os.Remove(fh.Name())
		return fmt.Errorf("writeback: staging write: %w", err)
	}
	f.fh, f.path = fh, fh.Name()
	f.dropMemLocked()
	return nil
}

// dropMemLocked frees the in-memory content.
func (f *File) dropMemLocked() {
	f.m.memUsed.Add(-int64(cap(f.mem)))
	f.mem = nil
}

// memWriteLocked writes p at off into the in-memory content, or reports (false) that the
// content must move to a staging file first.
func (f *File) memWriteLocked(p []byte, off int64) bool {
	end := off + int64(len(p))
	if !f.memResizeLocked(max(end, int64(len(f.mem)))) {
		return false
	}
	copy(f.mem[off:], p)
	return true
}

// memResizeLocked sets the in-memory content's size (new bytes are zeros), or reports (false)
// that it does not fit in memory.
func (f *File) memResizeLocked(size int64) bool {
	if size > f.m.memLimit() {
		return false
	}
	if size > int64(cap(f.mem)) {
		c := max(size, min(2*int64(cap(f.mem)), f.m.memLimit()))
		if !f.m.memReserve(c - int64(cap(f.mem))) {
			return false
		}
		grown := make([]byte, size, c)
		copy(grown, f.mem)
		f.mem = grown
		return true
	}
	old := int64(len(f.mem))
	f.mem = f.mem[:size]
	if size > old {
		clear(f.mem[old:])
	}
	return true
}

// body returns content[off:off+n) as a request body, and what to close after the request:
// the in-memory bytes, or a fresh descriptor of the staging file at off (see section).
// The gate is held exclusively: the content is still.
func (f *File) body(off, n int64) (io.Reader, func(), error) {
	f.mu.Lock()
	if f.inMemoryLocked() {
		defer f.mu.Unlock()
		return bytes.NewReader(f.mem[off : off+n]), func() {}, nil
	}
	f.mu.Unlock()
	r, err := f.section(off)
	if err != nil {
		return nil, nil, err
	}
	return r, func() { r.Close() }, nil
}

// stagedReader returns a reader of content[from:from+n) for hashing. The gate is held
// exclusively.
func (f *File) stagedReader(from, n int64) io.Reader {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inMemoryLocked() {
		return bytes.NewReader(f.mem[from : from+n])
	}
	return io.NewSectionReader(f.fh, from, n)
}
