package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Workload 7, the training loader: 8 worker processes (this test binary re-executed) read a
// shuffled ImageFolder tree, train/class_NNN/img_NNNNN.jpg, 10,240 files of 16-256 KiB, for 2
// epochs, each epoch reshuffled; worker w takes every 8th file of the permutation, one at a time,
// as a DataLoader worker does. The tree is listed first, untimed, as ImageFolder does. The mount
// is fresh and caches are dropped before epoch 1; it stays mounted for epoch 2, so the kernel's
// page cache can serve it. The direct clients GET each object through the proxy or straight
// from the target.

const (
	loaderChildEnv = "AISFS_BENCH_LOADER_CHILD"
	loaderWorkers  = 8
	loaderEpochs   = 2
	loaderClasses  = 80
)

func loaderObjects(n int) (string, []obj) {
	prefix := fmt.Sprintf("loader-%d/", n)
	per := (n + loaderClasses - 1) / loaderClasses
	objs := make([]obj, n)
	for i := range objs {
		objs[i] = obj{
			name: fmt.Sprintf("%strain/class_%03d/img_%05d.jpg", prefix, i/per, i),
			k:    20_000_000 + uint64(i),
			size: 16<<10 + int64(splitmix(uint64(i))%(240<<10+1)),
		}
	}
	return prefix, objs
}

// permutation is the epoch's shuffle, the same in parent and workers.
func permutation(n int, seed uint64) []int {
	return rand.New(rand.NewPCG(seed, 0x5eed)).Perm(n)
}

