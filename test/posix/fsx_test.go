package posix

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// conformanceTool returns the path of a prebuilt conformance tool. The tools live beside the
// project, at ../shared/conformance from the directory holding go.mod, and are never copied in.
// Without them the test is skipped, and fails under CI=true.
func conformanceTool(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatalf("no go.mod above the test's directory")
		}
		dir = up
	}
	p := filepath.Join(dir, "..", "shared", "conformance", name)
	aiscluster.RequireTool(t, p)
	return p
}

// fsxOps is the length of the fsx run: long enough to reach the rare interleavings (truncate
// down then write past the end, reads across a hole) that short runs miss.
const fsxOps = 100000

// fsxReopen closes and reopens the file once in about that many operations: each close uploads
// the file, and the next access fetches it again for editing, so the run checks what AIS holds
// and not only the staging file (about 1,000 round trips; 100,000 ops take ~25 s here).
const fsxReopen = 100

// fsxMaxLen bounds the file: 1 MiB, so that uploads and fetches span several cache blocks.
const fsxMaxLen = 1 << 20

// TestFsx runs fsx, the file-system exerciser: random reads, writes and truncates of one file,
// each checked against an in-memory copy, with mapped reads and writes off (-R -W). fsx probes fallocate, hole punching, range copies and the like once and leaves out those the
// mount refuses. When it is done the object in AIS must hold exactly what the mount shows.
func TestFsx(t *testing.T) {
	fsx := conformanceTool(t, "fsx")
	e := newEnv(t, "")
	logs := t.TempDir()
	cmd := exec.Command(fsx, "-N", strconv.Itoa(fsxOps), "-R", "-W", "-S", "1",
		"-c", strconv.Itoa(fsxReopen), "-l", strconv.Itoa(fsxMaxLen), "-p", "10000", "-P", logs, "fsx.bin")
	cmd.Dir = e.mnt
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("fsx: %d ops in %v", fsxOps, time.Since(start).Round(time.Second))
	if err != nil {
		fsxLog, _ := os.ReadFile(filepath.Join(logs, "fsx.bin.fsxlog"))
		t.Fatalf("fsx: %v\n%s\nlast operations (fsx.bin.fsxlog):\n%s", err, tail(out, 8000), tail(fsxLog, 8000))
	}
	t.Logf("fsx output:\n%s", tail(out, 2000))

	got, err := os.ReadFile(e.path("fsx.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if stored := e.object(t, "fsx.bin"); !bytes.Equal(stored, got) {
		t.Fatalf("AIS holds %d bytes of fsx.bin, the mount shows %d, and they differ", len(stored), len(got))
	}
}

// tail returns at most the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
