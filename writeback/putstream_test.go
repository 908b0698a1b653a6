package writeback

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aisfs/aisfs/internal/memstore"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestStreamingPut: a new file written in order goes up as one streaming PUT; what breaks
// the order gives it up (AIS stores nothing of it, an older object stays) and Close PUTs
// the staging file instead. Every case ends with the right object.
func TestStreamingPut(t *testing.T) {
	const C = testChunk
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	tests := []struct {
		name     string
		old      int  // an object of this size exists first (0: none)
		ops      []op // 's' = Sync
		streams  int64
		method   Method // of the last Sync (Close)
		keepsOld bool   // the old object is intact before Close
	}{
		{"in order", 0, []op{wr(0, 3*C+123)}, 1, MethodPut, false},
		{"under a chunk: no stream", 0, []op{wr(0, C-1)}, 0, MethodPut, false},
		{"replaces a longer object", 4 * C, []op{wr(0, 2*C+5)}, 1, MethodPut, false},
		{"rewrite below sent", 3 * C, []op{wr(0, 2*C), syncBody, wr(10, 100), wr(2*C, C)}, 1, MethodPut, true},
		{"truncate below sent", 3 * C, []op{wr(0, 2*C), syncBody, tr(100), wr(100, C)}, 1, MethodPut, true},
		{"hole left at close", 0, []op{wr(0, C+10), wr(2*C, 77)}, 1, MethodPut, false},
		{"small reorder", 0, []op{wr(0, C), wr(C+100, 50), wr(C, 100), wr(C+150, C)}, 1, MethodPut, false},
		{"fsync mid-stream, then appends", 0, []op{wr(0, 2*C+3), {kind: 's'}, wr(2*C+3, 2*C)}, 1, MethodAppend, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := objectName(t)
			var want, old []byte
			if tt.old > 0 {
				old = randBytes(uint64(9000+i), tt.old)
				putObject(t, c, bck, name, old)
			}
			f := open(t, m, bck, name, Truncate, OpenOptions{Exists: tt.old > 0})
			before := streamedPuts(f)
			for k, o := range tt.ops {
				switch o.kind {
				case 'w':
					data := randBytes(uint64(i*100+k), o.n)
					if end := int(o.off) + o.n; end > len(want) {
						want = append(want, make([]byte, end-len(want))...)
					}
					copy(want[o.off:], data)
					writeSeq(t, f, o.off, data, 100_003)
				case 't':
					want = want[:o.off]
					if err := f.Truncate(o.off); err != nil {
						t.Fatalf("Truncate(%d): %v", o.off, err)
					}
				case 's':
					if err := f.Sync(t.Context()); err != nil {
						t.Fatalf("Sync: %v", err)
					}
					checkBytes(t, "object after Sync", getObject(t, c, bck, name), want)
				case 'b':
					waitPutSent(t, f)
				}
			}
			if tt.keepsOld {
				f.mu.Lock()
				active := f.sput.active
				f.mu.Unlock()
				if active {
					t.Fatal("the streaming PUT was not given up")
				}
				waitPutGone(f)
				checkBytes(t, "old object before Close", getObject(t, c, bck, name), old)
			}
			mustClose(t, f)
			checkBytes(t, "object", getObject(t, c, bck, name), want)
			if got := streamedPuts(f) - before; got != tt.streams {
				t.Errorf("%d streaming PUTs, want %d", got, tt.streams)
			}
			if got := f.LastSync().Method; got != tt.method {
				t.Errorf("went up by %v, want %v", got, tt.method)
			}
		})
	}
}

// syncBody waits until the streaming PUT's body has read something: at least one read
// (256 KiB, or all there is), so a change in the first 100 bytes must give the PUT up.
var syncBody = op{kind: 'b'}

