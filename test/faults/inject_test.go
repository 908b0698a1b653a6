package faults

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// Sizes of the fault suite, small enough for a 2-core CI machine.
const (
	seqReadSize  = 1 << 30  // sequential read
	seqWriteSize = 1 << 30  // sequential write
	preadSize    = 64 << 20 // object of the random preads
	preads       = 2000
	treeFiles    = 300
	faultChance  = 0.01 // per kind; five kinds: ~5% of all requests
	reqTimeout   = 3 * time.Second
)

// failure is one error the application saw: an errno at read or close.
type failure struct {
	workload, object string
	err              error
}

// suite is the state of one run of the fault suite.
type suite struct {
	t        *testing.T
	c        *aisclient.Client // straight to AIS, for checks
	bck      aisclient.Bck
	m        *mount
	mu       sync.Mutex
	failures []failure
	corrupt  int // reads that returned wrong bytes without an error
	lost     int // files whose close returned 0 but AIS does not hold their bytes
	ops      map[string]int
}

func (s *suite) fail(workload, object string, err error) {
	s.t.Helper()
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		s.t.Errorf("%s %s: %v is not an errno", workload, object, err)
	}
	s.mu.Lock()
	s.failures = append(s.failures, failure{workload, object, err})
	s.mu.Unlock()
}

func (s *suite) did(workload string, n int) {
	s.mu.Lock()
	s.ops[workload] += n
	s.mu.Unlock()
}

