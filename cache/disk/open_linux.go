package disk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// pseudoFS names filesystems that cannot hold a cache: they live in the kernel and either
// refuse files or lose them.
var pseudoFS = map[int64]string{
	unix.PROC_SUPER_MAGIC:     "proc",
	unix.SYSFS_MAGIC:          "sysfs",
	unix.DEVPTS_SUPER_MAGIC:   "devpts",
	unix.CGROUP_SUPER_MAGIC:   "cgroup",
	unix.CGROUP2_SUPER_MAGIC:  "cgroup2",
	unix.DEBUGFS_MAGIC:        "debugfs",
	unix.TRACEFS_MAGIC:        "tracefs",
	unix.SECURITYFS_MAGIC:     "securityfs",
	unix.BPF_FS_MAGIC:         "bpf",
	unix.PSTOREFS_MAGIC:       "pstore",
	unix.EFIVARFS_MAGIC:       "efivarfs",
	unix.SELINUX_MAGIC:        "selinuxfs",
	unix.HUGETLBFS_MAGIC:      "hugetlbfs",
	unix.NSFS_MAGIC:           "nsfs",
	unix.BINFMTFS_MAGIC:       "binfmt_misc",
	unix.ANON_INODE_FS_MAGIC:  "anon_inodefs",
	unix.DEVMEM_MAGIC:         "devmem",
	unix.SOCKFS_MAGIC:         "sockfs",
	unix.PIPEFS_MAGIC:         "pipefs",
	unix.AUTOFS_SUPER_MAGIC:   "autofs",
	unix.RDTGROUP_SUPER_MAGIC: "resctrl",
	unix.SMACK_MAGIC:          "smackfs",
}

// checkDir makes dir exist and refuses one that cannot hold a cache, with the reason.
func checkDir(dir, mountpoint string) error {
	if mountpoint != "" {
		if rel, err := filepath.Rel(mountpoint, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return fmt.Errorf("%w: %s is inside the mountpoint %s", ErrUnusable, dir, mountpoint)
		}
	}
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("%w: %w", ErrUnusable, err)
		}
		fi, err = os.Stat(dir)
	}
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w", ErrUnusable, err)
	case !fi.IsDir():
		return fmt.Errorf("%w: %s is not a directory", ErrUnusable, dir)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return fmt.Errorf("%w: statfs %s: %w", ErrUnusable, dir, err)
	}
	if name := pseudoFS[int64(st.Type)]; name != "" {
		return fmt.Errorf("%w: %s is on %s, a pseudo filesystem", ErrUnusable, dir, name)
	}
	if st.Flags&unix.ST_RDONLY != 0 {
		return fmt.Errorf("%w: %s is on a read-only filesystem", ErrUnusable, dir)
	}
	return nil
}

// lockDir takes DIR/lock for this process, or explains who holds it. The file keeps the
// holder's pid and mount for that message; the flock, not the text, is what counts.
func lockDir(dir, holder string) (*os.File, error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not writable: %w", ErrUnusable, dir, unwrapPath(err))
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			who, _ := io.ReadAll(io.LimitReader(f, 512))
			return nil, fmt.Errorf("%w: %s is in use by %s; give each mount its own disk cache directory",
				ErrUnusable, dir, strings.TrimSpace(string(who)))
		}
		return nil, fmt.Errorf("%w: lock %s: %w", ErrUnusable, path, err)
	}
	text := "pid " + strconv.Itoa(os.Getpid())
	if holder != "" {
		text += ", " + holder
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(text+"\n"), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s is not writable: %w", ErrUnusable, dir, unwrapPath(err))
	}
	return f, nil
}

// probeWrite makes and removes one file where blocks are written, the test that counts for
// root, whom permission bits do not stop (an immutable directory, a full disk).
func probeWrite(tmp string) error {
	f, err := os.CreateTemp(tmp, "probe-")
	if err == nil {
		_, err = f.Write(make([]byte, fileAlign))
		f.Close()
		os.Remove(f.Name())
	}
	if err != nil {
		return fmt.Errorf("%w: %s is not writable: %w", ErrUnusable, tmp, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the *PathError around an errno, whose path the caller already names.
func unwrapPath(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}
