package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/cache/disk"
	"github.com/aisfs/aisfs/writeback"
)

const namespace = "aisfs"

// Metrics holds a mount's metrics. All methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests   *prometheus.CounterVec   // op, code
	failures   *prometheus.CounterVec   // op
	duration   *prometheus.HistogramVec // op, class
	sentBytes  *prometheus.CounterVec   // op
	recvBytes  *prometheus.CounterVec   // op
	readBytes  prometheus.Counter
	writeBytes prometheus.Counter
	fsErrors   *prometheus.CounterVec // op, errno
	cacheStats *statsCollector[cache.Stats]
	writeStats *statsCollector[writeback.Stats]
	diskStats  *statsCollector[disk.Stats]
	batchStats *statsCollector[BatchReads]
}

// New returns Metrics with its own registry, the Go runtime and process collectors included.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "requests_total",
			Help: "AIS requests by client op and HTTP status code of the last attempt (none: no response).",
		}, []string{"op", "code"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "request_failures_total",
			Help: "AIS requests that returned an error to their caller, after retries.",
		}, []string{"op"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "request_duration_seconds",
			Help:    "AIS request latency, retries included, by op and status class.",
			Buckets: durationBuckets,
		}, []string{"op", "class"}),
		sentBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "request_sent_bytes_total",
			Help: "Request body bytes sent to AIS.",
		}, []string{"op"}),
		recvBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "request_received_bytes_total",
			Help: "Response body bytes received from AIS.",
		}, []string{"op"}),
		readBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "object_read_bytes_total",
			Help: "Object bytes received from AIS (GetRange, GetObject, GetBatch).",
		}),
		writeBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "object_written_bytes_total",
			Help: "Object bytes sent to AIS (PutObject, Append).",
		}),
		fsErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "fs_errors_total",
			Help: "Failed filesystem operations by op and errno.",
		}, []string{"op", "errno"}),
		cacheStats: newCacheCollector(),
		writeStats: newWritebackCollector(),
		diskStats:  newDiskCacheCollector(),
		batchStats: newBatchReadsCollector(),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.failures, m.duration, m.sentBytes, m.recvBytes, m.readBytes, m.writeBytes,
		m.fsErrors, m.cacheStats, m.writeStats, m.diskStats, m.batchStats,
	)
	return m
}

// Registry returns the registry, for callers that add metrics of their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text (or negotiated) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// WatchCache reads stats (cache.Cache.Stats) at every scrape; a later call replaces it.
func (m *Metrics) WatchCache(stats func() cache.Stats) { m.cacheStats.watch(stats) }

// WatchWriteback reads stats (writeback.Manager.Stats) at every scrape; a later call
// replaces it.
func (m *Metrics) WatchWriteback(stats func() writeback.Stats) { m.writeStats.watch(stats) }

// WatchDiskCache reads stats (disk.Cache.Stats) at every scrape; a later call replaces it.
func (m *Metrics) WatchDiskCache(stats func() disk.Stats) { m.diskStats.watch(stats) }
