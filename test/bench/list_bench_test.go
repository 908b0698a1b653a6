package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Workloads 4 and 8: listing a flat directory of many objects, through the mount and with the
// direct paged listing (flat, the props `ls -l` needs: name, size, atime, custom metadata, which
// is where aisfs keeps mode and mtime).

const listProps = "name,size,atime,custom"

func listObjects(n int) (string, []obj) {
	prefix := fmt.Sprintf("list-%d/", n)
	objs := make([]obj, n)
	for i := range objs {
		objs[i] = obj{name: fmt.Sprintf("%so%07d", prefix, i), k: 10_000_000 + uint64(i), size: 1 + int64(i%97)}
	}
	return prefix, objs
}

// directList pages through the directory and checks every entry's size.
func (e *env) directList(prefix string, objs []obj) error {
	want := make(map[string]int64, len(objs))
	for _, o := range objs {
		want[o.name] = o.size
	}
	seen := 0
	err := e.d.list(context.Background(), prefix, listProps, true, func(ents []entry) error {
		for _, en := range ents {
			sz, err := strconv.ParseInt(en.Size, 10, 64)
			if w, ok := want[en.Name]; !ok || err != nil || sz != w {
				return fmt.Errorf("listed %s size %q, want %d", en.Name, en.Size, w)
			}
			seen++
		}
		return nil
	})
	if err == nil && seen != len(objs) {
		err = fmt.Errorf("listed %d entries, want %d", seen, len(objs))
	}
	return err
}

// lsL is `ls -l` as a program does it: readdir, then lstat of every entry, sizes checked.
func lsL(dir string, objs []obj) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) != len(objs) {
		return fmt.Errorf("readdir: %d entries, want %d", len(ents), len(objs))
	}
	for i, de := range ents { // ReadDir sorts by name, as the objects are numbered
		fi, err := de.Info()
		if err != nil {
			return err
		}
		if want := objs[i]; de.Name() != filepath.Base(want.name) || fi.Size() != want.size {
			return fmt.Errorf("entry %s size %d, want %s size %d", de.Name(), fi.Size(), want.name, want.size)
		}
	}
	return nil
}

// BenchmarkList: readdir + lstat of each entry of a 100,000-object directory, seconds.
func BenchmarkList(b *testing.B) {
	if !once(b) {
		return
	}
	e := newEnv(b)
	prefix, objs := listObjects(envInt("AISFS_BENCH_LIST", 100000))
	e.ensure(b, prefix, objs)
	r := result(4, fmt.Sprintf("`ls -l` (readdir + lstat each) of %s objects", count(len(objs))), "s")
	for run := range runs() {
		inOrder(run, func() {
			measureDirect(b, r, &r.proxy, func() error { return e.directList(prefix, objs) }, secs)
		}, func() {
			e.measure(b, r, label(b, run, "aisfs"), nil, func(dir string) error {
				return lsL(filepath.Join(dir, prefix), objs)
			}, secs)
		})
	}
}

func secs(d time.Duration) float64 { return d.Seconds() }

// BenchmarkListLarge (BENCH_LARGE=1): the real `ls -l` and `find` over a 1,000,000-object
// directory, against the direct paged listing. The objects stay in the cluster for later runs.
func BenchmarkListLarge(b *testing.B) {
	if os.Getenv("BENCH_LARGE") != "1" {
		b.Skip("BENCH_LARGE=1 runs the 1,000,000-object listing")
	}
	if !once(b) {
		return
	}
	e := newEnv(b)
	prefix, objs := listObjects(envInt("AISFS_BENCH_LIST_LARGE", 1000000))
	e.ensure(b, prefix, objs)
	ls := result(8, fmt.Sprintf("`ls -l` of %s objects", count(len(objs))), "s")
	find := result(9, fmt.Sprintf("`find` of %s objects", count(len(objs))), "s")
	for run := range runs() {
		inOrder(run, func() {
			measureDirect(b, ls, &ls.proxy, func() error { return e.directList(prefix, objs) }, secs)
			find.add(&find.proxy, ls.proxy[len(ls.proxy)-1]) // one direct listing serves both rows
		}, func() {
			e.measure(b, ls, label(b, run, "aisfs-ls"), nil, func(dir string) error {
				return countLines(len(objs)+1, "ls", "-l", filepath.Join(dir, prefix)) // +1: "total"
			}, secs)
		}, func() {
			e.measure(b, find, label(b, run, "aisfs-find"), nil, func(dir string) error {
				return countLines(len(objs), "find", filepath.Join(dir, prefix), "-type", "f")
			}, secs)
		})
	}
}

// countLines runs a command and checks it printed want lines.
func countLines(want int, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	n := 0
	for sc.Scan() {
		n++
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, stderr.Bytes())
	}
	if n != want {
		return fmt.Errorf("%s printed %d lines, want %d", name, n, want)
	}
	return nil
}
