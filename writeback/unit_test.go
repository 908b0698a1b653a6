package writeback

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

func TestFrontier(t *testing.T) {
	tests := []struct {
		name  string
		adds  []extent
		trunc int64 // applied after adds when > 0
		end   int64
		ahead []extent
	}{
		{"sequential", []extent{{0, 10}, {10, 20}}, 0, 20, nil},
		{"overlap", []extent{{0, 10}, {5, 15}}, 0, 15, nil},
		{"gap", []extent{{0, 10}, {20, 30}}, 0, 10, []extent{{20, 30}}},
		{"gap filled", []extent{{0, 10}, {20, 30}, {10, 20}}, 0, 30, nil},
		{"partial fill", []extent{{0, 10}, {20, 30}, {10, 15}}, 0, 15, []extent{{20, 30}}},
		{"ahead merged", []extent{{20, 30}, {40, 50}, {25, 45}}, 0, 0, []extent{{20, 50}}},
		{"ahead touching", []extent{{20, 30}, {30, 40}}, 0, 0, []extent{{20, 40}}},
		{"ahead sorted", []extent{{40, 50}, {20, 30}}, 0, 0, []extent{{20, 30}, {40, 50}}},
		{"truncate clips", []extent{{0, 10}, {20, 30}, {40, 50}}, 25, 10, []extent{{20, 25}}},
		{"truncate end", []extent{{0, 10}}, 4, 4, nil},
		{"empty write", []extent{{5, 5}}, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fr frontier
			for _, e := range tt.adds {
				fr.add(e.off, e.end)
			}
			if tt.trunc > 0 {
				fr.truncate(tt.trunc)
			}
			if fr.end != tt.end || !slices.Equal(fr.ahead, tt.ahead) {
				t.Errorf("end %d ahead %v, want %d %v", fr.end, fr.ahead, tt.end, tt.ahead)
			}
		})
	}
	t.Run("bounded", func(t *testing.T) {
		var fr frontier
		for i := range 2 * maxAhead {
			fr.add(int64(10+2*i), int64(11+2*i))
		}
		if len(fr.ahead) != maxAhead || fr.ahead[0].off != 10 {
			t.Errorf("ahead = %v: want the %d nearest", fr.ahead, maxAhead)
		}
	})
}

func TestEscapeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain.txt", "plain.txt"},
		{"dir/sub/file", "dir%2Fsub%2Ffile"},
		{"100%", "100%25"},
		{".hidden", "%2Ehidden"},
		{"a:b", "a%3Ab"},
		{"tab\there", "tab%09here"},
		{"ünïcode", "ünïcode"},
		{strings.Repeat("x", 300), strings.Repeat("x", maxStagingName) + "~"},
		{strings.Repeat("x", 198) + "/yy", strings.Repeat("x", 198) + "~"}, // never half an escape
		{strings.Repeat("x", 199) + "ü", strings.Repeat("x", 199) + "~"},   // never half a rune
	}
	for _, tt := range tests {
		if got := escapeName(tt.in); got != tt.want {
			t.Errorf("escapeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bck := range []aisclient.Bck{{Name: "b"}, {Name: "b", Provider: "aws"}, {Name: "b", Namespace: "#ns"}} {
		f, err := createStaging(t.TempDir(), bck, "dir/obj")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		base := filepath.Base(f.Name())
		if !strings.HasPrefix(base, "dir%2Fobj.") || !strings.HasSuffix(base, ".aisfs") {
			t.Errorf("%s: staging file %s", bck, f.Name())
		}
		if dir := filepath.Base(filepath.Dir(f.Name())); strings.Contains(dir, "/") || bck.Provider == "" && bck.Namespace == "" && dir != "b" {
			t.Errorf("%s: bucket directory %q", bck, dir)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{Dir: "/tmp/x"}, true},
		{"no dir", Config{}, false},
		{"negative staging", Config{Dir: "d", MaxStaging: -1}, false},
		{"huge chunk", Config{Dir: "d", ChunkSize: 2 << 30}, false},
		{"negative in-flight", Config{Dir: "d", MaxInFlight: -5}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}

func TestBudget(t *testing.T) {
	b := newBudget(10)
	ctx := context.Background()
	if n, err := b.acquire(ctx, 100); err != nil || n != 10 {
		t.Fatalf("acquire over max = %d, %v; want clamped to 10", n, err)
	}
	granted := make(chan int64)
	go func() {
		n, _ := b.acquire(ctx, 4)
		granted <- n
	}()
	// A cancelled waiter behind must not block or leak.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.acquire(cctx, 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire with an ended ctx: %v", err)
	}
	b.release(10)
	if n := <-granted; n != 4 {
		t.Fatalf("waiter got %d", n)
	}
	if got := b.inUse(); got != 4 {
		t.Fatalf("inUse = %d, want 4", got)
	}
	b.release(4)
}

// TestFlatten: a failure that ran out of time hides the context error but keeps AIS's.
func TestFlatten(t *testing.T) {
	aisErr := fmt.Errorf("put: %w; last error: %w", context.DeadlineExceeded, aisclient.ErrUnavailable)
	tests := []struct {
		err             error
		unavailable, dl bool
	}{
		{aisErr, true, false},
		{fmt.Errorf("x: %w", context.Canceled), false, false},
		{aisclient.ErrNoSpace, false, false},
	}
	for _, tt := range tests {
		got := flatten(tt.err)
		if errors.Is(got, aisclient.ErrUnavailable) != tt.unavailable || errors.Is(got, context.DeadlineExceeded) != tt.dl ||
			errors.Is(got, context.Canceled) || got.Error() != tt.err.Error() {
			t.Errorf("flatten(%v) = %v: unavailable %v, deadline %v", tt.err, got,
				errors.Is(got, aisclient.ErrUnavailable), errors.Is(got, context.DeadlineExceeded))
		}
	}
	if !errors.Is(flatten(aisclient.ErrNoSpace), aisclient.ErrNoSpace) {
		t.Error("flatten hid an error without a context in it")
	}
}
