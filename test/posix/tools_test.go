package posix

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// makeTree writes a local tree of nested directories, small, empty and multi-MiB files.
func makeTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	rng := mrand.New(mrand.NewPCG(5, 6))
	files := map[string]int{
		"README": 120, "empty": 0, "a/b/c/deep.txt": 4000, "a/one.bin": 1 << 20, "a/two.bin": 3<<20 + 17,
		"data/x.csv": 70000, "data/y.csv": 1, "name with spaces.txt": 10, "ünïcode.txt": 33,
	}
	for name, size := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(root, "a/one.bin"), 0o600)
	os.Symlink("a/one.bin", filepath.Join(root, "link"))
	return root
}

func TestCopyTreeAndDiff(t *testing.T) {
	requireTool(t, "diff")
	e := newEnv(t, "")
	src := makeTree(t)
	run(t, "", "cp", "-r", src, e.path("copy"))
	run(t, "", "diff", "-r", src, e.path("copy"))
	// And back out again.
	back := filepath.Join(t.TempDir(), "back")
	run(t, "", "cp", "-r", e.path("copy"), back)
	run(t, "", "diff", "-r", src, back)
	if got := e.object(t, "copy/a/b/c/deep.txt"); len(got) != 4000 {
		t.Errorf("AIS holds %d bytes of deep.txt", len(got))
	}
}

func TestRsyncTwice(t *testing.T) {
	requireTool(t, "rsync")
	e := newEnv(t, "")
	src := makeTree(t)
	run(t, "", "rsync", "-a", src+"/", e.path("r")+"/")
	run(t, "", "diff", "-r", src, e.path("r"))
	out := run(t, "", "rsync", "-a", "--stats", src+"/", e.path("r")+"/")
	if !strings.Contains(out, "Number of regular files transferred: 0") {
		t.Fatalf("second rsync transferred files again:\n%s", out)
	}
}

func TestGitCloneStatusClean(t *testing.T) {
	requireTool(t, "git")
	e := newEnv(t, "")
	repo := makeTree(t)
	git := func(dir string, args ...string) string {
		return run(t, dir, "git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main"}, args...)...)
	}
	git(repo, "init", "-q")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "one")
	os.WriteFile(filepath.Join(repo, "README"), []byte("changed\n"), 0o644)
	git(repo, "commit", "-q", "-am", "two")

	git("", "clone", "-q", repo, e.path("clone"))
	if out := git(e.path("clone"), "status", "--porcelain"); out != "" {
		t.Fatalf("git status after clone is not clean:\n%s", out)
	}
	git(e.path("clone"), "fsck", "--no-progress")
	if out := git(e.path("clone"), "log", "--oneline"); strings.Count(out, "\n") != 2 {
		t.Errorf("git log:\n%s", out)
	}
}

// TestTarRoundTrip: tar x onto the mount, tar c from it, and the archives hold the same files
// with the same content, modes and modification times.
func TestTarRoundTrip(t *testing.T) {
	requireTool(t, "tar")
	e := newEnv(t, "")
	src := makeTree(t)
	mtime := time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			os.Chtimes(p, mtime, mtime)
		}
		return nil
	})
	work := t.TempDir()
	in, out := filepath.Join(work, "in.tar"), filepath.Join(work, "out.tar")
	run(t, "", "tar", "--sort=name", "-cf", in, "-C", src, ".")
	os.Mkdir(e.path("t"), 0o755)
	run(t, "", "tar", "-xf", in, "-C", e.path("t"))
	run(t, "", "tar", "--sort=name", "-cf", out, "-C", e.path("t"), ".")

	files := func(archive string) string {
		var b strings.Builder
		for _, line := range strings.Split(run(t, "", "tar", "-tvf", archive, "--full-time"), "\n") {
			if strings.HasPrefix(line, "-") || strings.HasPrefix(line, "l") {
				b.WriteString(line + "\n")
			}
		}
		return b.String()
	}
	if a, b := files(in), files(out); a != b {
		t.Fatalf("tar listings differ:\nin:\n%s\nout:\n%s", a, b)
	}
	x := t.TempDir()
	run(t, "", "tar", "-xf", out, "-C", x)
	run(t, "", "diff", "-r", src, x)
}

func TestShellAppend(t *testing.T) {
	e := newEnv(t, "")
	run(t, e.mnt, "sh", "-c", "echo one > log && echo two >> log && printf three >> log")
	if got := string(e.object(t, "log")); got != "one\ntwo\nthree" {
		t.Fatalf("log = %q", got)
	}
}

