package writeback

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"unicode/utf8"

	"github.com/aisfs/aisfs/aisclient"
)

const (
	stagingSuffix = ".aisfs"
	// maxStagingName leaves room for ".<random>.aisfs" within the 255-byte name limit.
	maxStagingName = 200
	// maxLeftoverLogs bounds the log lines about an earlier run's staging files.
	maxLeftoverLogs = 100
)

// bucketDir names a bucket's staging directory: the bare name for an ais bucket in the
// global namespace (the common case), else the escaped "s3://name" form so buckets of
// different providers never share a directory.
func bucketDir(bck aisclient.Bck) string {
	if (bck.Provider == "" || bck.Provider == aisclient.ProviderAIS) && bck.Namespace == "" {
		return escapeName(bck.Name)
	}
	return escapeName(bck.String())
}

// escapeName makes one path component of an object name a person can still read: '%'
// and '/' (and ':', for "s3://") are percent-encoded, as are a leading '.' and control
// bytes. Names too long for a file name are cut at a rune boundary and marked with '~'.
func escapeName(s string) string {
	var sb strings.Builder
	for i := range len(s) {
		c := s[i]
		if c == '%' || c == '/' || c == ':' || c < 0x20 || c == 0x7f || i == 0 && c == '.' {
			fmt.Fprintf(&sb, "%%%02X", c)
			continue
		}
		sb.WriteByte(c)
	}
	out := sb.String()
	if len(out) <= maxStagingName {
		return out
	}
	cut := maxStagingName
	for cut > 0 && !utf8.RuneStart(out[cut]) {
		cut--
	}
	// Do not split a %XX escape.
	if k := strings.LastIndexByte(out[:cut], '%'); k >= cut-2 && k >= 0 {
		cut = k
	}
	return out[:cut] + "~"
}

// createStaging makes a new staging file for bck/name, 0600 in a 0700 directory.
func createStaging(dir string, bck aisclient.Bck, name string) (*os.File, error) {
	bdir := filepath.Join(dir, bucketDir(bck))
	if err := os.MkdirAll(bdir, 0o700); err != nil {
		return nil, fmt.Errorf("writeback: staging directory: %w", err)
	}
	f, err := os.CreateTemp(bdir, escapeName(name)+".*"+stagingSuffix)
	if err != nil {
		return nil, fmt.Errorf("writeback: staging file: %w", err)
	}
	return f, nil
}

// findLeftovers lists staging files under dir, e.g. from a crash or a failed upload.
func findLeftovers(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), stagingSuffix) {
			paths = append(paths, p)
		}
		return nil
	})
	return paths, err
}

// space accounts the staging bytes of all Files against Config.MaxStaging.
type space struct {
	max  int64
	used atomic.Int64
}

// reserve takes n more bytes or fails with ENOSPC; n <= 0 releases -n.
func (s *space) reserve(n int64) error {
	for {
		cur := s.used.Load()
		if n > 0 && cur+n > s.max {
			return fmt.Errorf("writeback: staging space of %d bytes exhausted: %w", s.max, syscall.ENOSPC)
		}
		if s.used.CompareAndSwap(cur, cur+n) {
			return nil
		}
	}
}

func (s *space) release(n int64) { s.used.Add(-n) }
