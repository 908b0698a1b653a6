package metrics

// BatchReads are the counters of a mount's batched small-file reads (AIS GetBatch), in the
// terms this package shows them; the caller adapts its own (fs.BatchStats) to them, so metrics
// needs nothing of the filesystem.
type BatchReads struct {
	Requests int64 // GetBatch requests sent
	Fetched  int64 // files a batch put in the block cache
	Opened   int64 // opens of files a batch had fetched or was fetching
}

func newBatchReadsCollector() *statsCollector[BatchReads] {
	type S = BatchReads
	return &statsCollector[S]{metrics: []statMetric[S]{
		counter("batch_requests_total", "GetBatch requests sent for files a directory read in listing order was about to open.", func(s S) int64 { return s.Requests }),
		counter("batch_fetched_files_total", "Files those requests put in the block cache.", func(s S) int64 { return s.Fetched }),
		counter("batch_opened_files_total", "Opens of files a batch had fetched or was fetching (the batches' use).", func(s S) int64 { return s.Opened }),
	}}
}

// WatchBatchReads reads stats at every scrape; a later call replaces it. A mount that never
// calls it (batched reads off) shows no batch metrics.
func (m *Metrics) WatchBatchReads(stats func() BatchReads) { m.batchStats.watch(stats) }
