package writeback

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) { aiscluster.Main(m) }

// testChunk is the ChunkSize of test Managers: small, so multi-chunk files stay small.
const testChunk = 1 << 20

// newClient returns a client of the shared real cluster, or of endpoint when given.
func newClient(t testing.TB, endpoint ...string) *aisclient.Client {
	t.Helper()
	// A short op budget: fault tests fail every upload, and the probe is retried until it is spent.
	cfg := aisclient.Config{RetryBackoff: time.Millisecond, OpTimeout: 5 * time.Second}
	if len(endpoint) > 0 {
		cfg.Endpoint = endpoint[0]
	} else {
		cfg.Endpoint = aiscluster.Endpoint(t)
	}
	c, err := aisclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

var bucketSeq atomic.Int64

// newBucket creates a fresh ais bucket for one test and destroys it afterwards.
func newBucket(t testing.TB, c *aisclient.Client) aisclient.Bck {
	t.Helper()
	bck := aisclient.Bck{Name: fmt.Sprintf("writeback-%d-%d", os.Getpid(), bucketSeq.Add(1))}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatalf("CreateBucket(%s): %v", bck, err)
	}
	t.Cleanup(func() {
		if err := c.DestroyBucket(context.Background(), bck); err != nil {
			t.Errorf("DestroyBucket(%s): %v", bck, err)
		}
	})
	return bck
}

// newManager returns a Manager over store with a 1 MiB chunk in a temp dir; mod adjusts
// the config. Its logs go to the returned recorder (and to stderr under -v).
func newManager(t testing.TB, store Store, mod func(*Config)) (*Manager, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	cfg := Config{Dir: t.TempDir(), ChunkSize: testChunk, MaxInFlight: 8 * testChunk, Logger: slog.New(rec),
		OpTimeout: time.Minute, Backoff: 10 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	m, err := NewManager(cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Shutdown(context.Background()); err != nil {
			t.Logf("Shutdown: %v", err)
		}
	})
	return m, rec
}

// objectName gives each (sub)test its own object.
func objectName(t testing.TB) string { return "dir/" + t.Name() + ".bin" }

func open(t testing.TB, m *Manager, bck aisclient.Bck, name string, mode Mode, opts OpenOptions) *File {
	t.Helper()
	f, err := m.Open(t.Context(), bck, name, mode, opts)
	if err != nil {
		t.Fatalf("Open(%s, %v): %v", name, mode, err)
	}
	return f
}

// getObject reads a whole object.
func getObject(t testing.TB, c *aisclient.Client, bck aisclient.Bck, name string) []byte {
	t.Helper()
	rc, _, err := c.GetObject(t.Context(), bck, name)
	if err != nil {
		t.Fatalf("GetObject(%s): %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return b
}

func putObject(t testing.TB, c *aisclient.Client, bck aisclient.Bck, name string, data []byte) {
	t.Helper()
	if _, err := c.PutObject(t.Context(), bck, name, bytes.NewReader(data), int64(len(data)), aisclient.PutOptions{}); err != nil {
		t.Fatalf("PutObject(%s): %v", name, err)
	}
}

// randBytes returns n bytes from a PRNG seeded with seed.
func randBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	fillRand(seed, b)
	return b
}

func fillRand(seed uint64, b []byte) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for ; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
}

// writeSeq writes data at off in pieces of at most piece bytes.
func writeSeq(t testing.TB, f *File, off int64, data []byte, piece int) {
	t.Helper()
	for len(data) > 0 {
		n := min(piece, len(data))
		if k, err := f.WriteAt(data[:n], off); err != nil || k != n {
			t.Fatalf("WriteAt(%d bytes at %d) = %d, %v", n, off, k, err)
		}
		off += int64(n)
		data = data[n:]
	}
}

// readAll reads a File's whole content through ReadAt.
func readAll(t testing.TB, f *File) []byte {
	t.Helper()
	b := make([]byte, f.Size())
	n, err := f.ReadAt(b, 0)
	if err != nil && err != io.EOF || n != len(b) {
		t.Fatalf("ReadAt(all %d) = %d, %v", len(b), n, err)
	}
	return b
}

// waitIdle waits until f's background uploader has nothing left to do.
func waitIdle(f *File) {
	f.mu.Lock()
	for f.uploading {
		done := f.upDone
		f.mu.Unlock()
		<-done
		f.mu.Lock()
	}
	f.mu.Unlock()
}

// chainSent is how much the unfinished append chain holds (0 without one).
func chainSent(f *File) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.chain.active {
		return 0
	}
	return f.chain.sent
}

func mustClose(t testing.TB, f *File) {
	t.Helper()
	if err := f.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func checkBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s: %d bytes, want %d; first difference at offset %d", what, len(got), len(want), i)
}

// stagingFiles lists the staging files under dir.
func stagingFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// logRecorder is a slog.Handler keeping every record, for tests that check what is logged.
type logRecorder struct {
	mu   sync.Mutex
	recs []map[string]string // "msg" and "level", plus each attribute
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{"msg": r.Message, "level": r.Level.String()}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	if testing.Verbose() {
		fmt.Fprintln(os.Stderr, "log:", m)
	}
	l.mu.Lock()
	l.recs = append(l.recs, m)
	l.mu.Unlock()
	return nil
}

// find returns the records whose message contains msg.
func (l *logRecorder) find(msg string) []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]string
	for _, r := range l.recs {
		if strings.Contains(r["msg"], msg) {
			out = append(out, r)
		}
	}
	return out
}

// countingStore counts the requests a Manager makes.
type countingStore struct {
	Store
	gets, puts, appends, flushes atomic.Int64
}

func (s *countingStore) GetObject(ctx context.Context, bck aisclient.Bck, name string) (io.ReadCloser, *aisclient.ObjAttrs, error) {
	s.gets.Add(1)
	return s.Store.GetObject(ctx, bck, name)
}

func (s *countingStore) PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64, opts aisclient.PutOptions) (*aisclient.ObjAttrs, error) {
	s.puts.Add(1)
	return s.Store.PutObject(ctx, bck, name, r, size, opts)
}

func (s *countingStore) AppendFrom(ctx context.Context, bck aisclient.Bck, name, handle string, r io.Reader, size int64) (string, error) {
	s.appends.Add(1)
	return s.Store.AppendFrom(ctx, bck, name, handle, r, size)
}

func (s *countingStore) Flush(ctx context.Context, bck aisclient.Bck, name, handle, ckType, ckValue string) error {
	s.flushes.Add(1)
	return s.Store.Flush(ctx, bck, name, handle, ckType, ckValue)
}

// chainOnly turns the streaming PUT off: new files stream with appends (the tests of the chain).
func chainOnly(c *Config) { c.NoStreamPut = true }

// streamedPuts is how many streaming PUTs f's Manager has started.
func streamedPuts(f *File) int64 { return f.m.Stats().StreamPuts }
