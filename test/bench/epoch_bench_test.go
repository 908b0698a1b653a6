package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dustin/go-humanize"
)

// Issue 11's workload: a 2 GiB data set (64 objects of 32 MiB) read in two epochs, each through
// its own fresh mount with drop_caches before it, so epoch 2 gets nothing from the kernel or
// the daemon's memory: once with the product's defaults and once with --disk-cache (a fresh
// directory per run, large enough to hold the data set). The bytes the AIS target served in each
// epoch come from the target's own Prometheus counter, not from aisfs. These figures compare
// epochs of one mount configuration, not aisfs to a direct client, so they have their own table.

const (
	epochReaders = 4
	epochObject  = 32 << 20
)

func epochObjects() (string, []obj, int64) {
	total := int64(envInt("AISFS_BENCH_EPOCH_DATA", 2<<30))
	size := min(int64(epochObject), total)
	n := int(max(1, total/size))
	prefix := fmt.Sprintf("epochs-%dx%d/", n, size)
	objs := make([]obj, n)
	for i := range objs {
		objs[i] = obj{name: fmt.Sprintf("%so%04d", prefix, i), k: 30_000_000 + uint64(i), size: size}
	}
	return prefix, objs, int64(n) * size
}

// epochRow is one epoch of one configuration.
type epochRow struct {
	order  int
	cache  string
	epoch  int
	first  *epochRow // epoch 1 of the same configuration; nil in epoch 1
	tput   []float64 // MB/s
	served []float64 // bytes the target served for GETs in the epoch (mount to unmount)
	rss    []float64
	cpu    []float64
}

var (
	epochRows  []*epochRow
	epochTitle string
	epochData  int64
)

// BenchmarkDiskCacheEpochs: MB/s and target bytes of epoch 1 and of epoch 2 after a remount.
func BenchmarkDiskCacheEpochs(b *testing.B) {
	if !once(b) {
		return
	}
	e := newEnv(b)
	prefix, objs, total := epochObjects()
	e.ensure(b, prefix, objs)
	cacheSize := max(int64(4<<30), 2*total)
	cacheSize = (cacheSize + 1<<20 - 1) &^ (1<<20 - 1)
	configs := []struct {
		name  string
		flags func(dir string) []string
	}{
		{"off", nil},
		{"on, " + sizeName(cacheSize), func(dir string) []string {
			return []string{"--disk-cache", dir, "--disk-cache-size", fmt.Sprintf("%dMiB", cacheSize>>20)}
		}},
	}
	tableMu.Lock()
	epochTitle = fmt.Sprintf("%s in %d × %s objects, %d readers in 1 MiB reads, each epoch a fresh mount after drop_caches",
		sizeName(total), len(objs), sizeName(objs[0].size), epochReaders)
	epochData = total
	rows := make([][2]*epochRow, len(configs))
	for c, cf := range configs {
		first := &epochRow{order: 2 * c, cache: cf.name, epoch: 1}
		rows[c] = [2]*epochRow{first, {order: 2*c + 1, cache: cf.name, epoch: 2, first: first}}
		epochRows = append(epochRows, rows[c][:]...)
	}
	tableMu.Unlock()

	fns := make([]func(), len(configs))
	for run := range runs() {
		for c, cf := range configs {
			fns[c] = func() {
				var flags []string
				if cf.flags != nil {
					dir, err := os.MkdirTemp("", "aisfs-bench-diskcache-")
					if err != nil {
						b.Fatal(err)
					}
					defer os.RemoveAll(dir)
					flags = cf.flags(dir)
				}
				for ep, r := range rows[c] {
					e.epoch(b, r, fmt.Sprintf("%s.run%d.cache%d.epoch%d", b.Name(), run, c, ep+1), objs, total, flags)
				}
			}
		}
		inOrder(run, fns...)
	}
}

// epoch is one cold epoch through a fresh mount; the target's served bytes are counted from
// before the mount to after the unmount, so reads still in flight at the end are counted too.
func (e *env) epoch(b *testing.B, r *epochRow, lbl string, objs []obj, total int64, flags []string) {
	b.Helper()
	ctx := context.Background()
	dropCaches(b)
	served0 := e.targetGetBytes(ctx, b)
	m := e.startMount(b, lbl, flags...)
	cpu0 := m.cpuSeconds(b)
	t0 := time.Now()
	err := parallelBuf(epochReaders, len(objs), 1<<20, func(i int, buf []byte) error {
		return readFileVerify(filepath.Join(m.dir, objs[i].name), objs[i], buf)
	})
	dt := time.Since(t0).Seconds()
	if err != nil {
		b.Fatalf("aisfs, disk cache %s, epoch %d: %v", r.cache, r.epoch, err)
	}
	cpu, rss := m.cpuSeconds(b)-cpu0, m.peakRSS(b)
	m.stop()
	served := e.targetGetBytes(ctx, b) - served0
	tableMu.Lock()
	r.tput = append(r.tput, float64(total)/1e6/dt)
	r.served = append(r.served, served)
	r.rss = append(r.rss, rss)
	r.cpu = append(r.cpu, cpu)
	tableMu.Unlock()
	b.Logf("disk cache %s, epoch %d: %.0f MB/s, target served %s", r.cache, r.epoch, float64(total)/1e6/dt,
		humanize.IBytes(uint64(max(0, served))))
}

// targetGetBytes is the target's ais_target_get_bytes (object bytes served to GETs, all
// buckets, summed over its labels; Prometheus prints it as a float such as 3.001e+06). The
// target shows the counter only once it has moved, so none means 0.
func (e *env) targetGetBytes(ctx context.Context, b *testing.B) float64 {
	b.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.d.target+"/metrics", nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := e.d.hc.Do(req)
	if err != nil {
		b.Fatalf("target metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("target metrics: %s", resp.Status)
	}
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, _, _ := strings.Cut(line, "{")
		if name != "ais_target_get_bytes" && !strings.HasPrefix(line, "ais_target_get_bytes ") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			b.Fatalf("target metric line %q: %v", line, err)
		}
		sum += v
	}
	if err := sc.Err(); err != nil {
		b.Fatalf("target metrics: %v", err)
	}
	return sum
}

// epochTable is the disk-cache table's cells, or nil when the workload did not run.
func epochTable() (string, [][]string) {
	tableMu.Lock()
	defer tableMu.Unlock()
	if len(epochRows) == 0 {
		return "", nil
	}
	rows := append([]*epochRow(nil), epochRows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].order < rows[j].order })
	cells := [][]string{{"disk cache", "epoch", "aisfs", "÷ epoch 1", "AIS target served",
		"of the data", "aisfs peak RSS", "aisfs CPU"}}
	for _, r := range rows {
		tput := &row{unit: "MB/s"}
		ratio := "–"
		if r.first != nil {
			tput.aisfs = r.tput
			ratio = tput.ratio(r.first.tput)
		}
		served, share := "–", "–"
		if m, ok := median(r.served); ok {
			served = humanize.IBytes(uint64(max(0, m)))
			share = fmt.Sprintf("%.1f%%", 100*m/float64(epochData))
		}
		cells = append(cells, []string{r.cache, strconv.Itoa(r.epoch), tput.figure(r.tput), ratio, served,
			share, mib(r.rss), seconds(r.cpu)})
	}
	return epochTitle, cells
}
