package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// spoolChunk is how much of a member stream is written to the spool file between wake-ups of
// waiting readers.
const spoolChunk = 256 << 10

// memberSpool reads one member of one archive version. AIS serves a member only whole (no
// Range), so a member that fits in one cache block is read straight into that block, and a
// larger one is streamed once, by one GET, into an unlinked temporary file that the cache's
// block fetches read from as it fills: one GET per member and open however the cache splits
// it. The file goes when the member's last handle closes; the blocks stay in the cache.
type memberSpool struct {
	arch   *archive
	member string
	key    string // cache key: archive version + member
	size   int64  // from the listing
	refs   int    // GUARDED_BY(archMember.mu): open handles

	mu       sync.Mutex
	f        *os.File           // GUARDED_BY(mu): nil until the stream starts
	n        int64              // GUARDED_BY(mu): bytes in f
	err      error              // GUARDED_BY(mu): why the last stream ended early
	running  bool               // GUARDED_BY(mu)
	closed   bool               // GUARDED_BY(mu)
	cancel   context.CancelFunc // GUARDED_BY(mu): ends the running stream
	progress chan struct{}      // GUARDED_BY(mu): closed and replaced when n, err or running change
}

// fetch is the member's cache.Fetcher.
func (s *memberSpool) fetch(ctx context.Context, off int64, p []byte) (int, error) {
	if off == 0 && int64(len(p)) >= s.size {
		return s.whole(ctx, p[:s.size])
	}
	end := min(off+int64(len(p)), s.size)
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return 0, fmt.Errorf("%s: %w", s.arch.path(), os.ErrClosed)
		}
		if s.n >= end {
			f := s.f
			s.mu.Unlock()
			return f.ReadAt(p[:end-off], off)
		}
		if !s.running {
			if s.err != nil {
				err := s.err
				s.err = nil // the next fetch streams again
				s.mu.Unlock()
				return 0, err
			}
			if err := s.startLocked(); err != nil {
				s.mu.Unlock()
				return 0, err
			}
		}
		ch := s.progress
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// whole reads a member that fits p in one GET.
func (s *memberSpool) whole(ctx context.Context, p []byte) (int, error) {
	rc, size, err := s.arch.fsys.arch.GetArchived(ctx, s.arch.bck, s.arch.shard(), s.member)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	if err := s.checkSize(size); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(rc, p)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// checkSize refuses a member whose size differs from the listing's: the archive was rewritten.
func (s *memberSpool) checkSize(size int64) error {
	if size >= 0 && size != s.size {
		s.arch.forget()
		return fmt.Errorf("%s/%s: %d bytes, listed as %d: %w", s.arch.path(), s.member, size, s.size, errStale)
	}
	return nil
}

// startLocked starts streaming the member into a fresh spool file.
func (s *memberSpool) startLocked() error {
	if s.f == nil {
		f, err := os.CreateTemp("", "aisfs-member-*")
		if err != nil {
			return err
		}
		os.Remove(f.Name()) // unlinked: nothing is left behind, whatever happens
		s.f = f
	}
	s.n = 0
	ctx, cancel := context.WithCancel(context.Background())
	s.running, s.cancel = true, cancel
	s.notifyLocked()
	go s.stream(ctx, s.f)
	return nil
}

func (s *memberSpool) stream(ctx context.Context, f *os.File) {
	err := s.copy(ctx, f)
	s.mu.Lock()
	s.running, s.err = false, err
	s.cancel()
	s.notifyLocked()
	s.mu.Unlock()
}

func (s *memberSpool) copy(ctx context.Context, f *os.File) error {
	rc, size, err := s.arch.fsys.arch.GetArchived(ctx, s.arch.bck, s.arch.shard(), s.member)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := s.checkSize(size); err != nil {
		return err
	}
	buf := make([]byte, spoolChunk)
	var off int64
	for off < s.size {
		n, rerr := io.ReadFull(rc, buf[:min(int64(len(buf)), s.size-off)])
		if n > 0 {
			if _, err := f.WriteAt(buf[:n], off); err != nil {
				return fmt.Errorf("spool %s/%s: %w", s.arch.path(), s.member, err)
			}
			off += int64(n)
			s.mu.Lock()
			s.n = off
			s.notifyLocked()
			s.mu.Unlock()
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				rerr = io.ErrUnexpectedEOF
			}
			return rerr
		}
	}
	return nil
}

func (s *memberSpool) notifyLocked() {
	if s.progress != nil {
		close(s.progress)
	}
	s.progress = make(chan struct{})
}

// close ends the stream and drops the file.
func (s *memberSpool) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.cancel != nil {
		s.cancel()
	}
	if s.f != nil {
		s.f.Close()
	}
	s.notifyLocked()
}
