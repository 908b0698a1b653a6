package writeback

// maxAhead bounds the out-of-order extents a frontier remembers. Beyond it an extent is
// forgotten: streaming then stalls at the gap until Sync, which is slower but still correct.
const maxAhead = 32

type extent struct{ off, end int64 }

// frontier tracks how far the content has been written contiguously (from the point where
// streaming resumes), plus a few extents written beyond a gap, so that writes the kernel
// delivers slightly out of order do not end streaming: a piece is sent only once every byte
// of it was written.
type frontier struct {
	end   int64    // [start, end) was written without gaps
	ahead []extent // sorted, disjoint, not touching each other or end; all off > end
}

func (fr *frontier) reset(at int64) {
	fr.end = at
	fr.ahead = fr.ahead[:0]
}

// add records that [off, end) was written.
func (fr *frontier) add(off, end int64) {
	if end <= off {
		return
	}
	if off <= fr.end {
		fr.end = max(fr.end, end)
		fr.absorb()
		return
	}
	// Insert into ahead, merging with every extent it overlaps or touches.
	i := 0
	for i < len(fr.ahead) && fr.ahead[i].end < off {
		i++
	}
	j := i
	for j < len(fr.ahead) && fr.ahead[j].off <= end {
		off = min(off, fr.ahead[j].off)
		end = max(end, fr.ahead[j].end)
		j++
	}
	fr.ahead = append(fr.ahead[:i], append([]extent{{off, end}}, fr.ahead[j:]...)...)
	if len(fr.ahead) > maxAhead {
		fr.ahead = fr.ahead[:maxAhead] // forget the farthest
	}
}

func (fr *frontier) absorb() {
	k := 0
	for k < len(fr.ahead) && fr.ahead[k].off <= fr.end {
		fr.end = max(fr.end, fr.ahead[k].end)
		k++
	}
	fr.ahead = append(fr.ahead[:0], fr.ahead[k:]...)
}

// truncate forgets everything at or beyond n.
func (fr *frontier) truncate(n int64) {
	fr.end = min(fr.end, n)
	k := 0
	for _, e := range fr.ahead {
		if e.off >= n {
			break
		}
		e.end = min(e.end, n)
		fr.ahead[k] = e
		k++
	}
	fr.ahead = fr.ahead[:k]
}
