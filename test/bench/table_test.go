package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// The table: every benchmark adds its runs' figures to a row; TestMain prints the medians once
// all benchmarks are done, so `make bench` ends with one table of every workload.

// row is one workload. Throughputs are "higher is better"; times (listings) are not, and their
// ratio is inverted so that a ratio above 1 always means aisfs did better than the direct client.
type row struct {
	order    int
	workload string
	unit     string
	time     bool // the figures are seconds
	proxy    []float64
	target   []float64
	aisfs    []float64
	rss      []float64 // daemon VmHWM, bytes
	cpu      []float64 // daemon utime+stime in the timed part, seconds
}

var (
	tableMu sync.Mutex
	table   = map[string]*row{}
	started = time.Now()
)

// result returns the row for a workload, made on first use.
func result(order int, workload, unit string) *row {
	tableMu.Lock()
	defer tableMu.Unlock()
	r := table[workload]
	if r == nil {
		r = &row{order: order, workload: workload, unit: unit, time: unit == "s"}
		table[workload] = r
	}
	return r
}

func (r *row) add(dst *[]float64, v float64) {
	tableMu.Lock()
	*dst = append(*dst, v)
	tableMu.Unlock()
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

func (r *row) figure(v []float64) string {
	m, ok := median(v)
	if !ok {
		return "–"
	}
	switch {
	case r.time:
		return fmt.Sprintf("%.2f s", m)
	case m >= 100:
		return fmt.Sprintf("%.0f %s", m, r.unit)
	default:
		return fmt.Sprintf("%.1f %s", m, r.unit)
	}
}

func (r *row) ratio(direct []float64) string {
	d, ok1 := median(direct)
	a, ok2 := median(r.aisfs)
	if !ok1 || !ok2 || d == 0 || a == 0 {
		return "–"
	}
	if r.time {
		return fmt.Sprintf("%.2f", d/a)
	}
	return fmt.Sprintf("%.2f", a/d)
}

func mib(v []float64) string {
	m, ok := median(v)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", m/(1<<20))
}

func seconds(v []float64) string {
	m, ok := median(v)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2f s", m)
}

// printTable prints the table to stdout and, when AISFS_BENCH_OUT names a file, there too.
func printTable() {
	tableMu.Lock()
	rows := make([]*row, 0, len(table))
	for _, r := range table {
		rows = append(rows, r)
	}
	tableMu.Unlock()
	diskTitle, diskCells := epochTable()
	if len(rows) == 0 && diskCells == nil {
		return
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].order < rows[j].order })
	cells := [][]string{{"workload", "direct via proxy", "direct to target", "aisfs", "aisfs ÷ proxy",
		"aisfs ÷ target", "aisfs peak RSS", "aisfs CPU"}}
	for _, r := range rows {
		cells = append(cells, []string{r.workload, r.figure(r.proxy), r.figure(r.target), r.figure(r.aisfs),
			r.ratio(r.proxy), r.ratio(r.target), mib(r.rss), seconds(r.cpu)})
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\naisfs benchmarks, %s, %d cold run(s) per cell (median), %d CPUs, %s, took %s\n",
		started.UTC().Format("2006-01-02 15:04 MST"), runs(), runtime.NumCPU(), runtime.Version(),
		time.Since(started).Round(time.Second))
	if f := os.Getenv("AISFS_BENCH_FLAGS"); f != "" {
		fmt.Fprintf(&sb, "extra mount flags (AISFS_BENCH_FLAGS): %s\n", f)
	} else {
		fmt.Fprintf(&sb, "mount flags: the defaults\n")
	}
	if len(rows) > 0 {
		sb.WriteString("ratios: > 1 means aisfs did better (throughputs: aisfs / direct; times: direct time / aisfs time)\n\n")
		writeAligned(&sb, cells)
	}
	if diskCells != nil {
		fmt.Fprintf(&sb, "\ndisk cache (issue 11): %s; \"AIS target served\" is the target's ais_target_get_bytes over the epoch\n\n", diskTitle)
		writeAligned(&sb, diskCells)
	}
	fmt.Print(sb.String())
	if p := os.Getenv("AISFS_BENCH_OUT"); p != "" {
		// With BENCH_STATE elsewhere, a fresh tree has no .state of its own yet.
		err := os.MkdirAll(filepath.Dir(p), 0o755)
		if err == nil {
			err = os.WriteFile(p, []byte(sb.String()), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: write table:", err)
		}
	}
}

// writeAligned writes cells as a markdown table whose columns line up in a terminal.
func writeAligned(w io.Writer, cells [][]string) {
	width := make([]int, len(cells[0]))
	for _, line := range cells {
		for i, c := range line {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	pad := func(s string, n int, right bool) string {
		gap := strings.Repeat(" ", n-len([]rune(s)))
		if right {
			return gap + s
		}
		return s + gap
	}
	for li, line := range cells {
		fmt.Fprint(w, "|")
		for i, c := range line {
			fmt.Fprintf(w, " %s |", pad(c, width[i], i > 0 && li > 0))
		}
		fmt.Fprintln(w)
		if li == 0 {
			fmt.Fprint(w, "|")
			for i := range line {
				dashes := strings.Repeat("-", width[i])
				if i > 0 {
					dashes = strings.Repeat("-", width[i]-1) + ":"
				}
				fmt.Fprintf(w, " %s |", dashes)
			}
			fmt.Fprintln(w)
		}
	}
}