func TestRenameAndRemoveTree(t *testing.T) {
	e := newEnv(t, "")
	src := makeTree(t)
	run(t, "", "cp", "-r", src, e.path("tree"))
	run(t, "", "mv", e.path("tree"), e.path("moved"))
	run(t, "", "mv", e.path("moved/README"), e.path("moved/README.md"))
	run(t, "", "diff", "-r", filepath.Join(src, "a"), e.path("moved/a"))
	if _, err := os.Stat(e.path("tree")); !os.IsNotExist(err) {
		t.Errorf("old directory still there: %v", err)
	}
	run(t, "", "rm", "-r", e.path("moved"))
	ents, _ := os.ReadDir(e.mnt)
	if len(ents) != 0 {
		t.Fatalf("after rm -r the bucket shows %v", ents)
	}
	if ents, _, _ := e.c.ListObjects(t.Context(), e.bck, aisListAll); len(ents) != 0 {
		t.Fatalf("after rm -r AIS still holds %d objects", len(ents))
	}
}

// TestLargeFileRoundTrip writes 1 GiB through the mount and reads it back.
func TestLargeFileRoundTrip(t *testing.T) {
	const size = 1 << 30
	e := newEnv(t, "")
	local := filepath.Join(t.TempDir(), "big")
	f, _ := os.Create(local)
	src := mrand.NewChaCha8([32]byte{9})
	want := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, want), src, size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run(t, "", "cp", local, e.path("big.bin"))
	os.Remove(local)

	got := sha256.New()
	r, _, err := e.c.GetObject(t.Context(), e.bck, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(got, r)
	r.Close()
	if n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("AIS holds %d bytes, sha256 match %v", n, bytes.Equal(got.Sum(nil), want.Sum(nil)))
	}
	mf, err := os.Open(e.path("big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	got.Reset()
	n, _ = io.Copy(got, mf)
	mf.Close()
	if n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("read back %d bytes through the mount, sha256 match %v", n, bytes.Equal(got.Sum(nil), want.Sum(nil)))
	}
}

// TestUnmountWithUploadInFlight: SIGTERM while a process still holds a written file open; aisfs
// uploads it before it exits, so nothing is lost.
func TestUnmountWithUploadInFlight(t *testing.T) {
	e := newEnv(t, "")
	data := make([]byte, 5<<20)
	rand.Read(data)
	local := filepath.Join(t.TempDir(), "data")
	os.WriteFile(local, data, 0o644)
	holder := exec.Command("bash", "-c", fmt.Sprintf("exec 3>%q; cat %q >&3; echo ready; sleep 120", e.path("held"), local))
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("writer did not get ready: %q", line)
	}
	if err := e.stop(t); err != nil {
		t.Fatalf("aisfs exit after SIGTERM: %v\n%s", err, e.stderr.String())
	}
	if got := e.object(t, "held"); !bytes.Equal(got, data) {
		t.Fatalf("after SIGTERM AIS holds %d bytes, want the %d written", len(got), len(data))
	}
}

// TestServerFailsMidWrite: AIS fails every upload; cp reports the error, and the bytes are in
// the staging directory for a person to recover.
func TestServerFailsMidWrite(t *testing.T) {
	fp, err := aiscluster.NewFaultProxy(aiscluster.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fp.Close)
	e := newEnv(t, fp.URL(), "--retries", "0")
	data := make([]byte, 20<<20)
	rand.Read(data)
	local := filepath.Join(t.TempDir(), "data")
	os.WriteFile(local, data, 0o644)
	// Fail everything that writes: the streaming PUT the first bytes open, then the PUT of the
	// staging file that Close falls back to.
	fp.AddRule(aiscluster.Rule{Method: http.MethodPut, PathContains: "/v1/objects/", Query: "pid=",
		Action: aiscluster.Status(http.StatusServiceUnavailable)})

	cmd := exec.Command("cp", local, e.path("victim"))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("cp succeeded although AIS refused the upload: %s", out)
	}
	if !strings.Contains(string(out), "Input/output error") {
		t.Errorf("cp said %q, want an I/O error", out)
	}
	var kept bool
	filepath.WalkDir(e.staging, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			kept = kept || bytes.Equal(b, data)
		}
		return nil
	})
	if !kept {
		t.Fatalf("the data is not in the staging directory %s", e.staging)
	}
	if !strings.Contains(e.stderr.String(), e.staging) {
		t.Errorf("the log does not say where the data was kept")
	}
	_ = syscall.EIO
}
