package disk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// createTemp creates a segment's temp file, with O_DIRECT where the filesystem takes it: the
// bytes move from the block's memory to the disk without a copy into the page cache (a copy
// that cost a third of the daemon's CPU in epoch 1), and the disk cache does not double the
// page cache's footprint.
func (c *Cache) createTemp(path string) (*os.File, bool, error) {
	flags := os.O_RDWR | os.O_CREATE | os.O_EXCL
	direct := !c.noDirect.Load()
	if direct {
		f, err := os.OpenFile(path, flags|syscall.O_DIRECT, 0o600)
		if !errors.Is(err, syscall.EINVAL) {
			return f, true, err
		}
		c.noDirect.Store(true) // tmpfs and a few others refuse O_DIRECT
	}
	f, err := os.OpenFile(path, flags, 0o600)
	return f, false, err
}

// writeSlot writes one block at off. A short block (an object's last) goes through an aligned
// copy padded to 4 KiB, which O_DIRECT needs; the padding is not data (the entry has the length).
func (c *Cache) writeSlot(s *openSeg, off int64, data []byte) error {
	if s.direct && !aligned(data) {
		p := alignedBuf(roundUp(len(data), fileAlign))
		copy(p, data)
		data = p
	}
	n, err := s.f.WriteAt(data, off)
	if err == nil && n != len(data) {
		err = io.ErrShortWrite
	}
	return err
}

// alignedBuf returns n bytes of 4 KiB-aligned memory.
func alignedBuf(n int) []byte {
	buf := make([]byte, n+fileAlign)
	off := (fileAlign - int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%fileAlign)) % fileAlign
	return buf[off : off+n]
}

// aligned reports whether O_DIRECT can move b as it is.
func aligned(b []byte) bool {
	return len(b) > 0 && len(b)%fileAlign == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%fileAlign == 0
}

// readSlot reads the block of entry e at off of a segment file into p and verifies it, with
// O_DIRECT when p is aligned: the disk fills p itself, no copy through the page cache.
func (c *Cache) readSlot(path string, off int64, p []byte, e entry) error {
	direct := !c.noDirect.Load() && aligned(p)
	flags := os.O_RDONLY
	if direct {
		flags |= syscall.O_DIRECT
	}
	f, err := os.OpenFile(path, flags, 0)
	if direct && errors.Is(err, syscall.EINVAL) {
		c.noDirect.Store(true)
		f, err = os.OpenFile(path, os.O_RDONLY, 0)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if n, err := f.ReadAt(p, off); n != len(p) {
		if err == nil || errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: truncated (%d of %d bytes at %d)", errDamaged, n, len(p), off)
		}
		return err
	}
	return checkData(p, e)
}

// readTrailer reads and checks the trailer of segment file path (segment seg).
func (c *Cache) readTrailer(path string, seg int64) (string, []entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", nil, err
	}
	size := fi.Size()
	if size < footerLen {
		return "", nil, fmt.Errorf("%w: %d bytes", errDamaged, size)
	}
	foot := make([]byte, footerLen)
	if _, err := f.ReadAt(foot, size-footerLen); err != nil {
		return "", nil, err
	}
	n, err := footerTrailerLen(foot, size)
	if err != nil {
		return "", nil, err
	}
	t := make([]byte, n)
	if _, err := f.ReadAt(t, size-int64(n)); err != nil {
		return "", nil, err
	}
	return decodeTrailer(t, size, seg, c.g, c.cfg.BlockSize)
}
