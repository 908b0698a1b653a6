package writeback

import (
	"math/rand/v2"

	"github.com/aisfs/aisfs/aisclient"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// op is one step applied to a File and to a local reference file alike.
type op struct {
	kind byte // 'w' write n bytes at off, 't' truncate to off, 'i' wait for the uploader
	off  int64
	n    int
}

func wr(off int64, n int) op { return op{kind: 'w', off: off, n: n} }
func tr(size int64) op       { return op{kind: 't', off: size} }

var idle = op{kind: 'i'}

// TestNonSequential checks writes at any offset, holes and truncates against a local
// reference file, and that streaming stops only when bytes it sent change.
func TestNonSequential(t *testing.T) {
	const C = testChunk
	c := newClient(t)
	bck := newBucket(t, c)
	for _, streamPut := range []bool{false, true} {
		t.Run(map[bool]string{false: "appends", true: "streaming PUT"}[streamPut], func(t *testing.T) {
			testNonSequential(t, c, bck, streamPut)
		})
	}
}

func testNonSequential(t *testing.T, c *aisclient.Client, bck aisclient.Bck, streamPut bool) {
	const C = testChunk
	m, _ := newManager(t, c, func(cfg *Config) { cfg.NoStreamPut = !streamPut })
	tests := []struct {
		name   string
		ops    []op
		method Method // MethodNone: either
	}{
		{"rewrite after streaming", []op{wr(0, 3*C), idle, wr(100, 10)}, MethodPut},
		{"rewrite the last piece", []op{wr(0, 3*C+7), idle, wr(3*C+2, 3)}, MethodAppend},
		{"hole then fill", []op{wr(0, C/2), wr(C, C), wr(C/2, C/2), idle}, MethodAppend},
		{"beyond the end", []op{wr(5*C, 10)}, MethodPut},
		{"overwrite before sent", []op{wr(0, C/2), wr(0, 100), wr(C/2, C), idle}, MethodAppend},
		{"truncate below streamed", []op{wr(0, 3*C), idle, tr(C / 2), wr(C/2, 1000)}, MethodPut},
		{"truncate grow", []op{wr(0, 10), tr(2*C + 5), wr(2*C+5, 7), idle}, MethodAppend},
		{"truncate within unsent", []op{wr(0, C+500), idle, tr(C + 100), wr(C+100, 50)}, MethodAppend},
		{"random", randomOps(7, 4*C, 300), MethodNone},
		{"random small", randomOps(8, C/2, 100), MethodPut},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := objectName(t)
			ref, err := os.Create(filepath.Join(t.TempDir(), "ref"))
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			for k, o := range tt.ops {
				switch o.kind {
				case 'w':
					data := randBytes(uint64(i*1000+k), o.n)
					if _, err := ref.WriteAt(data, o.off); err != nil {
						t.Fatal(err)
					}
					writeSeq(t, f, o.off, data, 256<<10)
				case 't':
					if err := ref.Truncate(o.off); err != nil {
						t.Fatal(err)
					}
					if err := f.Truncate(o.off); err != nil {
						t.Fatalf("Truncate(%d): %v", o.off, err)
					}
				case 'i':
					waitIdle(f)
				}
			}
			want, err := os.ReadFile(ref.Name())
			if err != nil {
				t.Fatal(err)
			}
			checkBytes(t, "ReadAt", readAll(t, f), want)
			mustClose(t, f)
			checkBytes(t, "object", getObject(t, c, bck, name), want)
			// A streaming PUT replaces the appends; the rest stays.
			if got := f.LastSync().Method; tt.method != MethodNone && got != tt.method && !(streamPut && got == MethodPut) {
				t.Errorf("went up by %v, want %v", got, tt.method)
			}
		})
	}
}

// randomOps makes n writes and truncates within [0, span).
func randomOps(seed uint64, span int64, n int) []op {
	r := rand.New(rand.NewPCG(seed, seed))
	ops := make([]op, 0, n)
	for range n {
		switch r.IntN(10) {
		case 0:
			ops = append(ops, tr(r.Int64N(span)))
		case 1:
			ops = append(ops, idle)
		default:
			ops = append(ops, wr(r.Int64N(span), 1+r.IntN(int(min(span/4, 300<<10)))))
		}
	}
	return ops
}

// TestConcurrentAccess: writers fill interleaved blocks in random order while readers
// read and the uploader streams; run it with -race.
func TestConcurrentAccess(t *testing.T) {
	const (
		block   = 64 << 10
		size    = 4*testChunk + 3*block
		writers = 8
	)
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	name := objectName(t)
	want := randBytes(42, size)
	f := open(t, m, bck, name, Truncate, OpenOptions{})

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range writers {
		wg.Go(func() {
			var blocks []int
			for b := g; b*block < size; b += writers {
				blocks = append(blocks, b)
			}
			r := rand.New(rand.NewPCG(uint64(g), 1))
			r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
			for _, b := range blocks {
				off := b * block
				end := min(off+block, size)
				if _, err := f.WriteAt(want[off:end], int64(off)); err != nil {
					t.Errorf("WriteAt(%d): %v", off, err)
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for g := range 2 {
		readers.Go(func() {
			r := rand.New(rand.NewPCG(uint64(100+g), 2))
			buf := make([]byte, 3*block)
			for {
				select {
				case <-stop:
					return
				default:
				}
				off := r.IntN(size)
				n, _ := f.ReadAt(buf, int64(off))
				for i, b := range buf[:n] {
					if b != 0 && b != want[off+i] { // not yet written reads as zero
						t.Errorf("ReadAt(%d): byte %d = %#x, want 0 or %#x", off, off+i, b, want[off+i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	checkBytes(t, "ReadAt", readAll(t, f), want)
	mustClose(t, f)
	checkBytes(t, "object", getObject(t, c, bck, name), want)
}
