package posix

import (
	"fmt"
	"io/fs"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// metaSizes are the file sizes of the metadata tree: empty files, sizes around the 4 KiB page,
// the 64-128 KiB range where uploads and rsync's utimens/chmod/rename raced, and a few MiB (below
// the 8 MiB append piece, so every upload is one PUT).
var metaSizes = []int{0, 0, 0, 1, 100, 4095, 4096, 4097, 65535, 65536, 65537, 100000, 131071,
	131072, 131073, 200000, 1 << 20, 1<<20 + 1, 2<<20 + 1<<19, 2<<20 + 1<<19 + 7}

var metaModes = []os.FileMode{0o644, 0o600, 0o755, 0o640, 0o444, 0o700}

// makeMetaTree writes ~120 files of metaSizes in nested directories, each with its own mode and
// a modification time in the past with nanoseconds, so an upload time shown instead of it, or a
// mode lost, is seen.
func makeMetaTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	rng := mrand.New(mrand.NewPCG(8, 3))
	base := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	for i := range 120 {
		dir := filepath.Join(root, fmt.Sprintf("d%d", i%4), fmt.Sprintf("s%d", i%3))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("f%03d.bin", i))
		b := make([]byte, metaSizes[i%len(metaSizes)])
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, metaModes[i%len(metaModes)]); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i)*time.Hour + time.Duration(rng.IntN(1e9)))
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// sameFiles compares every regular file's size, permission bits and modification time
// (to the nanosecond unless coarse, then to the second) under src and dst.
func sameFiles(t *testing.T, src, dst string, coarse bool) {
	t.Helper()
	var bad []string
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		n++
		rel, _ := filepath.Rel(src, p)
		want, err := os.Lstat(p)
		if err != nil {
			return err
		}
		got, err := os.Lstat(filepath.Join(dst, rel))
		if err != nil {
			bad = append(bad, err.Error())
			return nil
		}
		wt, gt := want.ModTime(), got.ModTime()
		if coarse {
			wt, gt = wt.Truncate(time.Second), gt.Truncate(time.Second)
		}
		if got.Size() != want.Size() || got.Mode() != want.Mode() || !gt.Equal(wt) {
			bad = append(bad, fmt.Sprintf("%s: size %d mode %v mtime %v, want %d %v %v",
				rel, got.Size(), got.Mode(), got.ModTime().UTC(), want.Size(), want.Mode(), want.ModTime().UTC()))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("%d of %d files differ in %s:\n%s", len(bad), n, dst, strings.Join(bad, "\n"))
	}
}

// rsyncChangedFiles runs rsync -ai and returns its itemized lines about regular files: any
// such line means rsync found the file's content, size, time or mode different.
func rsyncChangedFiles(t *testing.T, src, dst string) []string {
	t.Helper()
	out := run(t, "", "rsync", "-ai", src+"/", dst+"/")
	var changed []string
	for _, line := range strings.Split(out, "\n") {
		// "YXcstpoguax name": X is the file type, f for a regular file.
		if len(line) > 2 && line[1] == 'f' {
			changed = append(changed, line)
		}
	}
	return changed
}

// TestRsyncConverges: rsync -a into the mount, then rsync -ai finds nothing to do, in the same
// mount and after a remount. rsync writes a temp file, then sets its times and mode and renames
// it while the upload of the closed file may still be under way.
func TestRsyncConverges(t *testing.T) {
	requireTool(t, "rsync")
	e := newEnv(t, "")
	src := makeMetaTree(t)
	dst := e.path("r")
	run(t, "", "rsync", "-a", src+"/", dst+"/")
	if c := rsyncChangedFiles(t, src, dst); len(c) > 0 {
		t.Errorf("second rsync -ai changed %d files:\n%s", len(c), strings.Join(c, "\n"))
	}
	sameFiles(t, src, dst, false)
	e.remount(t)
	sameFiles(t, src, dst, false)
	if c := rsyncChangedFiles(t, src, dst); len(c) > 0 {
		t.Fatalf("rsync -ai after a remount changed %d files:\n%s", len(c), strings.Join(c, "\n"))
	}
}

// TestCpPreserves: cp -rp keeps every file's mode and modification time, also after a remount.
func TestCpPreserves(t *testing.T) {
	e := newEnv(t, "")
	src := makeMetaTree(t)
	dst := e.path("c")
	run(t, "", "cp", "-rp", src, dst)
	sameFiles(t, src, dst, false)
	e.remount(t)
	sameFiles(t, src, dst, false)
}

// TestTarPreserves: tar xp into the mount keeps every file's mode and modification time, also
// after a remount. The pax format carries nanoseconds.
func TestTarPreserves(t *testing.T) {
	requireTool(t, "tar")
	e := newEnv(t, "")
	src := makeMetaTree(t)
	archive := filepath.Join(t.TempDir(), "tree.tar")
	run(t, "", "tar", "--format=posix", "-cf", archive, "-C", src, ".")
	dst := e.path("t")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "", "tar", "-xpf", archive, "-C", dst)
	sameFiles(t, src, dst, false)
	e.remount(t)
	sameFiles(t, src, dst, false)
}

// TestShutdownKeepsMetadata: a file still open for writing at SIGTERM is uploaded by the
// shutdown with the mode and time set on it while it was open. The test holds the file itself:
// a shell's children would flush it when they close their copy of the descriptor.
func TestShutdownKeepsMetadata(t *testing.T) {
	e := newEnv(t, "")
	p := e.path("held")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // fails once aisfs is gone; the upload is what counts
	if _, err := f.WriteString("data\n"); err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(1500000000, 250000000)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := e.stop(t); err != nil {
		t.Fatalf("aisfs exit after SIGTERM: %v\n%s", err, e.stderr.String())
	}
	a, err := e.c.HeadObject(t.Context(), e.bck, "held")
	if err != nil {
		t.Fatal(err)
	}
	if a.Custom["aisfs.mode"] != "0100640" || a.Custom["aisfs.mtime"] != "1500000000.250000000" {
		t.Fatalf("AIS holds %v, want mode 0100640 and mtime 1500000000.25", a.Custom)
	}
}