func waitPutSent(t *testing.T, f *File) {
	t.Helper()
	for {
		f.mu.Lock()
		active, sent := f.sput.active, f.sput.sent
		f.mu.Unlock()
		switch {
		case !active:
			t.Fatal("no streaming PUT under way")
		case sent > 0:
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// waitPutGone waits until the latest streaming PUT's request is gone (a dropped one may
// still be tearing its connection down).
func waitPutGone(f *File) {
	f.mu.Lock()
	done := f.putDone
	f.mu.Unlock()
	if done != nil {
		<-done
	}
}

// TestStreamingPutMetadata: custom metadata in the PUT's headers lands; metadata that
// changed after they went out is reported (NeedsMeta) for the caller to set.
func TestStreamingPutMetadata(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	for _, change := range []bool{false, true} {
		t.Run(map[bool]string{false: "unchanged", true: "changed after start"}[change], func(t *testing.T) {
			name := objectName(t)
			var mode atomic.Value
			mode.Store("0644")
			f := open(t, m, bck, name, Truncate, OpenOptions{
				Custom:     map[string]string{"k": "v"},
				CustomFunc: func() map[string]string { return map[string]string{"mode": mode.Load().(string)} },
			})
			data := randBytes(77, 2*testChunk+1)
			writeSeq(t, f, 0, data[:testChunk+1], 1<<16)
			waitPutSent(t, f)
			if change {
				mode.Store("0600")
			}
			writeSeq(t, f, testChunk+1, data[testChunk+1:], 1<<16)
			mustClose(t, f)
			res := f.LastSync()
			if res.NeedsMeta() != change {
				t.Errorf("NeedsMeta = %v (method %v), want %v", res.NeedsMeta(), res.Method, change)
			}
			attrs, err := c.HeadObject(t.Context(), bck, name)
			if err != nil {
				t.Fatal(err)
			}
			if attrs.Custom["k"] != "v" || attrs.Custom["mode"] != "0644" {
				t.Errorf("custom metadata %v, want k=v and the mode from the start, 0644", attrs.Custom)
			}
			checkBytes(t, "object", getObject(t, c, bck, name), data)
		})
	}
}

// TestStreamingPutFailure: the PUT's body is cut off mid-stream (a TCP reset on the way to
// the target), or its answer is an error: Close resends from the staging file and the
// object is right; an older object is never replaced by a partial one.
func TestStreamingPutFailure(t *testing.T) {
	tests := []struct {
		name   string
		action aiscluster.Action
	}{
		{"reset mid-body", aiscluster.ResetMidBody(3 * testChunk / 2)},
		{"503", aiscluster.Status(http.StatusServiceUnavailable)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, viaProxy, direct := newFaultProxy(t)
			bck := newBucket(t, direct)
			m, rec := newManager(t, viaProxy, nil)
			name := objectName(t)
			old := randBytes(uint64(700+i), 100)
			putObject(t, direct, bck, name, old)
			rule := targetPut
			rule.Times = 1
			rule.Action = tt.action
			fault := proxy.AddRule(rule)
			data := randBytes(uint64(800+i), 3*testChunk+5)
			f := open(t, m, bck, name, Truncate, OpenOptions{Exists: true})
			writeSeq(t, f, 0, data[:2*testChunk], 1<<16)
			// The transport learns of the failure only when the body can go on (more writes,
			// or Close ending it), so do not wait for the PUT to end: AIS has none of it.
			for fault.Fired() == 0 {
				time.Sleep(time.Millisecond)
			}
			checkBytes(t, "old object after the failed PUT", getObject(t, direct, bck, name), old)
			writeSeq(t, f, 2*testChunk, data[2*testChunk:], 1<<16)
			mustClose(t, f)
			if fault.Fired() == 0 {
				t.Fatal("the fault never fired")
			}
			if streamedPuts(f) != 1 {
				t.Errorf("%d streaming PUTs, want 1", streamedPuts(f))
			}
			checkBytes(t, "object", getObject(t, direct, bck, name), data)
			if len(rec.find("upload failed")) != 0 {
				t.Error("a recovered upload was logged as failed")
			}
		})
	}
}

func TestStreamingPutBodyReads(t *testing.T) {
	// The body hands out exactly the content, in any read sizes, and ends at Sync's size.
	s, bck := memBucket(t)
	m, _ := newManager(t, s, nil)
	for _, piece := range []int{4093, 1 << 20, 3*testChunk + 1} {
		f := open(t, m, bck, "f", Truncate, OpenOptions{})
		data := randBytes(uint64(piece), 2*testChunk+99)
		writeSeq(t, f, 0, data, piece)
		mustClose(t, f)
		checkBytes(t, "stored", memData(t, s, bck, "f"), data)
		if s.Calls(memstore.OpAppend) != 0 {
			t.Fatalf("piece %d: appends, want one streaming PUT", piece)
		}
	}
}
