package metrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/writeback"
)

// statsCollector turns a Stats snapshot function into metrics. It calls the function once
// per scrape, so every value of one scrape comes from the same snapshot.
type statsCollector[S any] struct {
	stats   atomic.Pointer[func() S] // nil until watched
	metrics []statMetric[S]
}

type statMetric[S any] struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(S) int64
}

func counter[S any](name, help string, v func(S) int64) statMetric[S] {
	return statMetric[S]{prometheus.NewDesc(namespace+"_"+name, help, nil, nil), prometheus.CounterValue, v}
}

func gauge[S any](name, help string, v func(S) int64) statMetric[S] {
	return statMetric[S]{prometheus.NewDesc(namespace+"_"+name, help, nil, nil), prometheus.GaugeValue, v}
}

func (c *statsCollector[S]) watch(stats func() S) {
	if stats == nil {
		c.stats.Store(nil)
		return
	}
	c.stats.Store(&stats)
}

func (c *statsCollector[S]) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.metrics {
		ch <- m.desc
	}
}

// Collect sends nothing until a stats function is watched: a mount without a write-back
// manager has no writeback metrics rather than zeros.
func (c *statsCollector[S]) Collect(ch chan<- prometheus.Metric) {
	fn := c.stats.Load()
	if fn == nil {
		return
	}
	s := (*fn)()
	for _, m := range c.metrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.typ, float64(m.value(s)))
	}
}

func newCacheCollector() *statsCollector[cache.Stats] {
	type S = cache.Stats
	return &statsCollector[S]{metrics: []statMetric[S]{
		counter("cache_hits_total", "Block lookups served from the cache.", func(s S) int64 { return s.Hits }),
		counter("cache_misses_total", "Block lookups that started or joined a fetch.", func(s S) int64 { return s.Misses }),
		counter("cache_evictions_total", "Blocks dropped to stay within the cache size.", func(s S) int64 { return s.Evictions }),
		counter("cache_fetches_total", "Fetches from AIS (blocks and uncached small reads).", func(s S) int64 { return s.Fetches }),
		counter("cache_fetched_bytes_total", "Bytes those fetches returned.", func(s S) int64 { return s.FetchBytes }),
		counter("cache_bypass_reads_total", "Small random reads fetched exactly, not cached.", func(s S) int64 { return s.BypassReads }),
		counter("cache_readaheads_total", "Readahead fetches scheduled.", func(s S) int64 { return s.Readaheads }),
		gauge("cache_bytes", "Bytes of cached blocks.", func(s S) int64 { return s.Bytes }),
		gauge("cache_blocks", "Cached blocks.", func(s S) int64 { return s.Blocks }),
		gauge("cache_inflight_bytes", "Bytes reserved by fetches not yet finished.", func(s S) int64 { return s.InFlight }),
	}}
}

func newWritebackCollector() *statsCollector[writeback.Stats] {
	type S = writeback.Stats
	return &statsCollector[S]{metrics: []statMetric[S]{
		gauge("writeback_open_files", "Files open for writing.", func(s S) int64 { return int64(s.OpenFiles) }),
		gauge("writeback_dirty_files", "Open files with content not yet durable in AIS.", func(s S) int64 { return int64(s.DirtyFiles) }),
		gauge("writeback_uploads_inflight", "Upload requests (append, flush, PUT) in flight.", func(s S) int64 { return s.Uploads }),
		gauge("writeback_inflight_bytes", "Bytes held by upload requests in flight.", func(s S) int64 { return s.InFlightBytes }),
		gauge("writeback_staging_bytes", "Bytes in local staging files.", func(s S) int64 { return s.StagingBytes }),
		counter("writeback_uploaded_bytes_total", "Content bytes AIS acknowledged.", func(s S) int64 { return s.BytesUploaded }),
		counter("writeback_failed_files_total", "Files whose upload failed for good (staging file kept).", func(s S) int64 { return s.FailedFiles }),
	}}
}
