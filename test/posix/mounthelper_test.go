package posix

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/mountopts"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// mountHelper is what mount(8) runs for type fuse.aisfs: util-linux looks in /sbin, /sbin/fs.d
// and /sbin/fs, and `make install` puts the link here. Helpers get a fixed PATH, not the caller's.
const mountHelper = "/sbin/mount.fuse.aisfs"

// Every bucket here holds one sample object.
const (
	sampleName = "train/hello.txt"
	sampleData = "hello from aisfs\n"
)

// The names used by the examples in systemd/, which tests swap for their own cluster and bucket.
const (
	exampleEndpoint = "http://aisproxy:51080"
	exampleBucket   = "ais://imagenet"
)

// unavailable skips a test that cannot run here, but fails it under CI, which must provide it.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf("CI=true but "+format, args...)
	}
	t.Skipf(format, args...)
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "not root: mount(8) helpers and system mounts need root")
	}
}

// installLink makes link a symlink to target for the test's duration. A file already there is
// left alone (an installed aisfs), except a link that a killed run of these tests left behind.
func installLink(t *testing.T, link, target string) {
	t.Helper()
	if old, err := os.Readlink(link); err == nil && staleTestLink(old) {
		os.Remove(link)
	}
	if err := os.Symlink(target, link); err != nil {
		if errors.Is(err, os.ErrExist) {
			unavailable(t, "%s exists (an installed aisfs?); not replacing it", link)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cur, err := os.Readlink(link); err == nil && cur == target {
			os.Remove(link)
		}
	})
}

// staleTestLink reports a link into an aisfs-posix-* build directory (TestMain) that is gone.
func staleTestLink(target string) bool {
	if !strings.HasPrefix(filepath.Base(filepath.Dir(target)), "aisfs-posix-") {
		return false
	}
	_, err := os.Stat(target)
	return errors.Is(err, os.ErrNotExist)
}

