package metrics

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/writeback"
)

// serve starts m's endpoint on a free loopback port for the test's life.
func serve(t *testing.T, m *Metrics) string {
	t.Helper()
	addr, err := Serve(t.Context(), "127.0.0.1:0", m.Handler(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// scrape fetches /metrics as Prometheus (or curl) would.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s, %v\n%s", resp.Status, err, body)
	}
	return string(body)
}

// checkLines fails for every wanted line missing from a scrape.
func checkLines(t *testing.T, body string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(body, "\n") {
		have[l] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing line %q", w)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", grep(body, "aisfs_"))
	}
}

func grep(body, substr string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestScrape: what each input becomes, as a user greps it from /metrics.
func TestScrape(t *testing.T) {
	m := New()
	addr := serve(t, m)
	cs := cache.Stats{Hits: 7, Misses: 3, Evictions: 2, Fetches: 4, FetchBytes: 4 << 20, Bytes: 3 << 20, Blocks: 3, InFlight: 1 << 20}
	m.WatchCache(func() cache.Stats { return cs })
	m.WatchWriteback(func() writeback.Stats {
		return writeback.Stats{OpenFiles: 2, DirtyFiles: 1, Uploads: 1, InFlightBytes: 8 << 20,
			BytesUploaded: 12345, StagingBytes: 4096, FailedFiles: 1}
	})
	notFound := errors.New("not found")
	for _, o := range []struct {
		op, method     string
		status         int
		dur            time.Duration
		sent, received int64
		err            error
	}{
		{"GetRange", "GET", 206, 3 * time.Millisecond, 0, 1 << 20, nil},
		{"GetRange", "GET", 206, 40 * time.Millisecond, 0, 1 << 20, nil},
		{"GetObject", "GET", 200, time.Millisecond, 0, 100, nil},
		{"HeadObject", "HEAD", 404, time.Millisecond, 0, 0, notFound},
		{"PutObject", "PUT", 200, time.Second, 5000, 0, nil},
		{"Append", "PUT", 200, 10 * time.Millisecond, 1000, 0, nil},
		{"ListObjects", "GET", 200, 2 * time.Millisecond, 60, 777, nil},
		{"DeleteObject", "DELETE", 0, time.Millisecond, 0, 0, errors.New("connection refused")},
	} {
		m.ObserveRequest(o.op, o.method, o.status, o.dur, o.sent, o.received, o.err)
	}
	m.ObserveErrno("lookup", syscall.ENOENT)
	m.ObserveErrno("lookup", syscall.ENOENT)
	m.ObserveErrno("write", syscall.ENOSPC)
	m.ObserveErrno("read", 0) // not a failure

	body := scrape(t, addr)
	checkLines(t, body,
		`aisfs_requests_total{code="206",op="GetRange"} 2`,
		`aisfs_requests_total{code="404",op="HeadObject"} 1`,
		`aisfs_requests_total{code="none",op="DeleteObject"} 1`,
		`aisfs_request_failures_total{op="HeadObject"} 1`,
		`aisfs_request_failures_total{op="DeleteObject"} 1`,
		`aisfs_request_duration_seconds_count{class="2xx",op="GetRange"} 2`,
		`aisfs_request_duration_seconds_bucket{class="2xx",op="GetRange",le="0.005"} 1`,
		`aisfs_request_duration_seconds_bucket{class="2xx",op="GetRange",le="0.05"} 2`,
		`aisfs_request_duration_seconds_count{class="4xx",op="HeadObject"} 1`,
		`aisfs_request_duration_seconds_count{class="none",op="DeleteObject"} 1`,
		`aisfs_request_received_bytes_total{op="GetRange"} 2.097152e+06`,
		`aisfs_request_received_bytes_total{op="ListObjects"} 777`,
		`aisfs_request_sent_bytes_total{op="PutObject"} 5000`,
		`aisfs_object_read_bytes_total 2.097252e+06`,
		`aisfs_object_written_bytes_total 6000`,
		`aisfs_fs_errors_total{errno="ENOENT",op="lookup"} 2`,
		`aisfs_fs_errors_total{errno="ENOSPC",op="write"} 1`,
		`aisfs_cache_hits_total 7`,
		`aisfs_cache_misses_total 3`,
		`aisfs_cache_evictions_total 2`,
		`aisfs_cache_fetches_total 4`,
		`aisfs_cache_bytes 3.145728e+06`,
		`aisfs_cache_blocks 3`,
		`# TYPE aisfs_cache_hits_total counter`,
		`# TYPE aisfs_cache_bytes gauge`,
		`aisfs_writeback_open_files 2`,
		`aisfs_writeback_dirty_files 1`,
		`aisfs_writeback_uploads_inflight 1`,
		`aisfs_writeback_uploaded_bytes_total 12345`,
		`aisfs_writeback_staging_bytes 4096`,
		`aisfs_writeback_failed_files_total 1`,
	)
	if strings.Contains(body, `op="read"`) {
		t.Error("errno 0 was counted")
	}
	if !strings.Contains(body, "\ngo_goroutines ") || !strings.Contains(body, "\nprocess_resident_memory_bytes ") {
		t.Error("no Go runtime or process metrics")
	}

	// Stats are read at scrape time, not when watched.
	cs.Hits = 8
	checkLines(t, scrape(t, addr), `aisfs_cache_hits_total 8`)
}

// TestUnwatched: without WatchCache/WatchWriteback there are no cache or writeback series
// (rather than misleading zeros), and other metrics still scrape.
func TestUnwatched(t *testing.T) {
	m := New()
	m.ObserveErrno("open", syscall.EACCES)
	body := scrape(t, serve(t, m))
	checkLines(t, body, `aisfs_fs_errors_total{errno="EACCES",op="open"} 1`)
	if strings.Contains(body, "aisfs_cache_") || strings.Contains(body, "aisfs_writeback_") {
		t.Errorf("unwatched stats exported:\n%s", grep(body, "aisfs_"))
	}
}

// TestConcurrent: observations from many goroutines while scraping (run with -race).
func TestConcurrent(t *testing.T) {
	m := New()
	addr := serve(t, m)
	m.WatchCache(func() cache.Stats { return cache.Stats{Hits: 1} })
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				m.ObserveRequest("GetRange", "GET", 206, time.Millisecond, 0, 10, nil)
				m.ObserveErrno("read", syscall.EIO)
			}
		})
	}
	for range 3 {
		scrape(t, addr)
	}
	wg.Wait()
	checkLines(t, scrape(t, addr),
		`aisfs_requests_total{code="206",op="GetRange"} 1600`,
		`aisfs_object_read_bytes_total 16000`,
		`aisfs_fs_errors_total{errno="EIO",op="read"} 1600`,
	)
}

// TestInstances: two Metrics in one process do not share or collide (no global registry).
func TestInstances(t *testing.T) {
	a, b := New(), New()
	a.ObserveErrno("rmdir", syscall.ENOTEMPTY)
	if body := scrape(t, serve(t, b)); strings.Contains(body, "aisfs_fs_errors_total") {
		t.Errorf("b shows a's observation:\n%s", grep(body, "aisfs_"))
	}
	checkLines(t, scrape(t, serve(t, a)), `aisfs_fs_errors_total{errno="ENOTEMPTY",op="rmdir"} 1`)
}

func TestErrnoName(t *testing.T) {
	for _, tc := range []struct {
		errno syscall.Errno
		want  string
	}{
		{syscall.ENOENT, "ENOENT"},
		{syscall.EIO, "EIO"},
		{syscall.EINTR, "EINTR"},
		{syscall.Errno(4000), "errno4000"},
	} {
		if got := errnoName(tc.errno); got != tc.want {
			t.Errorf("errnoName(%d) = %q, want %q", int(tc.errno), got, tc.want)
		}
	}
}
