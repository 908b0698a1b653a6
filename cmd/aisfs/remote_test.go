package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/archivetest"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// mountBackground runs aisfs in the background on a fresh dir and unmounts it at cleanup.
func mountBackground(t *testing.T, args ...string) string {
	t.Helper()
	mnt := t.TempDir()
	code, _, stderr := aisfs(t, []string{"AIS_ENDPOINT="}, append(args, mnt)...)
	if code != 0 {
		t.Fatalf("aisfs %v: exit %d: %s", args, code, stderr)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v %s", err, out)
			syscall.Unmount(mnt, syscall.MNT_DETACH)
		}
	})
	return mnt
}

// SOURCE ais://@ALIAS/BUCKET/PREFIX mounts a bucket of an attached remote cluster; an alias
// that is not attached is a one-line error before anything is mounted.
func TestRemoteBucketSource(t *testing.T) {
	requireFUSE(t)
	ep, remoteEP := aiscluster.Endpoint(t), aiscluster.Second(t)
	seedBucket(t, remoteEP, "cmd-remote", map[string]string{"p/hello.txt": "hi\n"})
	aiscluster.AttachRemote(t, ep, remoteEP, "cmdrc")

	mnt := mountBackground(t, "--endpoint", ep, "ais://@cmdrc/cmd-remote/p")
	if f := strings.Fields(mountEntry(mnt)); len(f) < 1 || f[0] != "ais://@cmdrc/cmd-remote/p/" {
		t.Errorf("mount entry %q, want source ais://@cmdrc/cmd-remote/p/", mountEntry(mnt))
	}
	if got, err := os.ReadFile(filepath.Join(mnt, "hello.txt")); err != nil || string(got) != "hi\n" {
		t.Errorf("read through the remote bucket mount: %q, %v", got, err)
	}

	dir := t.TempDir()
	for src, want := range map[string]string{
		"ais://@nosuch/cmd-remote":  "no remote AIS cluster @nosuch is attached",
		"ais://@cmdrc/no-such-bckt": "does not exist",
	} {
		code, _, stderr := aisfs(t, nil, "--endpoint", ep, src, dir)
		if code == 0 || !strings.Contains(stderr, want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("aisfs %s: exit %d, stderr %q; want a failure, one line containing %q", src, code, stderr, want)
		}
		if mountEntry(dir) != "" {
			t.Errorf("something was mounted on %s", dir)
		}
	}
}

// -o archives turns archive objects into directories in a mount the binary serves.
func TestArchivesOption(t *testing.T) {
	requireFUSE(t)
	ep := aiscluster.Endpoint(t)
	c, bck := seedBucket(t, ep, "cmd-archives", nil)
	shard := archivetest.Zip([]archivetest.File{{Name: "a/b.txt", Data: []byte("member")}})
	if _, err := c.PutObject(t.Context(), bck, "s.zip", bytes.NewReader(shard), int64(len(shard)), aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	mnt := mountBackground(t, "--endpoint", ep, "-o", "archives,ro", "ais://cmd-archives")
	if got, err := os.ReadFile(filepath.Join(mnt, "s.zip", "a", "b.txt")); err != nil || string(got) != "member" {
		t.Errorf("read a member: %q, %v", got, err)
	}
	plain := mountBackground(t, "--endpoint", ep, "ais://cmd-archives")
	if got, err := os.ReadFile(filepath.Join(plain, "s.zip")); err != nil || !bytes.Equal(got, shard) {
		t.Errorf("without -o archives: %d bytes, %v; want the zip's %d", len(got), err, len(shard))
	}
}