// TestFaultInjection puts a proxy between a mount and AIS that breaks about 5% of all
// requests (500, 503, a reset mid-body, a truncated body, a stall past the request timeout)
// while a large file is read sequentially, one is read at random offsets, a tree of mixed
// sizes is copied in with cp -r, and a large file is written. No reader gets a wrong byte,
// every file whose close returned 0 is in AIS byte for byte, and every failure the
// application sees is an errno with a log line naming the object.
func TestFaultInjection(t *testing.T) {
	aiscluster.RequireFUSE(t)
	aiscluster.RequireTool(t, "cp")
	ep := aiscluster.Endpoint(t)
	c := newClient(t, ep)
	bck := newBucket(t, c)
	fp, err := aiscluster.NewFaultProxy(ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fp.Close)
	s := &suite{t: t, c: c, bck: bck, ops: map[string]int{}}

	seqSum := putGenerated(t, c, bck, "seq.bin", seqReadSize, 1)
	pread := genBytes(2, preadSize)
	if _, err := c.PutObject(t.Context(), bck, "pread.bin", bytes.NewReader(pread), preadSize, aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	src := makeTree(t, treeFiles)

	s.m = mountBucket(t, fp.URL(), bck, "--request-timeout", reqTimeout.String())
	fp.Seed(8)
	kinds := []struct {
		name   string
		action aiscluster.Action
	}{
		{"500", aiscluster.Status(http.StatusInternalServerError)},
		{"503", aiscluster.Status(http.StatusServiceUnavailable)},
		{"reset mid-body", aiscluster.ResetMidBody(64 << 10)},
		{"truncated body", aiscluster.Truncate(64 << 10)},
		{"stall past the timeout", aiscluster.Stall(2 * reqTimeout)},
	}
	faults := make([]*aiscluster.Fault, len(kinds))
	for i, k := range kinds {
		faults[i] = fp.AddRule(aiscluster.Rule{Chance: faultChance, Action: k.action})
	}
	before := len(fp.Requests())

	for _, w := range []struct {
		name string
		run  func(*suite)
	}{
		{"sequential read", func(s *suite) { s.seqRead("seq.bin", seqSum) }},
		{"random preads", func(s *suite) { s.randomPreads("pread.bin", pread) }},
		{"cp -r", func(s *suite) { s.copyTree(src) }},
		{"sequential write", func(s *suite) { s.seqWrite("write.bin", seqWriteSize) }},
	} {
		t0 := time.Now()
		w.run(s)
		t.Logf("%s: %v", w.name, time.Since(t0).Round(time.Millisecond))
	}
	fp.ClearRules()
	requests := len(fp.Requests()) - before

	// Report.
	var sb strings.Builder
	fmt.Fprintf(&sb, "requests through the proxy: %d\ninjected:", requests)
	total := 0
	for i, k := range kinds {
		fmt.Fprintf(&sb, " %s %d,", k.name, faults[i].Fired())
		total += faults[i].Fired()
	}
	fmt.Fprintf(&sb, " total %d (%.1f%%)\n", total, 100*float64(total)/float64(max(requests, 1)))
	var names []string
	for w := range s.ops {
		names = append(names, w)
	}
	sort.Strings(names)
	for _, w := range names {
		n := 0
		for _, f := range s.failures {
			if f.workload == w {
				n++
			}
		}
		fmt.Fprintf(&sb, "%s: %d operations, %d errors seen by the application\n", w, s.ops[w], n)
	}
	fmt.Fprintf(&sb, "corrupt reads: %d, files closed with 0 but wrong or missing in AIS: %d", s.corrupt, s.lost)
	t.Log("fault suite counts:\n" + sb.String())

	for i, k := range kinds {
		if faults[i].Fired() == 0 {
			t.Errorf("no %s was injected: the suite did not test it", k.name)
		}
	}
	if s.corrupt != 0 {
		t.Errorf("%d reads returned wrong bytes", s.corrupt)
	}
	if s.lost != 0 {
		t.Errorf("%d files closed with 0 are missing or different in AIS", s.lost)
	}
	log := loudLines(s.m.log(t))
	for _, f := range s.failures {
		if !slicesContainsSubstr(log, f.object) {
			t.Errorf("%s of %s failed (%v) without a log line naming it", f.workload, f.object, f.err)
		}
	}
	if len(log) > 0 {
		t.Logf("%d warn/error log lines; first: %s", len(log), log[0])
	}
}

func slicesContainsSubstr(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// seqRead reads name through the mount in 1 MiB reads and compares its hash.
func (s *suite) seqRead(name string, want uint64) {
	s.did("sequential read", 1)
	f, err := os.Open(filepath.Join(s.m.dir, name))
	if err != nil {
		s.fail("sequential read", name, err)
		return
	}
	defer f.Close()
	d := xxhash.New()
	if _, err := io.CopyBuffer(d, f, make([]byte, 1<<20)); err != nil {
		s.fail("sequential read", name, err)
		return
	}
	if d.Sum64() != want {
		s.corrupt++
		s.t.Errorf("sequential read of %s: wrong bytes without an error", name)
	}
}

// randomPreads reads 2,000 random ranges of name with 4 readers and compares each.
func (s *suite) randomPreads(name string, want []byte) {
	f, err := os.Open(filepath.Join(s.m.dir, name))
	if err != nil {
		s.fail("random preads", name, err)
		return
	}
	defer f.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 3))
			buf := make([]byte, 256<<10)
			for range preads / 4 {
				n := 1 + r.IntN(len(buf))
				off := r.Int64N(int64(len(want) - n))
				s.did("random preads", 1)
				k, err := f.ReadAt(buf[:n], off)
				if err != nil {
					s.fail("random preads", name, err)
					continue
				}
				if !bytes.Equal(buf[:k], want[off:off+int64(k)]) || k != n {
					s.mu.Lock()
					s.corrupt++
					s.mu.Unlock()
					s.t.Errorf("pread of %d at %d: %d bytes, wrong or short without an error", n, off, k)
				}
			}
		})
	}
	wg.Wait()
}

var quoted = regexp.MustCompile(`'([^']+)'`)

