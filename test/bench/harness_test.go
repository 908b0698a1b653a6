package bench

import (
	"io"
	"strings"
	"testing"
)

// The harness's own logic, checked without a cluster: what verifies data must catch bad data,
// and the table must compute what it says.

func TestVerifyCatchesBadData(t *testing.T) {
	const size = 3*blockSize + 100
	good := make([]byte, size)
	n, err := io.ReadFull(newGen(7, size), good)
	if err != nil || n != size {
		t.Fatalf("genReader: %d, %v", n, err)
	}
	if err := verify(7, 0, good); err != nil {
		t.Fatalf("whole object: %v", err)
	}
	if err := verify(7, blockSize-3, good[blockSize-3:blockSize+4096]); err != nil {
		t.Fatalf("a read across a block boundary: %v", err)
	}
	for _, tc := range []struct {
		name string
		k    uint64
		off  int64
		p    []byte
	}{
		{"other object", 8, 0, good[:4096]},
		{"other block", 7, 0, good[blockSize : blockSize+4096]},
		{"shifted by one", 7, 1, good[:4096]},
		{"flipped byte", 7, 0, func() []byte { p := append([]byte(nil), good[:9000]...); p[8999] ^= 1; return p }()},
		{"flipped stamp", 7, 0, func() []byte { p := append([]byte(nil), good[:16]...); p[2] ^= 1; return p }()},
	} {
		if err := verify(tc.k, tc.off, tc.p); err == nil {
			t.Errorf("%s: verify passed", tc.name)
		}
	}
}

func TestRowFigures(t *testing.T) {
	tput := &row{unit: "MB/s", proxy: []float64{100, 300, 200}, aisfs: []float64{50, 150}}
	times := &row{unit: "s", time: true, proxy: []float64{1, 1, 4}, aisfs: []float64{2, 2, 2}}
	for _, tc := range []struct{ got, want string }{
		{tput.figure(tput.proxy), "200 MB/s"},
		{tput.figure(tput.aisfs), "100 MB/s"},
		{tput.ratio(tput.proxy), "0.50"},
		{tput.figure(tput.target), "–"},
		{tput.ratio(tput.target), "–"},
		{times.figure(times.proxy), "1.00 s"},
		{times.ratio(times.proxy), "0.50"}, // direct time / aisfs time
		{count(1000000), "1,000,000"},
		{count(640), "640"},
		{sizeName(1 << 30), "1 GiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	var sb strings.Builder
	writeAligned(&sb, [][]string{{"a", "bb"}, {"ccc", "d"}})
	if want := "| a   | bb |\n| --- | -: |\n| ccc |  d |\n"; sb.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", sb.String(), want)
	}
}

func TestEpochTable(t *testing.T) {
	tableMu.Lock()
	saved, savedData := epochRows, epochData
	first := &epochRow{order: 0, cache: "on", epoch: 1, tput: []float64{100, 300, 200},
		served: []float64{3.001e+06, 3e6, 3e6}, rss: []float64{1 << 20}, cpu: []float64{1.5}}
	second := &epochRow{order: 1, cache: "on", epoch: 2, first: first, tput: []float64{500, 400},
		served: []float64{0, 0, 4096}, rss: []float64{2 << 20}, cpu: []float64{0.25}}
	epochRows, epochData = []*epochRow{second, first}, 3e6
	tableMu.Unlock()
	defer func() { tableMu.Lock(); epochRows, epochData = saved, savedData; tableMu.Unlock() }()

	_, cells := epochTable()
	want := [][]string{
		{"on", "1", "200 MB/s", "–", "2.9 MiB", "100.0%", "1 MiB", "1.50 s"},
		{"on", "2", "450 MB/s", "2.25", "0 B", "0.0%", "2 MiB", "0.25 s"},
	}
	if len(cells) != 1+len(want) {
		t.Fatalf("%d lines, want %d: %q", len(cells), 1+len(want), cells)
	}
	for i, w := range want {
		if got := strings.Join(cells[1+i], "|"); got != strings.Join(w, "|") {
			t.Errorf("row %d: got %s, want %s", i+1, got, strings.Join(w, "|"))
		}
	}
}
