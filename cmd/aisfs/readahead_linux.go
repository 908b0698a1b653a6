package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setKernelReadahead raises the kernel's readahead for the mount. The kernel caps a FUSE mount's
// readahead at 128 KiB whatever the filesystem asks for at INIT; the backing device's sysfs knob
// is the only way past that, and sequential reads of large files are several times faster with
// it. It needs root (or a writable sysfs); without it the default stays and reads still work.
func setKernelReadahead(mnt string, kib int, log *slog.Logger) {
	var st unix.Stat_t
	if err := unix.Stat(mnt, &st); err != nil {
		log.Debug("kernel readahead unchanged", "err", err)
		return
	}
	path := fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(st.Dev), unix.Minor(st.Dev))
	if err := os.WriteFile(path, []byte(strconv.Itoa(kib)), 0); err != nil {
		log.Debug("kernel readahead unchanged", "path", path, "err", err)
		return
	}
	log.Debug("kernel readahead set", "path", path, "kib", kib)
}
