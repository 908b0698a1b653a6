package writeback

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// newFaultProxy puts a fault-injecting proxy in front of the shared cluster and returns a
// client through it, and a direct one for checking results.
func newFaultProxy(t *testing.T) (*aiscluster.FaultProxy, *aisclient.Client, *aisclient.Client) {
	t.Helper()
	direct := newClient(t)
	p, err := aiscluster.NewFaultProxy(aiscluster.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, newClient(t, p.URL()), direct
}

var appendOnly = aiscluster.Rule{Method: http.MethodPut, Query: "append_type=append"}

// TestAppendFailureRecovered: the chain breaks on its 2nd append; Sync recovers with a PUT
// of the staging file and the object is right.
func TestAppendFailureRecovered(t *testing.T) {
	tests := []struct {
		name   string
		action aiscluster.Action
	}{
		{"reset", aiscluster.Reset()},
		{"503", aiscluster.Status(http.StatusServiceUnavailable)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, viaProxy, direct := newFaultProxy(t)
			bck := newBucket(t, direct)
			m, rec := newManager(t, viaProxy, chainOnly)
			name := objectName(t)
			data := randBytes(uint64(500+i), 3*testChunk+100)
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			writeSeq(t, f, 0, data[:testChunk], 256<<10)
			waitIdle(f)
			if got := chainSent(f); got != testChunk {
				t.Fatalf("first append: chain holds %d bytes, want %d", got, testChunk)
			}
			rule := appendOnly
			rule.Action = tt.action
			fault := proxy.AddRule(rule) // every later append fails
			writeSeq(t, f, testChunk, data[testChunk:], 256<<10)
			waitIdle(f)
			if err := f.Sync(t.Context()); err != nil {
				t.Fatalf("Sync: %v", err)
			}
			if fault.Fired() == 0 {
				t.Fatal("the fault never fired")
			}
			if got := f.LastSync().Method; got != MethodPut {
				t.Errorf("recovered by %v, want a PUT", got)
			}
			checkBytes(t, "object", getObject(t, direct, bck, name), data)
			mustClose(t, f)
			if len(rec.find("upload failed")) != 0 {
				t.Error("a recovered upload was logged as failed")
			}
		})
	}
}

// TestUploadFailureKept: every upload fails. Sync reports it (AIS errors visible), keeps
// the complete content in the staging file, logs where, and stays failed.
func TestUploadFailureKept(t *testing.T) {
	tests := []struct {
		name string
		size int
	}{
		{"small", 1000},
		{"multi-chunk", 2*testChunk + 10},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, viaProxy, direct := newFaultProxy(t)
			bck := newBucket(t, direct)
			m, rec := newManager(t, viaProxy, func(c *Config) { c.OpTimeout = 2 * time.Second })
			proxy.AddRule(aiscluster.Rule{Method: http.MethodPut, Action: aiscluster.Status(http.StatusServiceUnavailable)})
			name := objectName(t)
			data := randBytes(uint64(600+i), tt.size)
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			writeSeq(t, f, 0, data, 256<<10)

			err := f.Sync(t.Context())
			switch {
			case err == nil:
				t.Fatal("Sync succeeded with every upload failing")
			case !errors.Is(err, aisclient.ErrUnavailable):
				t.Errorf("Sync error %v does not match aisclient.ErrUnavailable", err)
			case !errors.Is(err, ErrUploadFailed):
				t.Errorf("Sync error %v does not match ErrUploadFailed", err)
			case !strings.Contains(err.Error(), f.Path()):
				t.Errorf("Sync error %q does not name the staging file %s", err, f.Path())
			}
			if !f.Dirty() {
				t.Error("not Dirty after a failed Sync")
			}
			checkStaging(t, f.Path(), data)
			logs := rec.find("upload failed")
			if len(logs) != 1 {
				t.Fatalf("%d 'upload failed' log records, want 1", len(logs))
			}
			for k, v := range map[string]string{"op": "sync", "bucket": bck.String(), "object": name, "path": f.Path()} {
				if logs[0][k] != v {
					t.Errorf("log %s = %q, want %q", k, logs[0][k], v)
				}
			}

			proxy.ClearRules() // even with AIS back, the failure stays latched
			if err2 := f.Sync(t.Context()); err2 == nil || !errors.Is(err2, aisclient.ErrUnavailable) {
				t.Errorf("second Sync = %v, want the latched error", err2)
			}
			if _, err := f.WriteAt([]byte("more"), int64(tt.size)); err != nil {
				t.Errorf("WriteAt after a failed Sync: %v", err)
			}
			data = append(data, "more"...)
			if err := f.Close(t.Context()); err == nil {
				t.Error("Close of a failed File returned nil")
			}
			checkStaging(t, f.Path(), data)
			if err := f.Close(t.Context()); err == nil {
				t.Error("second Close returned nil")
			}
			if s := m.Stats(); s.FailedFiles != 1 || s.StagingBytes != 0 || s.OpenFiles != 0 {
				t.Errorf("Stats = %+v, want 1 failed file, staging released", s)
			}
			if _, _, err := direct.GetObject(t.Context(), bck, name); !errors.Is(err, aisclient.ErrNotFound) {
				t.Errorf("GetObject of the failed object: %v, want ErrNotFound (no partial object)", err)
			}
		})
	}
}

func checkStaging(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("staging file: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("staging file holds %d bytes, not the %d written", len(got), len(want))
	}
}

// TestShutdown finishes every open File: streamed, small, edited, and never written.
func TestShutdown(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	putObject(t, c, bck, "edited", []byte("0123456789"))
	type file struct {
		f    *File
		name string
		want []byte
	}
	var files []file
	for i, size := range []int{0, 10, 1000, testChunk + 5, 3 * testChunk} {
		name := "shutdown/" + string(rune('a'+i))
		data := randBytes(uint64(700+i), size)
		f := open(t, m, bck, name, Truncate, OpenOptions{})
		writeSeq(t, f, 0, data, 128<<10)
		files = append(files, file{f, name, data})
	}
	e := open(t, m, bck, "edited", Edit, OpenOptions{Size: 10})
	writeSeq(t, e, 10, []byte("abc"), 3)
	files = append(files, file{e, "edited", []byte("0123456789abc")})
	untouched := open(t, m, bck, "edited", Edit, OpenOptions{Size: 10})

	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, x := range files {
		checkBytes(t, x.name, getObject(t, c, bck, x.name), x.want)
		if err := x.f.Close(t.Context()); err != nil {
			t.Errorf("Close after Shutdown: %v", err)
		}
	}
	if untouched.LastSync().Method != MethodNone {
		t.Error("an untouched Edit file was uploaded")
	}
	if left := stagingFiles(t, m.cfg.Dir); len(left) != 0 {
		t.Errorf("staging files left after Shutdown: %v", left)
	}
	if _, err := m.Open(t.Context(), bck, "late", Truncate, OpenOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Open after Shutdown: %v, want ErrClosed", err)
	}
}
