package cache

import (
	"bytes"
	"slices"
	"testing"
	"testing/synctest"
)

func TestSequentialReaderReadsAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const nblocks = 64
		o := newFake("obj", nblocks*tbs, 1)
		c := newTestCache(t, Config{BlockSize: tbs, Capacity: nblocks * tbs, MaxReadahead: 8 * tbs})
		r := c.NewReader(o.object())
		defer r.Close()

		window := int64(0)
		for i := range int64(nblocks) {
			// Two reads per block, as the kernel splits a stream into smaller requests.
			for _, off := range []int64{i * tbs, i*tbs + tbs/2} {
				got, err := r.Read(t.Context(), off, tbs/2)
				if err != nil || !bytes.Equal(got, o.want(off, tbs/2)) {
					t.Fatalf("Read(%d) = %d bytes, %v", off, len(got), err)
				}
			}
			synctest.Wait() // every readahead fetch has finished
			window = min(max(1, 2*window), 8)
			want := blockRange(0, min(nblocks-1, i+window))
			if got := o.fetchedBlocks(tbs); !slices.Equal(got, want) {
				t.Fatalf("after block %d: fetched blocks %v, want %v (window %d)", i, got, want, window)
			}
		}
		s := c.Stats()
		if s.Fetches != nblocks || s.Readaheads != nblocks-1 || s.BypassReads != 0 {
			t.Errorf("stats %+v, want %d fetches, each block once, all but block 0 by readahead", s, nblocks)
		}
	})
}

func TestReorderedReadsStaySequential(t *testing.T) {
	o := newFake("obj", 16*tbs, 1)
	c := newTestCache(t, Config{BlockSize: tbs})
	r := c.NewReader(o.object())
	const q = tbs / 8 // small reads: a random one would bypass
	for _, off := range []int64{0, 2 * q, q, 4 * q, 3 * q, 5 * q, 8 * q, 6 * q, 7 * q, 10 * q, 9 * q} {
		got, err := r.Read(t.Context(), off, q)
		if err != nil || !bytes.Equal(got, o.want(off, q)) {
			t.Fatalf("Read(%d) = %d bytes, %v", off, len(got), err)
		}
	}
	if s := c.Stats(); s.BypassReads != 0 {
		t.Errorf("%d reordered sequential reads were taken as random", s.BypassReads)
	}
}

func TestRandomReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const nblocks = 64
		o := newFake("obj", nblocks*tbs+100, 1)
		size := o.size
		c := newTestCache(t, Config{BlockSize: tbs})
		r := c.NewReader(o.object())
		steps := []struct {
			name string
			off  int64
			n    int
			want []span
		}{
			{"small far read bypasses", 10*tbs + 100, 200, []span{{10*tbs + 100, 200}}},
			{"another bypasses", 40*tbs + 7, 1000, []span{{40*tbs + 7, 1000}}},
			{"near EOF is clamped", size - 50, 100, []span{{size - 50, 50}}},
			{"quarter block fetches its block, no readahead", 20*tbs + 5, tbs / 4, []span{{20 * tbs, tbs}}},
			{"small read in a cached block is a hit", 20*tbs + 1000, 10, nil},
			{"exact continuation turns sequential and reads ahead", 20*tbs + 1010, 10, []span{{21 * tbs, tbs}}},
		}
		for _, st := range steps {
			before := len(o.log())
			got, err := r.Read(t.Context(), st.off, st.n)
			if err != nil || !bytes.Equal(got, o.want(st.off, st.n)) {
				t.Fatalf("%s: Read = %d bytes, %v", st.name, len(got), err)
			}
			synctest.Wait() // readahead, if any started, is done
			if calls := o.log()[before:]; !slices.Equal(calls, st.want) {
				t.Errorf("%s: fetches %v, want %v", st.name, calls, st.want)
			}
		}
		if s := c.Stats(); s.BypassReads != 3 || s.Blocks != 2 {
			t.Errorf("stats %+v, want 3 bypass reads, 2 cached blocks", s)
		}
	})
}
