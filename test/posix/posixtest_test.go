package posix

import (
	"testing"

	"github.com/hanwen/go-fuse/v2/posixtest"
)

// TestGoFusePosix runs go-fuse's POSIX checks that an object store can honour. Left out, and
// why: Link, LinkUnlinkRename and NlinkZero (no hard links), FstatDeleted and FdLeak's sibling
// checks on open-unlinked files, Fcntl*/Fallocate/Lseek* (no locks, holes or preallocation),
// DirectIO, RenameOpenDir (directory renames move objects), XAttr* (user.* keys are AIS custom
// metadata with its own limits, tested in package fs).
func TestGoFusePosix(t *testing.T) {
	for _, name := range []string{
		"AppendWrite", "DirSeek", "FileBasic", "MkdirRmdir", "OpenAt", "ParallelFileOpen",
		"ReadDirBasic", "ReadDirConsistency", "RenameOverwriteDestExist", "RenameOverwriteDestNoExist",
		"SymlinkReadlink", "TruncateFile", "TruncateNoFile", "FdLeak", "FileLarge",
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, "")
			posixtest.All[name](t, e.mnt)
		})
	}
}