// BenchmarkLoader: files/s of each epoch.
func BenchmarkLoader(b *testing.B) {
	if !once(b) {
		return
	}
	e := newEnv(b)
	prefix, objs := loaderObjects(envInt("AISFS_BENCH_LOADER_FILES", 10240))
	e.ensure(b, prefix, objs)
	var rows [loaderEpochs]*row
	for ep := range rows {
		rows[ep] = result(7+ep, fmt.Sprintf("loader epoch %d: %d processes, shuffled %s files of 16-256 KiB",
			ep+1, loaderWorkers, count(len(objs))), "files/s")
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for run := range runs() {
		seed := func(ep int) uint64 { return uint64(run*loaderEpochs + ep) }
		direct := func(via string, dst func(*row) *[]float64) func() {
			return func() {
				dropCaches(b)
				if err := listDirect(b.Context(), e.d, prefix, len(objs)); err != nil {
					b.Fatal(err)
				}
				for ep, r := range rows {
					dt, err := runLoader(self, via, e.d.proxy+" "+e.d.target, len(objs), seed(ep))
					if err != nil {
						b.Fatalf("direct %s, epoch %d: %v", via, ep+1, err)
					}
					r.add(dst(r), float64(len(objs))/dt.Seconds())
				}
			}
		}
		inOrder(run, direct("proxy", func(r *row) *[]float64 { return &r.proxy }),
			direct("target", func(r *row) *[]float64 { return &r.target }),
			func() {
				m := e.startMount(b, label(b, run, "aisfs"))
				defer m.stop()
				dropCaches(b)
				if err := listTree(filepath.Join(m.dir, prefix), len(objs)); err != nil {
					b.Fatal(err)
				}
				for ep, r := range rows {
					cpu0 := m.cpuSeconds(b)
					dt, err := runLoader(self, "mount", m.dir, len(objs), seed(ep))
					if err != nil {
						b.Fatalf("aisfs, epoch %d: %v", ep+1, err)
					}
					r.add(&r.cpu, m.cpuSeconds(b)-cpu0)
					r.add(&r.rss, m.peakRSS(b))
					r.add(&r.aisfs, float64(len(objs))/dt.Seconds())
				}
			})
	}
}

// ImageFolder lists its tree once, before the epochs (os.scandir of the root and of each class
// directory, no stat per file); the loader does the same, untimed: through the mount a walk of
// the directories, for a direct client a paged listing of the prefix.

// listTree lists root/train and each class directory in it, as ImageFolder does, and checks
// that n files were found.
func listTree(root string, n int) error {
	classes, err := os.ReadDir(filepath.Join(root, "train"))
	if err != nil {
		return err
	}
	found := 0
	for _, c := range classes {
		files, err := os.ReadDir(filepath.Join(root, "train", c.Name()))
		if err != nil {
			return err
		}
		found += len(files)
	}
	if found != n {
		return fmt.Errorf("listing %s: %d files, want %d", root, found, n)
	}
	return nil
}

// listDirect is listTree for a direct client: the objects under prefix/train/, page by page.
func listDirect(ctx context.Context, d *direct, prefix string, n int) error {
	found := 0
	err := d.list(ctx, prefix+"train/", "name,size", false, func(es []entry) error {
		found += len(es)
		return nil
	})
	if err == nil && found != n {
		err = fmt.Errorf("listing %s: %d objects, want %d", prefix, found, n)
	}
	return err
}

// runLoader starts the workers, waits until each is ready, then times them from the go signal
// (closing their stdin) to the last one's exit, so process start-up is not counted.
func runLoader(self, mode, root string, n int, seed uint64) (time.Duration, error) {
	type worker struct {
		cmd  *exec.Cmd
		in   io.WriteCloser
		out  *bufio.Reader
		errb strings.Builder
	}
	ws := make([]*worker, loaderWorkers)
	defer func() {
		for _, w := range ws {
			if w != nil && w.cmd.Process != nil && w.cmd.ProcessState == nil {
				w.cmd.Process.Kill()
				w.cmd.Wait()
			}
		}
	}()
	for i := range ws {
		w := &worker{cmd: exec.Command(self)}
		w.cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d|%d|%d", loaderChildEnv, mode, root, n, seed, i))
		w.cmd.Stderr = &w.errb
		var err error
		if w.in, err = w.cmd.StdinPipe(); err != nil {
			return 0, err
		}
		out, err := w.cmd.StdoutPipe()
		if err != nil {
			return 0, err
		}
		w.out = bufio.NewReader(out)
		if err := w.cmd.Start(); err != nil {
			return 0, err
		}
		ws[i] = w
	}
	for i, w := range ws {
		if line, err := w.out.ReadString('\n'); err != nil || line != "ready\n" {
			return 0, fmt.Errorf("worker %d: %q %v: %s", i, line, err, w.errb.String())
		}
	}
	t0 := time.Now()
	for _, w := range ws {
		w.in.Close()
	}
	for i, w := range ws {
		line, _ := w.out.ReadString('\n')
		if err := w.cmd.Wait(); err != nil || !strings.HasPrefix(line, "done ") {
			return 0, fmt.Errorf("worker %d: %q %v: %s", i, line, err, w.errb.String())
		}
	}
	return time.Since(t0), nil
}

// loaderChild is a worker process: it reads its share of the epoch's permutation and checks
// every file's bytes. Its argument comes in the environment: mode|root|n|seed|worker.
func loaderChild() int {
	f := strings.Split(os.Getenv(loaderChildEnv), "|")
	if len(f) != 5 {
		fmt.Fprintln(os.Stderr, "bad", loaderChildEnv)
		return 2
	}
	mode, root := f[0], f[1]
	n, _ := strconv.Atoi(f[2])
	seed, _ := strconv.ParseUint(f[3], 10, 64)
	me, _ := strconv.Atoi(f[4])
	_, objs := loaderObjects(n)
	var d *direct
	if mode != "mount" {
		urls := strings.Fields(root)
		d = &direct{proxy: urls[0], target: urls[1], bck: bucket, hc: newHTTPClient()}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin) // the go signal: stdin closed
	ctx := context.Background()
	buf := make([]byte, 256<<10+1)
	done := 0
	for j, i := range permutation(n, seed) {
		if j%loaderWorkers != me {
			continue
		}
		o := objs[i]
		var data []byte
		var err error
		if d != nil {
			data, err = d.readAll(ctx, o.name, mode == "target", buf)
		} else {
			data, err = readFull(filepath.Join(root, o.name), buf)
		}
		if err == nil && int64(len(data)) != o.size {
			err = fmt.Errorf("%s: %d bytes, want %d", o.name, len(data), o.size)
		}
		if err == nil {
			err = verify(o.k, 0, data)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		done++
	}
	fmt.Println("done", done)
	return 0
}

// readFull reads a whole file into buf, as an image decoder's open+read does.
func readFull(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return buf[:n], err
}