// sampleBucket creates a bucket holding sampleName, with no mount, and returns the endpoint
// and the bucket's name.
func sampleBucket(t *testing.T) (endpoint, bucket string) {
	t.Helper()
	endpoint = aiscluster.Endpoint(t)
	c, err := aisclient.New(aisclient.Config{Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	bck := aisclient.Bck{Name: fmt.Sprintf("helper-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1)), Provider: aisclient.ProviderAIS}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	// Cleanups run after t.Context() is cancelled.
	t.Cleanup(func() { c.DestroyBucket(context.Background(), bck) })
	if _, err := c.PutObject(t.Context(), bck, sampleName, strings.NewReader(sampleData), int64(len(sampleData)), aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	return endpoint, bck.Name
}

// hermeticOptions keeps a background aisfs's log and staging files in the test's temp dirs.
func hermeticOptions(t *testing.T) (opts, logFile string) {
	dir := t.TempDir()
	logFile = filepath.Join(dir, "aisfs.log")
	return "log_file=" + logFile + ",staging_dir=" + filepath.Join(dir, "staging"), logFile
}

// mountWith runs a command that must return once the mount at mnt is live, leaving aisfs in the
// background, and unmounts it when the test ends.
func mountWith(t *testing.T, mnt, logFile string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	t.Cleanup(func() { unmountAndWait(t, mnt, logFile) }) // even a failed command may have mounted
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, logTail(logFile))
	}
}

// checkSample checks that mnt is an aisfs mount of source right now (the command that mounted
// it has returned, so there is nothing to wait for) and that rel reads as the sample object.
func checkSample(t *testing.T, mnt, source, rel, logFile string) {
	t.Helper()
	src, fstype, ok := mountEntry(mnt)
	if !ok || fstype != "fuse.aisfs" || src != source {
		t.Fatalf("/proc/self/mounts has %q %q (found: %v) for %s, want %s fuse.aisfs%s", src, fstype, ok, mnt, source, logTail(logFile))
	}
	got, err := os.ReadFile(filepath.Join(mnt, rel))
	if err != nil || string(got) != sampleData {
		t.Fatalf("read %s: %q, %v; want %q%s", rel, got, err, sampleData, logTail(logFile))
	}
}

// mountEntry finds mnt in /proc/self/mounts.
func mountEntry(mnt string) (source, fstype string, ok bool) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fl := strings.Fields(sc.Text()); len(fl) > 2 && fl[1] == mnt {
			source, fstype, ok = fl[0], fl[2], true // the last one is on top
		}
	}
	return source, fstype, ok
}

// unmountAndWait unmounts mnt if it is mounted and waits until the background aisfs serving it
// has exited; it does nothing the second time.
func unmountAndWait(t *testing.T, mnt, logFile string) {
	t.Helper()
	pid := daemonPID(mnt)
	if _, _, ok := mountEntry(mnt); ok {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
			syscall.Unmount(mnt, syscall.MNT_DETACH)
		}
	}
	if pid != 0 {
		deadline := time.Now().Add(2 * time.Minute)
		for alive(pid) {
			if time.Now().After(deadline) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Errorf("aisfs (pid %d) still runs after its mount %s was unmounted", pid, mnt)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if t.Failed() {
		t.Logf("%s", logTail(logFile))
	}
}

// daemonPID finds the background aisfs that serves mnt (its arguments name mnt), or 0.
func daemonPID(mnt string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if err == nil && filepath.Base(args[0]) == "aisfs" && slices.Contains(args[1:], mnt) {
			return pid
		}
	}
	return 0
}

// alive reports a process that has not exited; a zombie has (nobody may reap an orphan here).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

func logTail(logFile string) string {
	b, err := os.ReadFile(logFile)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "\naisfs log " + logFile + ":\n" + string(b)
}

// TestMountTypeFuseAisfs runs `mount -t fuse.aisfs`, which runs /sbin/mount.fuse.aisfs (the aisfs
// binary) and must return only once the mount is live, or with aisfs's error.
func TestMountTypeFuseAisfs(t *testing.T) {
	requireRoot(t)
	requireFUSE(t)
	requireTool(t, "mount")
	ep, bucket := sampleBucket(t)
	installLink(t, mountHelper, aisfsBin)

	t.Run("mount write umount", func(t *testing.T) {
		mnt := t.TempDir()
		opts, logFile := hermeticOptions(t)
		mountWith(t, mnt, logFile, nil, "mount", "-t", "fuse.aisfs", "ais://"+bucket, mnt,
			"-o", "endpoint="+ep+",_netdev,nofail,x-systemd.mount-timeout=30s,"+opts)
		checkSample(t, mnt, "ais://"+bucket, sampleName, logFile)
		if err := os.WriteFile(filepath.Join(mnt, "via-helper.txt"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		unmountAndWait(t, mnt, logFile)
		if _, _, ok := mountEntry(mnt); ok {
			t.Fatalf("%s still mounted after umount", mnt)
		}
		c, _ := aisclient.New(aisclient.Config{Endpoint: ep})
		if _, err := c.HeadObject(t.Context(), aisclient.Bck{Name: bucket, Provider: aisclient.ProviderAIS}, "via-helper.txt"); err != nil {
			t.Fatalf("file written through the helper's mount is not in AIS: %v", err)
		}
	})

	// Failures come back through mount(8) as its exit status and aisfs's message, with nothing mounted.
	for _, tt := range []struct {
		name    string
		source  string
		flags   []string
		opts    string
		wantErr string // in mount's output; "" for success without a mount
	}{
		{name: "fake", source: "ais://" + bucket, flags: []string{"-f"}, opts: "endpoint=" + ep},
		{name: "no bucket", source: "ais://no-such-bucket-" + bucket, opts: "endpoint=" + ep, wantErr: "does not exist"},
		{name: "unknown option", source: "ais://" + bucket, opts: "endpoint=" + ep + ",stat_tll=1s", wantErr: "stat_tll"},
		{name: "no endpoint", source: "ais://" + bucket, opts: "ro", wantErr: "endpoint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mnt := t.TempDir()
			args := append(append([]string{"-t", "fuse.aisfs"}, tt.flags...), tt.source, mnt, "-o", tt.opts)
			cmd := exec.Command("mount", args...)
			cmd.Env = append(os.Environ(), "AIS_ENDPOINT=") // "no endpoint" must not find one
			out, err := cmd.CombinedOutput()
			t.Cleanup(func() { unmountAndWait(t, mnt, "") })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("mount %s: %v\n%s", strings.Join(args, " "), err, out)
			case tt.wantErr != "" && (err == nil || !strings.Contains(string(out), tt.wantErr)):
				t.Fatalf("mount %s: %v, output %q; want a failure saying %q", strings.Join(args, " "), err, out, tt.wantErr)
			}
			if _, _, ok := mountEntry(mnt); ok {
				t.Fatalf("%s is mounted", mnt)
			}
		})
	}
}

// TestFstabExample mounts every entry of systemd/fstab.example (pointed at the test's cluster
// and bucket) with `mount -T FSTAB DIR`, as `mount DIR` does with /etc/fstab.
func TestFstabExample(t *testing.T) {
	requireRoot(t)
	requireFUSE(t)
	requireTool(t, "mount")
	ep, bucket := sampleBucket(t)
	installLink(t, mountHelper, aisfsBin)
	entries := readFstab(t, "../../systemd/fstab.example")
	if len(entries) < 2 {
		t.Fatalf("fstab.example has %d entries, want a cluster and a bucket mount", len(entries))
	}
	for _, ent := range entries {
		t.Run(ent[1], func(t *testing.T) {
			mnt := t.TempDir()
			opts, logFile := hermeticOptions(t)
			source := strings.Replace(strings.Replace(ent[0], exampleEndpoint, ep, 1), exampleBucket, "ais://"+bucket, 1)
			line := strings.Join([]string{source, mnt, ent[2], strings.ReplaceAll(ent[3], exampleEndpoint, ep) + "," + opts, "0", "0"}, "\t")
			fstab := filepath.Join(t.TempDir(), "fstab")
			if err := os.WriteFile(fstab, []byte("# test\n"+line+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			mountWith(t, mnt, logFile, nil, "mount", "-T", fstab, mnt)
			src, err := mountopts.ParseSource(source)
			if err != nil {
				t.Fatal(err)
			}
			rel := strings.TrimPrefix(sampleName, src.Prefix)
			if src.IsCluster() {
				rel = filepath.Join("ais", bucket, sampleName)
			}
			checkSample(t, mnt, src.String(), rel, logFile)
			err = os.WriteFile(filepath.Join(mnt, filepath.Dir(rel), "w.txt"), []byte("x"), 0o644)
			if ro := slices.Contains(strings.Split(ent[3], ","), "ro"); ro != errors.Is(err, syscall.EROFS) {
				t.Errorf("write with options %s: %v", ent[3], err)
			}
			unmountAndWait(t, mnt, logFile)
		})
	}
}

// readFstab returns the fields of each entry of an fstab file.
func readFstab(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries [][]string
	for line := range strings.Lines(string(b)) {
		fl := strings.Fields(line)
		if len(fl) == 0 || strings.HasPrefix(fl[0], "#") {
			continue
		}
		if len(fl) != 6 {
			t.Fatalf("%s: %d fields in %q", path, len(fl), line)
		}
		entries = append(entries, fl)
	}
	return entries
}

// TestSystemdFstabGenerator feeds fstab.example to systemd's own fstab generator: each entry must
// become a mount unit, an automount where asked, pulled in by remote-fs.target (that is what
// _netdev is for), and the generated units must verify.
func TestSystemdFstabGenerator(t *testing.T) {
	requireTool(t, "systemd-analyze")
	requireTool(t, "systemd-escape")
	var gen string
	for _, p := range []string{"/usr/lib/systemd/system-generators/systemd-fstab-generator", "/lib/systemd/system-generators/systemd-fstab-generator"} {
		if _, err := os.Stat(p); err == nil {
			gen = p
			break
		}
	}
	if gen == "" {
		unavailable(t, "systemd-fstab-generator not found")
	}
	fstab, err := filepath.Abs(filepath.Join(systemdDir, "fstab.example"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command(gen, out, out, out)
	cmd.Env = append(os.Environ(), "SYSTEMD_FSTAB="+fstab, "SYSTEMD_LOG_LEVEL=warning")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", gen, err, b)
	}
	var files []string
	for _, ent := range readFstab(t, fstab) {
		b, err := exec.Command("systemd-escape", "--path", "--suffix=mount", ent[1]).Output()
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSpace(string(b))
		u := readUnit(t, filepath.Join(out, name))
		if what, typ := u.get(t, "Mount", "What"), u.get(t, "Mount", "Type"); what != ent[0] || typ != ent[2] {
			t.Errorf("%s: What=%s Type=%s, want %s %s", name, what, typ, ent[0], ent[2])
		}
		files = append(files, filepath.Join(out, name))
		pulled := name
		if slices.Contains(strings.Split(ent[3], ","), "x-systemd.automount") {
			pulled = strings.TrimSuffix(name, ".mount") + ".automount"
			files = append(files, filepath.Join(out, pulled))
		}
		_, errW := os.Lstat(filepath.Join(out, "remote-fs.target.wants", pulled))
		_, errR := os.Lstat(filepath.Join(out, "remote-fs.target.requires", pulled))
		if errW != nil && errR != nil {
			t.Errorf("%s is not pulled in by remote-fs.target: is _netdev missing from %s?", pulled, ent[1])
		}
	}
	verifyUnits(t, out, files...)
}

// TestSystemdMountUnit runs what systemd runs for mnt-imagenet.mount, `mount WHAT WHERE -t TYPE
// -o OPTIONS`, pointed at the test's cluster and bucket.
func TestSystemdMountUnit(t *testing.T) {
	requireRoot(t)
	requireFUSE(t)
	requireTool(t, "mount")
	u := readUnit(t, filepath.Join(systemdDir, "mnt-imagenet.mount"))
	ep, bucket := sampleBucket(t)
	installLink(t, mountHelper, aisfsBin)
	mnt := t.TempDir()
	opts, logFile := hermeticOptions(t)
	what := strings.Replace(u.get(t, "Mount", "What"), exampleBucket, "ais://"+bucket, 1)
	mountWith(t, mnt, logFile, nil, "mount", what, mnt, "-t", u.get(t, "Mount", "Type"),
		"-o", strings.ReplaceAll(u.get(t, "Mount", "Options"), exampleEndpoint, ep)+","+opts)
	checkSample(t, mnt, what, sampleName, logFile)
	unmountAndWait(t, mnt, logFile)
}

// TestMountFuse3 goes through fuse3's generic helper: mount.fuse3 'aisfs#SOURCE' DIR runs
// "aisfs SOURCE DIR -o OPTS" found in PATH (mount(8) itself would reset PATH to the system's).
func TestMountFuse3(t *testing.T) {
	requireFUSE(t)
	requireTool(t, "mount.fuse3")
	ep, bucket := sampleBucket(t)
	mnt := t.TempDir()
	opts, logFile := hermeticOptions(t)
	env := append(os.Environ(), "PATH="+filepath.Dir(aisfsBin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	mountWith(t, mnt, logFile, env, "mount.fuse3", "aisfs#ais://"+bucket, mnt, "-o", "endpoint="+ep+",_netdev,"+opts)
	checkSample(t, mnt, "ais://"+bucket, sampleName, logFile)
	unmountAndWait(t, mnt, logFile)
}
