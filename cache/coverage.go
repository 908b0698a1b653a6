package cache

import "math/bits"

// coverage tracks which parts of its object a Reader has returned, to tell whether it read all
// of it (Forget). The kernel's readahead sends a file's READs in parallel, so they reach the
// Reader in any order: an object of at most maxCoveragePages pages is tracked page by page; a
// larger one only as the prefix read without a gap, which a sequential stream keeps extending.
type coverage struct {
	pages  []uint64 // by page: returned in full; nil for a large object
	left   int      // pages not returned yet (small object)
	prefix int64    // large object: [0, prefix) was returned
}

const (
	coveragePage     = 4096
	maxCoveragePages = 1024 // 4 MiB: a bitmap of 128 bytes
)

func newCoverage(size int64) coverage {
	n := (size + coveragePage - 1) / coveragePage
	if n > maxCoveragePages {
		return coverage{}
	}
	return coverage{pages: make([]uint64, (n+63)/64), left: int(n)}
}

// add records that [off, end) of an object of size bytes was returned.
func (c *coverage) add(off, end, size int64) {
	if c.pages == nil {
		if off <= c.prefix {
			c.prefix = max(c.prefix, end)
		}
		return
	}
	first := (off + coveragePage - 1) / coveragePage // pages covered in full
	last := end / coveragePage
	if end >= size {
		last = (size + coveragePage - 1) / coveragePage // the short last page too
	}
	for p := first; p < last; p++ {
		w, bit := p/64, uint64(1)<<(p%64)
		if c.pages[w]&bit == 0 {
			c.pages[w] |= bit
			c.left--
		}
	}
}

// whole reports whether all of an object of size bytes was returned.
func (c *coverage) whole(size int64) bool {
	if size <= 0 {
		return false
	}
	if c.pages == nil {
		return c.prefix >= size
	}
	return c.left == 0
}

// count is the number of pages returned (for tests).
func (c *coverage) count() int {
	n := 0
	for _, w := range c.pages {
		n += bits.OnesCount64(w)
	}
	return n
}
