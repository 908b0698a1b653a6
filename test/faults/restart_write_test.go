package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestWriteAcrossRestart restarts the real cluster under a writer on a mount. close(2)
// returns 0, and AIS then holds exactly the bytes written (content and checksum).
func TestWriteAcrossRestart(t *testing.T) {
	aiscluster.RequireFUSE(t)
	cl := aiscluster.Own(t)
	c := newClient(t, cl.Endpoint())
	bck := newBucket(t, c)
	m := mountBucket(t, cl.Endpoint(), bck, "--log-level", "debug") // default --op-timeout (2 min)

	const mib = 1 << 20
	tests := []struct {
		name   string
		size   int
		at     int  // MiB written when the restart begins
		down   bool // stop, write the rest, and start again only once close has begun
		pacing time.Duration
	}{
		// A slow writer: the restart (stop, start, rejoin: ~15 s) runs while it writes, and
		// close probably finds AIS still coming back.
		{name: "slow writer", size: 96 * mib, at: 32, pacing: 100 * time.Millisecond},
		// AIS is down when close starts: close waits for it within the budget.
		{name: "close while down", size: 24*mib + 12345, at: 20, down: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := make([]byte, tt.size)
			r := rand.New(rand.NewPCG(uint64(i), 77))
			for j := range data {
				data[j] = byte(r.Uint32())
			}
			src := filepath.Join(t.TempDir(), "src")
			if err := os.WriteFile(src, data, 0o644); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("big-%d.bin", i)
			events, done := slowWriter(t, src, filepath.Join(m.dir, name), tt.pacing, tt.at)
			restarted := make(chan error, 1)
			var t0 time.Time
			for ev := range events {
				switch {
				case ev == "mark" && tt.down:
					if err := cl.Stop(); err != nil {
						t.Fatal(err)
					}
				case ev == "mark":
					go func() {
						t0 := time.Now()
						err := cl.Restart(context.Background())
						t.Logf("restart took %v: %v", time.Since(t0).Round(time.Millisecond), err)
						restarted <- err
					}()
				case ev == "closing":
					t0 = time.Now()
					if tt.down {
						go func() { restarted <- cl.Start(context.Background()) }()
					}
				default:
					t.Errorf("writer: %s", ev)
				}
			}
			werr := <-done
			t.Logf("close took %v", time.Since(t0).Round(time.Millisecond))
			if err := <-restarted; err != nil {
				t.Fatalf("restart: %v", err)
			}
			if werr != nil {
				t.Fatalf("writer across a restart: %v", werr)
			}
			checkObject(t, c, bck, name, data)
		})
	}
	m.stop(t)
	if left, _ := filepath.Glob(filepath.Join(m.staging, "*", "*")); len(left) != 0 {
		t.Errorf("staging files left after clean closes: %v", left)
	}
	if loud := loudLines(m.log(t)); len(loud) != 0 {
		t.Logf("warnings while AIS restarted (%d):\n%s", len(loud), tail(fmt.Sprint(loud), 4<<10))
	}
}

// checkObject reads name straight from AIS and compares it, and its stored checksum, with want.
func checkObject(t *testing.T, c *aisclient.Client, bck aisclient.Bck, name string, want []byte) {
	t.Helper()
	got, err := readObject(t.Context(), c, bck, name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	if len(got) != len(want) || xxhash.Sum64(got) != xxhash.Sum64(want) {
		t.Fatalf("%s in AIS: %d bytes, xxhash %x; want %d bytes, %x", name, len(got), xxhash.Sum64(got), len(want), xxhash.Sum64(want))
	}
	attrs, err := c.HeadObject(t.Context(), bck, name)
	if err != nil {
		t.Fatal(err)
	}
	if sum := xxhash.Hex(xxhash.Sum64(want)); attrs.CksumType != "xxhash2" || attrs.CksumValue != sum {
		t.Errorf("%s: AIS checksum %s:%s, want xxhash2:%s", name, attrs.CksumType, attrs.CksumValue, sum)
	}
}
