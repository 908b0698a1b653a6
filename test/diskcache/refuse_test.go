package diskcache

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func tmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// TestBadDirIsRefused: a --disk-cache that cannot be used is a one-line error from aisfs as
// users run it (in the background), and nothing is mounted.
func TestBadDirIsRefused(t *testing.T) {
	e := newEnv(t)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	ro := tmpfs(t, "size=1m")
	if err := unix.Mount("", ro, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	shared := t.TempDir()
	holder := e.mount(t, "--disk-cache", shared)
	mnt := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not a directory", []string{"--disk-cache", file}, file + " is not a directory"},
		{"pseudo filesystem", []string{"--disk-cache", "/proc/self"}, "is on proc, a pseudo filesystem"},
		{"read-only filesystem", []string{"--disk-cache", ro}, "is on a read-only filesystem"},
		{"smaller than a block", []string{"--disk-cache", t.TempDir(), "--disk-cache-size", "512KiB"}, "smaller than one block"},
		{"smaller than a bigger block", []string{"-o", "disk_cache=" + t.TempDir() + ",disk_cache_size=4MiB,block_size=4MiB"}, "smaller than one block"},
		{"inside the mountpoint", []string{"--disk-cache", filepath.Join(mnt, "cache")}, "inside the mountpoint"},
		{"in use by another mount", []string{"--disk-cache", shared},
			"in use by pid " + strconv.Itoa(holder.cmd.Process.Pid) + ", the mount of ais://" + e.bck.Name + " at " + holder.dir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--endpoint", e.endpoint}, tc.args...)
			cmd := exec.Command(aisfsBin, append(args, "ais://"+e.bck.Name, mnt)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if mounted(mnt) {
				unix.Unmount(mnt, unix.MNT_DETACH)
				t.Fatal("aisfs mounted")
			}
			msg := strings.TrimSpace(stderr.String())
			if err == nil || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 0 {
				t.Fatalf("aisfs: %v, stderr %q: want a failure of one line with %q", err, msg, tc.want)
			}
		})
	}
}

// TestFullDiskTurnsItOff: a disk cache on a tmpfs far smaller than --disk-cache-size fills up;
// aisfs says so once, turns the disk cache off, and every read returns the right bytes.
func TestFullDiskTurnsItOff(t *testing.T) {
	e := newEnv(t)
	objs := e.dataset(t, 4*block, 4*block, 4*block, 4*block+5)
	dir := tmpfs(t, "size=3m")
	m := e.mount(t, "--disk-cache", dir, "--disk-cache-size", "64MiB")
	readAll(t, m.dir, objs)
	dropCaches(t)
	readAll(t, m.dir, objs)
	m.stop(t)
	var off []string
	for _, l := range strings.Split(m.logText(t), "\n") {
		if strings.Contains(l, "disk cache off") {
			off = append(off, l)
		}
	}
	if len(off) != 1 || !strings.Contains(off[0], "no space left on device") {
		t.Fatalf("want one log line turning the disk cache off for ENOSPC, got %q", off)
	}
}
