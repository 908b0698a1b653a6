package disk

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writeTemp writes a block file into tmp and returns its path. A block whose buffer and length
// are 4 KiB-aligned (all but an object's last) goes with O_DIRECT where the filesystem takes
// it: the bytes move from the block's memory to the disk without a copy into the page cache,
// so the disk cache does not double the page cache's footprint. A write through the page
// cache cost the daemon a copy of every block (a third of its CPU in epoch 1), so writers that
// fall behind stay direct: more of them wait on the disk instead.
func (c *Cache) writeTemp(j job) (string, error) {
	path := filepath.Join(c.tmp, "blk-"+strconv.FormatUint(c.seq.Add(1), 10))
	direct := !c.noDirect.Load() && aligned(j.data)
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if direct {
		flags |= syscall.O_DIRECT
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if direct && errors.Is(err, syscall.EINVAL) {
		c.noDirect.Store(true) // tmpfs and a few others refuse O_DIRECT
		direct = false
		f, err = os.OpenFile(path, flags&^syscall.O_DIRECT, 0o600)
	}
	if err != nil {
		return path, err
	}
	t := alignedBuf(trailerLen(j.key))
	encodeTrailer(t, j.key, j.idx, j.data)
	err = writeAll(f, j.data, t)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, err
}

// writeAll writes data and trailer t with one pwritev: one system call, and with O_DIRECT one
// request to the disk.
func writeAll(f *os.File, data, t []byte) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	want := len(data) + len(t)
	var n int
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		n, werr = unix.Pwritev(int(fd), [][]byte{data, t}, 0)
		return werr != unix.EAGAIN
	}); err != nil {
		return err
	}
	if werr == nil && n < want { // a short write: the rest, plainly
		_, werr = f.WriteAt(slices.Concat(data, t)[n:], int64(n))
	}
	return werr
}

// alignedBuf returns n bytes of 4 KiB-aligned memory.
func alignedBuf(n int) []byte {
	buf := make([]byte, n+fileAlign)
	off := (fileAlign - int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%fileAlign)) % fileAlign
	return buf[off : off+n]
}

// aligned reports whether O_DIRECT can write b as it is.
func aligned(b []byte) bool {
	return len(b) > 0 && len(b)%fileAlign == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%fileAlign == 0
}

// readBlock reads and verifies the file of block idx of key into p, with O_DIRECT when p is
// aligned and the filesystem takes it: the disk fills p itself, no copy through the page
// cache (which cost a quarter more CPU than reading the block from AIS over loopback).
func (c *Cache) readBlock(path, key string, idx int64, p []byte) error {
	direct := !c.noDirect.Load() && aligned(p)
	flags := os.O_RDONLY
	if direct {
		flags |= syscall.O_DIRECT
	}
	f, err := os.OpenFile(path, flags, 0)
	if direct && errors.Is(err, syscall.EINVAL) {
		c.noDirect.Store(true)
		direct = false
		f, err = os.OpenFile(path, os.O_RDONLY, 0)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	t := alignedBuf(trailerLen(key))
	if fi.Size() == int64(len(p)+len(t)) {
		if _, err := f.ReadAt(p, 0); err != nil {
			return err
		}
		if _, err := f.ReadAt(t, int64(len(p))); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	return verify(t[:headerLen+len(key)], key, idx, p, fi.Size())
}
