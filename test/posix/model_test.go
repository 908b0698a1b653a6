package posix

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestModel is a model-based test in the manner of mountpoint-s3's reference-model tests: random
// sequences of namespace and data operations, from fixed seeds, run on a real mount and on a
// small in-memory model of the tree (modeltree_test.go). After every step the errno must match,
// and so must every name, type, size, content hash, mode, symlink target and any mtime set by
// utimens. At the end the bucket is mounted afresh and must show what the model keeps across a
// remount. A divergence prints the seed and the operations so far; replay one seed with
// AISFS_MODEL_SEED=N (and AISFS_MODEL_STEPS=N).
func TestModel(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	steps := 300
	if s := os.Getenv("AISFS_MODEL_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("AISFS_MODEL_SEED: %v", err)
		}
		seeds = []uint64{n}
	}
	if s := os.Getenv("AISFS_MODEL_STEPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("AISFS_MODEL_STEPS: %v", err)
		}
		steps = n
	}
	old := syscall.Umask(0)
	syscall.Umask(old)
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runModel(t, seed, steps, uint32(old)) })
	}
}

func runModel(t *testing.T, seed uint64, steps int, umask uint32) {
	e := newEnv(t, "", "--log-level", "info")
	m := newModel(umask)
	g := &opGen{r: mrand.New(mrand.NewPCG(seed, 0x6d6f64656c))}
	var done, before []string
	fail := func(step int, format string, args ...any) {
		t.Helper()
		var held []string
		if ents, _, err := e.c.ListObjects(context.Background(), e.bck, aisListAll); err == nil {
			for _, o := range ents {
				held = append(held, o.Name)
			}
		}
		t.Fatalf("seed %d, step %d: %s\nreplay: AISFS_MODEL_SEED=%d AISFS_MODEL_STEPS=%d go test -run TestModel ./test/posix/\nAIS holds: %v\nthe model (before the step): %v\noperations:\n%s",
			seed, step, fmt.Sprintf(format, args...), seed, step+1, held, before, strings.Join(done, "\n"))
	}
	for i := range steps {
		before = before[:0]
		for p, n := range m.nodes {
			if p != "" {
				before = append(before, p+":"+n.kind.String())
			}
		}
		slices.Sort(before)
		o := g.next(m)
		done = append(done, fmt.Sprintf("%4d %v", i, o))
		want := o.onModel(m)
		got := o.onMount(e.mnt)
		m.noteObjects()
		if got != want {
			fail(i, "%v: the mount says %v, the model %v", o, errnoName(got), errnoName(want))
		}
		seen, err := observe(e.mnt)
		if err != nil {
			fail(i, "after %v: %v", o, err)
		}
		if diffs := compare(m.states(), seen); len(diffs) > 0 {
			fail(i, "after %v the trees differ:\n%s", o, strings.Join(diffs, "\n"))
		}
	}
	e.remount(t)
	m.remount(0o755)
	seen, err := observe(e.mnt)
	if err != nil {
		fail(steps-1, "after a remount: %v", err)
	}
	if diffs := compare(m.states(), seen); len(diffs) > 0 {
		fail(steps-1, "after a remount the trees differ:\n%s", strings.Join(diffs, "\n"))
	}
}

func errnoName(e syscall.Errno) string {
	if e == 0 {
		return "success"
	}
	if e == errNotErrno {
		return "a non-errno error"
	}
	return fmt.Sprintf("%s (%s)", e.Error(), errnoSymbol[e])
}

var errnoSymbol = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT", syscall.EEXIST: "EEXIST", syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR",
	syscall.ENOTEMPTY: "ENOTEMPTY", syscall.EINVAL: "EINVAL", syscall.EIO: "EIO", syscall.EXDEV: "EXDEV",
	syscall.EPERM: "EPERM", syscall.EACCES: "EACCES", syscall.ENOTSUP: "ENOTSUP", syscall.ELOOP: "ELOOP",
}

// errNotErrno stands for an error that carries no errno.
const errNotErrno = syscall.Errno(0xffff)

func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return errNotErrno
}

// observe reads the mount the way a user's tools would: readdir, lstat, read and readlink.
func observe(root string) (map[string]state, error) {
	out := map[string]state{}
	var walk func(rel string) error
	walk = func(rel string) error {
		ents, err := os.ReadDir(filepath.Join(root, rel))
		if err != nil {
			return fmt.Errorf("readdir %q: %v", rel, err)
		}
		for _, d := range ents {
			p := d.Name()
			if rel != "" {
				p = rel + "/" + p
			}
			full := filepath.Join(root, p)
			fi, err := os.Lstat(full)
			if err != nil {
				return fmt.Errorf("lstat %q (listed by readdir): %v", p, err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			s := state{perm: st.Mode & 0o7777, mtime: fi.ModTime()}
			switch {
			case fi.Mode()&os.ModeSymlink != 0:
				s.kind, s.perm, s.mtime = kLink, 0, time.Time{}
				if s.target, err = os.Readlink(full); err != nil {
					return fmt.Errorf("readlink %q: %v", p, err)
				}
			case fi.IsDir():
				s.kind = kDir
				if err := walk(p); err != nil {
					return err
				}
			default:
				s.kind, s.size = kFile, fi.Size()
				data, err := os.ReadFile(full)
				if err != nil {
					return fmt.Errorf("read %q: %v", p, err)
				}
				s.sum = sha256.Sum256(data)
				if int64(len(data)) != s.size {
					s.sum = [32]byte{} // stat and read disagree: never equal to the model
				}
			}
			out[p] = s
		}
		return nil
	}
	return out, walk("")
}

// compare lists the differences; an mtime counts only where the model knows it.
func compare(want, got map[string]state) []string {
	var diffs []string
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("  %s: missing from the mount; the model has %v", p, w))
			continue
		}
		if w.mtime.IsZero() {
			g.mtime = time.Time{}
		}
		if g != w {
			diffs = append(diffs, fmt.Sprintf("  %s: the mount has %v, the model %v", p, g, w))
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("  %s: only on the mount: %v", p, g))
		}
	}
	slices.Sort(diffs)
	return diffs
}
