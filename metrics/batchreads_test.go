package metrics

import (
	"strings"
	"testing"
)

// TestBatchReadsScrape: batched-read counters under the aisfs_batch_ names the stats view
// reads, and none of them on a mount that does not watch them (--no-batch-reads).
func TestBatchReadsScrape(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stats *BatchReads
		want  []string
	}{
		{"on", &BatchReads{Requests: 3, Fetched: 190, Opened: 150}, []string{
			`aisfs_batch_requests_total 3`,
			`aisfs_batch_fetched_files_total 190`,
			`aisfs_batch_opened_files_total 150`,
			`# TYPE aisfs_batch_requests_total counter`,
		}},
		{"off", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			if tc.stats != nil {
				m.WatchBatchReads(func() BatchReads { return *tc.stats })
			}
			body := scrape(t, serve(t, m))
			checkLines(t, body, tc.want...)
			if tc.stats == nil && strings.Contains(body, "aisfs_batch_") {
				t.Errorf("batch series with batched reads off:\n%s", grep(body, "aisfs_batch_"))
			}
		})
	}
}
