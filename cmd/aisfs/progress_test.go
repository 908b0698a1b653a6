package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	tests := []struct {
		name   string
		tty    bool
		total  int64
		bytes  bool
		count  int64
		nbytes int64
		want   []string // in the output
		not    []string
	}{
		{"terminal, objects", true, 10, false, 5, 3 << 20, []string{"\r", "[###############...............]", "5 of 10 objects, 3.0 MiB", "\033[K"}, nil},
		{"terminal, unknown total", true, 0, false, 7, 1024, []string{"7 objects, 1.0 KiB"}, []string{"[#", "[."}},
		{"terminal, bytes", true, 4 << 20, true, 1, 1 << 20, []string{"[#######.......................]", "1.0 MiB of 4.0 MiB"}, nil},
		{"terminal, past the total", true, 2, false, 3, 0, []string{"[##############################]"}, nil},
		{"pipe", false, 10, false, 5, 0, []string{"job x: 5 of 10 objects, 0 B\n"}, []string{"\r", "\033", "#"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&buf, "job x", tc.total, tc.bytes)
			p.tty = tc.tty
			p.update(tc.count, tc.nbytes)
			p.end()
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("output %q has %q", out, w)
				}
			}
		})
	}
	// Off a terminal, at most one line per plainEvery.
	var buf bytes.Buffer
	p := newProgress(&buf, "j", 100, false)
	for i := range 50 {
		p.update(int64(i), 0)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Errorf("%d lines for 50 quick updates, want 1", n)
	}
	p.last = time.Now().Add(-plainEvery)
	p.update(60, 0)
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Errorf("%d lines after plainEvery, want 2", n)
	}
}
