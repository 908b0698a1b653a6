package faults

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestFailedUploadLoggedOnce: AIS refuses every upload for longer than --op-timeout. close(2)
// returns EIO, the bytes stay in the staging file, and the log has exactly one warn/error
// line for it, naming that file.
func TestFailedUploadLoggedOnce(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	c := newClient(t, ep)
	bck := newBucket(t, c)
	fp, err := aiscluster.NewFaultProxy(ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fp.Close)
	m := mountBucket(t, fp.URL(), bck, "--op-timeout", "3s")
	fp.AddRule(aiscluster.Rule{Method: http.MethodPut, PathContains: "/v1/objects/", Query: "pid=",
		Action: aiscluster.Status(http.StatusServiceUnavailable)})

	for _, size := range []int{1000, 20 << 20} { // one PUT; a streamed chain, then PUTs
		data := genBytes(uint64(size), size)
		name := fmt.Sprintf("doomed-%d", size)
		before := len(loudLines(m.log(t)))
		f, err := os.Create(filepath.Join(m.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); !errors.Is(err, syscall.EIO) {
			t.Fatalf("close of %d bytes with AIS refusing uploads: %v, want EIO", size, err)
		}
		m.stop(t) // SIGTERM: the release (a second line would come from it) has run once aisfs exits
		loud := loudLines(m.log(t))[before:]
		if len(loud) != 1 {
			t.Fatalf("%d warn/error log lines for one failed upload of %d bytes, want 1:\n%s", len(loud), size, strings.Join(loud, "\n"))
		}
		var kept string
		filepath.WalkDir(m.staging, func(p string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && strings.Contains(p, name) {
				if b, _ := os.ReadFile(p); bytes.Equal(b, data) {
					kept = p
				}
			}
			return nil
		})
		if kept == "" {
			t.Fatalf("the %d bytes are not in a staging file", size)
		}
		if !strings.Contains(loud[0], kept) {
			t.Errorf("the log line does not name the staging file %s: %s", kept, loud[0])
		}
		m = mountBucket(t, fp.URL(), bck, "--op-timeout", "3s")
	}
}
