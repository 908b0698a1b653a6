package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/aisfs/aisfs/control"
)

// runStats prints what the daemon of a mount is doing, from its metrics. The stats come from
// the daemon, so they print even while AIS is down; the command then still fails, saying so.
func runStats(ctx context.Context, o *subOptions, paths []string, stdout, stderr io.Writer) error {
	if len(paths) != 1 {
		return fmt.Errorf("%w: one MOUNTPOINT", errUsage)
	}
	m, _, err := control.FindPath(paths[0])
	if err != nil {
		return err
	}
	c := control.NewClient(m)
	info, err := c.Info(ctx, true)
	if err != nil {
		return err
	}
	raw, err := c.Metrics(ctx)
	if err != nil {
		return err
	}
	if o.raw {
		stdout.Write(raw)
	} else {
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("the daemon's metrics: %w", err)
		}
		printStats(stdout, m, info, fams)
	}
	if info.AISError != "" {
		return fmt.Errorf("AIS at %s does not answer: %s", info.Endpoint, info.AISError)
	}
	return nil
}

type families map[string]*dto.MetricFamily

// sum adds up every series of a family (counters, gauges), optionally only those whose
// label name has value.
func (f families) sum(name string, match ...string) float64 {
	fam := f[name]
	if fam == nil {
		return 0
	}
	var t float64
	for _, m := range fam.Metric {
		if len(match) == 2 && label(m, match[0]) != match[1] {
			continue
		}
		switch {
		case m.Counter != nil:
			t += m.Counter.GetValue()
		case m.Gauge != nil:
			t += m.Gauge.GetValue()
		case m.Untyped != nil:
			t += m.Untyped.GetValue()
		}
	}
	return t
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func ibytes(v float64) string { return humanize.IBytes(uint64(max(v, 0))) }

func printStats(w io.Writer, m control.Mount, info control.Info, f families) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "mount\t%s: %s at %s (pid %d, stat-ttl %s)\n", m.Point, info.Source, info.Endpoint, info.PID, info.StatTTL)

	hits, misses := f.sum("aisfs_cache_hits_total"), f.sum("aisfs_cache_misses_total")
	ratio := ""
	if hits+misses > 0 {
		ratio = fmt.Sprintf(" (%.1f%% hits)", 100*hits/(hits+misses))
	}
	fmt.Fprintf(tw, "cache\t%s in %.0f blocks; %.0f hits, %.0f misses%s; %.0f evictions, %.0f readaheads\n",
		ibytes(f.sum("aisfs_cache_bytes")), f.sum("aisfs_cache_blocks"), hits, misses, ratio,
		f.sum("aisfs_cache_evictions_total"), f.sum("aisfs_cache_readaheads_total"))
	fmt.Fprintf(tw, "data\tread %s from AIS, wrote %s to AIS\n",
		ibytes(f.sum("aisfs_object_read_bytes_total")), ibytes(f.sum("aisfs_object_written_bytes_total")))
	if f["aisfs_writeback_open_files"] != nil {
		fmt.Fprintf(tw, "uploads\t%.0f in flight (%s); %.0f files open for writing, %.0f not yet uploaded; %.0f failed; staging %s\n",
			f.sum("aisfs_writeback_uploads_inflight"), ibytes(f.sum("aisfs_writeback_inflight_bytes")),
			f.sum("aisfs_writeback_open_files"), f.sum("aisfs_writeback_dirty_files"),
			f.sum("aisfs_writeback_failed_files_total"), ibytes(f.sum("aisfs_writeback_staging_bytes")))
	} else {
		fmt.Fprintf(tw, "uploads\tnone (read-only mount)\n")
	}
	if f["aisfs_batch_requests_total"] != nil {
		fmt.Fprintf(tw, "batches\t%.0f GetBatch requests fetched %.0f files; %.0f opens found theirs in a batch\n",
			f.sum("aisfs_batch_requests_total"), f.sum("aisfs_batch_fetched_files_total"), f.sum("aisfs_batch_opened_files_total"))
	}
	fmt.Fprintf(tw, "errors\t%s\n", errnoLine(f["aisfs_fs_errors_total"]))
	printDiskCache(tw, f)
	tw.Flush()
	printRequests(w, f)
}

