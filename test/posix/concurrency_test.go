package posix

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"sync"
	"testing"
)

// Sizes the writers cycle through: empty, tiny, around a page and a cache block, and past the
// 8 MiB append piece, so both one-PUT and streamed uploads run at once.
var concurrentSizes = []int{0, 1, 4095, 64 << 10, 1<<20 + 17, 3 << 20, 9<<20 + 5}

const (
	concurrentWriters = 16
	concurrentFiles   = 6 // per writer
	concurrentReaders = 4
)

// concurrentContent is file i of writer w, the same on every run.
func concurrentContent(w, i int) []byte {
	b := make([]byte, concurrentSizes[(w+i)%len(concurrentSizes)])
	mrand.NewChaCha8([32]byte{byte(w), byte(i), 'c'}).Read(b)
	return b
}

// writeConcurrent writes data to path in pieces of varying size; every third file is written
// back half first, so it cannot be streamed and goes up with one PUT at close.
func writeConcurrent(path string, data []byte, rng *mrand.Rand, backwards bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	write := func(off, end int) error {
		for off < end {
			n := min(end-off, 1+rng.IntN(256<<10))
			if _, err := f.WriteAt(data[off:off+n], int64(off)); err != nil {
				return err
			}
			off += n
		}
		return nil
	}
	half := len(data) / 2
	if backwards {
		err = firstErr(write(half, len(data)), write(0, half))
	} else {
		err = write(0, len(data))
	}
	return firstErr(err, f.Close())
}

// TestConcurrentWritersAndReaders: 16 writers of mixed sizes and 4 readers at once through one
// mount. A reader that opens a file after its writer's close returned must read exactly what was
// written (close-to-open), and after unmount every object in AIS, read straight from AIS, is
// byte-exact, with nothing extra.
func TestConcurrentWritersAndReaders(t *testing.T) {
	e := newEnv(t, "", "--log-level", "info")
	for d := range 4 {
		if err := os.Mkdir(e.path(fmt.Sprintf("d%d", d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	name := func(w, i int) string { return fmt.Sprintf("d%d/w%02d-f%d", w%4, w, i) }

	var (
		mu     sync.Mutex
		closed []string // files whose writer's close returned 0
		want   = map[string][sha256.Size]byte{}
		done   = make(chan struct{})
		errs   = make(chan error, concurrentWriters+concurrentReaders)
		writes sync.WaitGroup
		reads  sync.WaitGroup
	)
	for w := range concurrentWriters {
		for i := range concurrentFiles {
			want[name(w, i)] = sha256.Sum256(concurrentContent(w, i))
		}
	}
	for w := range concurrentWriters {
		writes.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(w), 1))
			for i := range concurrentFiles {
				n := name(w, i)
				if err := writeConcurrent(e.path(n), concurrentContent(w, i), rng, (w+i)%3 == 0); err != nil {
					errs <- fmt.Errorf("writer %d: %s: %w", w, n, err)
					return
				}
				mu.Lock()
				closed = append(closed, n)
				mu.Unlock()
			}
		})
	}
	var readsDone [concurrentReaders]int
	for r := range concurrentReaders {
		reads.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(r), 2))
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := os.ReadDir(e.path(fmt.Sprintf("d%d", rng.IntN(4)))); err != nil {
					errs <- fmt.Errorf("reader %d: readdir: %w", r, err)
					return
				}
				mu.Lock()
				n := ""
				if len(closed) > 0 {
					n = closed[rng.IntN(len(closed))]
				}
				mu.Unlock()
				if n == "" {
					continue
				}
				h := sha256.New()
				f, err := os.Open(e.path(n))
				if err == nil {
					_, err = io.Copy(h, f)
					f.Close()
				}
				if err != nil {
					errs <- fmt.Errorf("reader %d: %s: %w", r, n, err)
					return
				}
				if got := [sha256.Size]byte(h.Sum(nil)); got != want[n] {
					errs <- fmt.Errorf("reader %d: %s: read other bytes than its writer closed", r, n)
					return
				}
				readsDone[r]++
			}
		})
	}
	writes.Wait()
	close(done)
	reads.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	t.Logf("reads of closed files: %v", readsDone)

	if err := e.stop(t); err != nil {
		t.Fatalf("aisfs exit: %v", err)
	}
	ents, _, err := e.c.ListObjects(t.Context(), e.bck, aisListAll)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(want) {
		t.Errorf("AIS holds %d objects, want %d", len(ents), len(want))
	}
	for n, sum := range want {
		got := e.object(t, n)
		if sha256.Sum256(got) != sum {
			w, i := 0, 0
			fmt.Sscanf(n[3:], "w%02d-f%d", &w, &i)
			exp := concurrentContent(w, i)
			k := 0
			for k < len(got) && k < len(exp) && got[k] == exp[k] {
				k++
			}
			t.Errorf("%s: AIS holds %d bytes, want %d; first difference at byte %d (equal: %v)", n, len(got), len(exp), k, bytes.Equal(got, exp))
		}
	}
}
