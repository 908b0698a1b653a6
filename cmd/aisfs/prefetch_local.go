package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/dustin/go-humanize"
)

// prefetchLocal fills a mount's own caches (memory, and disk when it has one) by reading every
// file under each PATH through the mount, jobs at a time, and discarding the data. It needs
// nothing from AIS but what the reads need, and works on any bucket, ais:// too.
func prefetchLocal(ctx context.Context, paths []string, jobs int, stdout, stderr io.Writer) error {
	if jobs < 1 {
		return fmt.Errorf("%w: --jobs must be at least 1", errUsage)
	}
	targets, err := resolve(paths, true)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := readAll(ctx, t, jobs, stdout, stderr); err != nil {
			return err
		}
	}
	return nil
}

func readAll(ctx context.Context, t target, jobs int, stdout, stderr io.Writer) error {
	var (
		done    atomic.Int64 // bytes read
		nread   atomic.Int64 // files read
		mu      sync.Mutex
		failed  int
		first   error
		work    = make(chan string)
		wg      sync.WaitGroup
		updates = make(chan struct{}, 1)
	)
	for range min(jobs, max(len(t.files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for rel := range work {
				n, err := readFile(filepath.Join(t.mount.Point, filepath.FromSlash(rel)), buf)
				done.Add(n)
				if err != nil {
					mu.Lock()
					failed++
					if first == nil {
						first = err
					}
					mu.Unlock()
				} else {
					nread.Add(1)
				}
				select {
				case updates <- struct{}{}:
				default:
				}
			}
		}()
	}
	p := newProgress(stderr, "prefetch --local "+t.path, t.bytes, true)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-updates:
				p.update(nread.Load(), done.Load())
			}
		}
	}()
feed:
	for _, rel := range t.files {
		select {
		case work <- rel:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(stop)
	p.end()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w after %d of %d files", t.path, err, nread.Load(), len(t.files))
	}
	if failed > 0 {
		return fmt.Errorf("%s: %d of %d files could not be read; first: %w", t.path, failed, len(t.files), first)
	}
	fmt.Fprintf(stdout, "%s: read %d files (%s) into the mount's cache\n", t.path, nread.Load(), humanize.IBytes(uint64(done.Load())))
	return nil
}

func readFile(path string, buf []byte) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.CopyBuffer(io.Discard, onlyReader{f}, buf)
}

// onlyReader hides WriterTo/ReaderFrom so CopyBuffer uses buf rather than its own.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