// copyTree runs cp -r src MNT/tree, then checks in AIS every file cp did not report failed.
func (s *suite) copyTree(src string) {
	dst := filepath.Join(s.m.dir, "tree")
	var stderr bytes.Buffer
	cmd := exec.Command("cp", "-r", src, dst)
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	err := cmd.Run()
	failed := map[string]error{}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line == "" {
			continue
		}
		m := quoted.FindAllStringSubmatch(line, -1)
		if len(m) == 0 || !strings.Contains(line, "error") {
			s.t.Errorf("cp: %s: no errno message naming a file", line)
			continue
		}
		p := m[len(m)-1][1]
		rel, _ := filepath.Rel(s.m.dir, p)
		failed[rel] = errors.New(line)
	}
	if err != nil && len(failed) == 0 {
		s.t.Errorf("cp -r: %v, and no failed file named: %s", err, stderr.String())
	}
	filepath.WalkDir(src, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		obj := "tree/" + rel
		s.did("cp -r", 1)
		if ferr, ok := failed[obj]; ok {
			s.mu.Lock()
			s.failures = append(s.failures, failure{"cp -r", obj, ferr})
			s.mu.Unlock()
			return nil
		}
		want, _ := os.ReadFile(p)
		got, gerr := readObject(s.t.Context(), s.c, s.bck, obj)
		if gerr != nil || !bytes.Equal(got, want) {
			s.lost++
			s.t.Errorf("cp -r: %s was copied without an error but AIS holds %d bytes (want %d), %v", obj, len(got), len(want), gerr)
		}
		return nil
	})
}

// seqWrite writes size generated bytes to name in 1 MiB writes; a close that returns 0 must
// leave exactly those bytes in AIS.
func (s *suite) seqWrite(name string, size int64) {
	s.did("sequential write", 1)
	f, err := os.Create(filepath.Join(s.m.dir, name))
	if err != nil {
		s.fail("sequential write", name, err)
		return
	}
	g := newGen(4)
	d := xxhash.New()
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		g.fill(buf)
		d.Write(buf)
		if _, err := f.Write(buf); err != nil {
			f.Close()
			s.fail("sequential write", name, err)
			return
		}
	}
	if err := f.Close(); err != nil {
		s.fail("sequential write", name, err)
		return
	}
	rc, _, err := s.c.GetObject(s.t.Context(), s.bck, name)
	if err != nil {
		s.lost++
		s.t.Errorf("%s closed with 0 but AIS has no object: %v", name, err)
		return
	}
	defer rc.Close()
	got := xxhash.New()
	n, err := io.Copy(got, rc)
	if err != nil || n != size || got.Sum64() != d.Sum64() {
		s.lost++
		s.t.Errorf("%s closed with 0 but AIS holds %d bytes (want %d), hash match %v, %v", name, n, size, got.Sum64() == d.Sum64(), err)
	}
}

// makeTree writes n files of mixed sizes in nested directories under a temp dir.
func makeTree(t *testing.T, n int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "src")
	r := rand.New(rand.NewPCG(5, 6))
	for i := range n {
		var size int
		switch {
		case i%50 == 0: // 6 files streamed with append (more than one 8 MiB piece)
			size = 9<<20 + r.IntN(8<<20)
		case i%8 == 0:
			size = 128<<10 + r.IntN(3<<20)
		default:
			size = r.IntN(128 << 10)
		}
		p := filepath.Join(root, fmt.Sprintf("d%d/e%d/f%03d", i%7, i%3, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, genBytes(uint64(100+i), size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// gen is a deterministic byte stream.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed*31+7))} }

// fill fills b (a multiple of 8 bytes long) with the next bytes of the stream.
func (g *gen) fill(b []byte) {
	for i := 0; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], g.r.Uint64())
	}
}

func genBytes(seed uint64, n int) []byte {
	b := make([]byte, (n+7)&^7)
	newGen(seed).fill(b)
	return b[:n]
}

// putGenerated uploads size generated bytes straight to AIS and returns their hash.
func putGenerated(t *testing.T, c *aisclient.Client, bck aisclient.Bck, name string, size int64, seed uint64) uint64 {
	t.Helper()
	pr, pw := io.Pipe()
	d := xxhash.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		g := newGen(seed)
		buf := make([]byte, 1<<20)
		for off := int64(0); off < size; off += int64(len(buf)) {
			g.fill(buf)
			d.Write(buf)
			if _, err := pw.Write(buf); err != nil {
				return
			}
		}
		pw.Close()
	}()
	if _, err := c.PutObject(t.Context(), bck, name, pr, size, aisclient.PutOptions{}); err != nil {
		pr.CloseWithError(err)
		t.Fatal(err)
	}
	<-done
	return d.Sum64()
}