// errnoLine is "ENOENT 3 (lookup 2, getattr 1); EIO 1 (read 1)", most frequent first.
func errnoLine(fam *dto.MetricFamily) string {
	if fam == nil || len(fam.Metric) == 0 {
		return "none"
	}
	type opCount struct {
		op string
		n  float64
	}
	by := map[string][]opCount{}
	total := map[string]float64{}
	for _, m := range fam.Metric {
		e, n := label(m, "errno"), m.GetCounter().GetValue()
		by[e] = append(by[e], opCount{label(m, "op"), n})
		total[e] += n
	}
	names := make([]string, 0, len(by))
	for e := range by {
		names = append(names, e)
	}
	slices.SortFunc(names, func(a, b string) int {
		if total[a] != total[b] {
			return int(total[b] - total[a])
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, e := range names {
		ops := by[e]
		slices.SortFunc(ops, func(a, b opCount) int { return int(b.n - a.n) })
		var os []string
		for _, o := range ops {
			os = append(os, fmt.Sprintf("%s %.0f", o.op, o.n))
		}
		parts = append(parts, fmt.Sprintf("%s %.0f (%s)", e, total[e], strings.Join(os, ", ")))
	}
	return strings.Join(parts, "; ")
}

// printDiskCache shows every aisfs_disk_cache_* family (the disk cache's, when there is one),
// one line each, summed over its labels.
func printDiskCache(w io.Writer, f families) {
	var names []string
	for n := range f {
		if strings.HasPrefix(n, "aisfs_disk_cache_") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for i, n := range names {
		head := ""
		if i == 0 {
			head = "disk cache"
		}
		v := f.sum(n)
		val := fmt.Sprintf("%.0f", v)
		if strings.HasSuffix(n, "_bytes") || strings.HasSuffix(n, "_bytes_total") {
			val = ibytes(v)
		}
		fmt.Fprintf(w, "%s\t%s %s\n", head, strings.TrimPrefix(n, "aisfs_disk_cache_"), val)
	}
}

// printRequests is a table of AIS requests by op: count, failures, mean and p50/p99 latency
// (bucket bounds of aisfs_request_duration_seconds).
func printRequests(w io.Writer, f families) {
	hist := f["aisfs_request_duration_seconds"]
	if hist == nil || len(hist.Metric) == 0 {
		fmt.Fprintln(w, "requests  none yet")
		return
	}
	type agg struct {
		count  uint64
		sum    float64
		bounds []float64
		cum    []uint64
	}
	ops := map[string]*agg{}
	for _, m := range hist.Metric {
		h := m.GetHistogram()
		op := label(m, "op")
		a := ops[op]
		if a == nil {
			a = &agg{}
			for _, b := range h.Bucket {
				a.bounds = append(a.bounds, b.GetUpperBound())
			}
			a.cum = make([]uint64, len(a.bounds))
			ops[op] = a
		}
		a.count += h.GetSampleCount()
		a.sum += h.GetSampleSum()
		for i, b := range h.Bucket {
			if i < len(a.cum) {
				a.cum[i] += b.GetCumulativeCount()
			}
		}
	}
	names := make([]string, 0, len(ops))
	for op := range ops {
		names = append(names, op)
	}
	slices.SortFunc(names, func(a, b string) int { return int(ops[b].count) - int(ops[a].count) })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	defer tw.Flush()
	fmt.Fprintln(tw, "requests\tcount\tfailed\tmean\tp50\tp99\t")
	for _, op := range names {
		a := ops[op]
		if a.count == 0 {
			continue
		}
		mean := time.Duration(a.sum / float64(a.count) * float64(time.Second))
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t\n", op, a.count, f.sum("aisfs_request_failures_total", "op", op),
			round(mean), quantile(a.bounds, a.cum, a.count, 0.5), quantile(a.bounds, a.cum, a.count, 0.99))
	}
}

// quantile is the upper bound of the first bucket holding the q-th sample, as "≤5ms".
func quantile(bounds []float64, cum []uint64, count uint64, q float64) string {
	want := uint64(math.Ceil(q * float64(count)))
	for i, c := range cum {
		if c >= want {
			return "≤" + round(time.Duration(bounds[i]*float64(time.Second))).String()
		}
	}
	if len(bounds) > 0 {
		return ">" + round(time.Duration(bounds[len(bounds)-1]*float64(time.Second))).String()
	}
	return "?"
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
