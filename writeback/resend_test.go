package writeback

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// targetPut is the leg of a PUT (whole object, append or flush) that carries the body: the
// one AIS redirected to its target.
var targetPut = aiscluster.Rule{Method: http.MethodPut, PathContains: "/v1/objects/", Query: "pid="}

// loud returns the records at warn level or above: what an operator sees.
func loud(rec *logRecorder) []map[string]string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []map[string]string
	for _, r := range rec.recs {
		if r["level"] == "WARN" || r["level"] == "ERROR" {
			out = append(out, r)
		}
	}
	return out
}

// TestResendUntilAISIsBack: the chain breaks and the next uploads fail too, as while AIS
// restarts; Sync keeps sending the staging file until one lands, and AIS holds the bytes.
func TestResendUntilAISIsBack(t *testing.T) {
	tests := []struct {
		name   string
		action aiscluster.Action
	}{
		{"500", aiscluster.Status(http.StatusInternalServerError)},
		{"503", aiscluster.Status(http.StatusServiceUnavailable)},
		{"reset", aiscluster.Reset()},
	}
	const failures = 6
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, viaProxy, direct := newFaultProxy(t)
			bck := newBucket(t, direct)
			m, rec := newManager(t, viaProxy, nil)
			name := objectName(t)
			data := randBytes(uint64(900+i), 3*testChunk+321)
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			writeSeq(t, f, 0, data[:testChunk], 256<<10)
			waitIdle(f)
			rule := targetPut
			rule.Times, rule.Action = failures, tt.action
			fault := proxy.AddRule(rule)
			writeSeq(t, f, testChunk, data[testChunk:], 256<<10)
			waitIdle(f)

			if err := f.Sync(t.Context()); err != nil {
				t.Fatalf("Sync: %v", err)
			}
			if got := fault.Fired(); got != failures {
				t.Fatalf("the fault fired %d times, want %d", got, failures)
			}
			if got := f.LastSync().Method; got != MethodPut {
				t.Errorf("finished by %v, want a PUT of the staging file", got)
			}
			checkBytes(t, "object", getObject(t, direct, bck, name), data)
			mustClose(t, f)
			if logs := loud(rec); len(logs) != 0 {
				t.Errorf("a recovered upload logged %v", logs)
			}
			if logs := rec.find("after resending"); len(logs) != 1 {
				t.Errorf("%d 'after resending' records, want 1", len(logs))
			}
		})
	}
}

// TestResendBudget: AIS never takes the upload, or never answers. Sync gives up once
// OpTimeout has passed, with an I/O error (not a timeout of the caller's), after resending;
// the failure is logged once, whatever is called afterwards.
func TestResendBudget(t *testing.T) {
	tests := []struct {
		name   string
		action aiscluster.Action
		is     error
	}{
		{"503", aiscluster.Status(http.StatusServiceUnavailable), aisclient.ErrUnavailable},
		{"stall", aiscluster.Stall(time.Hour), nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, _, direct := newFaultProxy(t)
			viaProxy, err := aisclient.New(aisclient.Config{Endpoint: proxy.URL(), RetryBackoff: time.Millisecond,
				ResponseHeaderTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			bck := newBucket(t, direct)
			m, rec := newManager(t, viaProxy, func(c *Config) { c.OpTimeout = time.Second })
			rule := targetPut
			rule.Action = tt.action
			proxy.AddRule(rule)
			name := objectName(t)
			data := randBytes(uint64(950+i), 1000)
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			writeSeq(t, f, 0, data, 1000)

			err = f.Sync(t.Context())
			switch {
			case err == nil:
				t.Fatal("Sync succeeded with AIS refusing every upload")
			case !errors.Is(err, ErrUploadFailed):
				t.Errorf("Sync error %v does not match ErrUploadFailed", err)
			case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
				t.Errorf("Sync error %v matches a context error: the caller would see a timeout of its own", err)
			case !errors.Is(err, errBudget):
				t.Errorf("Sync error %v does not say the operation timeout passed", err)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("Sync error %v does not match %v", err, tt.is)
			}
			if n := proxy.Count(targetPut); n < 2 {
				t.Errorf("%d PUTs reached the target leg: the staging file was not sent again", n)
			}
			if err := f.Close(t.Context()); !errors.Is(err, ErrUploadFailed) {
				t.Errorf("Close = %v, want the latched failure", err)
			}
			checkStaging(t, f.Path(), data)
			logs := loud(rec)
			if len(logs) != 1 {
				t.Fatalf("%d warn/error records for one failed upload, want 1: %v", len(logs), logs)
			}
			if logs[0]["path"] != f.Path() || !strings.Contains(logs[0]["msg"], "staging file") {
				t.Errorf("the failure's log record %v does not name the staging file %s", logs[0], f.Path())
			}
		})
	}
}

// TestPermanentFailureNotResent: a refusal that the same bytes cannot overcome ends the upload
// at its first attempt.
func TestPermanentFailureNotResent(t *testing.T) {
	proxy, viaProxy, direct := newFaultProxy(t)
	bck := newBucket(t, direct)
	m, _ := newManager(t, viaProxy, nil)
	rule := targetPut
	rule.Action = aiscluster.Status(http.StatusForbidden)
	proxy.AddRule(rule)
	f := open(t, m, bck, objectName(t), Truncate, OpenOptions{})
	writeSeq(t, f, 0, []byte("refused"), 7)
	if err := f.Sync(t.Context()); !errors.Is(err, aisclient.ErrUnauthorized) {
		t.Fatalf("Sync = %v, want ErrUnauthorized", err)
	}
	if n := proxy.Count(targetPut); n != 1 {
		t.Errorf("%d PUTs for a refused upload, want 1", n)
	}
}
