package fs

import (
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// TestOverlayResolve walks every branch of overlay.resolve: which of the overlay and the listing
// speaks for a name, and when the answer is not final.
func TestOverlayResolve(t *testing.T) {
	t0 := time.Unix(1000, 0)
	before, after := t0.Add(-time.Second), t0.Add(time.Second)
	file := &dirent{name: "n", attr: objAttr{size: 7}}
	dir := &dirent{name: "n", isDir: true}
	mk := func(complete bool, ents ...*dirent) *listing {
		var page []aisclient.Entry
		for _, e := range ents {
			name := e.name
			if e.isDir {
				name += "/"
			}
			page = append(page, aisclient.Entry{Name: name, IsDir: e.isDir, Size: e.attr.size})
		}
		return buildListing("", page, complete, t0)
	}
	tests := []struct {
		name      string
		local     *dirent
		removedAt time.Time
		l         *listing
		want      *dirent // nil: not there
		final     bool
		keepLocal bool // the overlay entry survives
		keepGone  bool // the removal survives
	}{
		{"no listing, nothing local", nil, time.Time{}, nil, nil, false, false, false},
		{"listed", nil, time.Time{}, mk(true, file), file, true, false, false},
		{"not in a complete listing", nil, time.Time{}, mk(true), nil, true, false, false},
		{"not in a cut-short listing", nil, time.Time{}, mk(false), nil, false, false, false},
		{"local, no listing", &dirent{name: "n", at: before}, time.Time{}, nil, &dirent{}, true, true, false},
		{"pending beats a newer listing", &dirent{name: "n", at: before, pending: true}, time.Time{}, mk(true), &dirent{}, true, true, false},
		{"local newer than the listing", &dirent{name: "n", at: after}, time.Time{}, mk(true, file), &dirent{}, true, true, false},
		{"local as new as the listing", &dirent{name: "n", at: t0}, time.Time{}, mk(true), &dirent{}, true, true, false},
		{"mkdir not in AIS yet", &dirent{name: "n", isDir: true, at: before}, time.Time{}, mk(true), &dirent{}, true, true, false},
		{"newer listing speaks", &dirent{name: "n", at: before}, time.Time{}, mk(true, file), file, true, false, false},
		{"newer listing says gone", &dirent{name: "n", at: before}, time.Time{}, mk(true), nil, true, false, false},
		{"removed, no listing", nil, before, nil, nil, true, false, true},
		{"removed after the listing", nil, after, mk(true, file), nil, true, false, true},
		{"recreated elsewhere", nil, before, mk(true, file), file, true, false, false},
		{"ghost stays hidden", nil, before, mk(true, dir), nil, true, false, true},
		{"removal confirmed", nil, before, mk(true), nil, true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o overlay
			if tc.local != nil {
				o.add(tc.local)
			}
			if !tc.removedAt.IsZero() {
				o.remove("n", tc.removedAt)
			}
			got, ok, final := o.resolve("n", tc.l, tc.l != nil && tc.l.isComplete())
			if want := tc.want != nil; ok != want || final != tc.final {
				t.Fatalf("resolve = %v, %v, final %v; want found %v, final %v", got, ok, final, want, tc.final)
			}
			switch {
			case tc.want == nil:
			case tc.want.name == "": // the local entry
				if got != tc.local {
					t.Errorf("got %+v, want the local entry", got)
				}
			case got.name != tc.want.name || got.isDir != tc.want.isDir || got.attr.size != tc.want.attr.size:
				t.Errorf("got %+v, want the listed entry %+v", got, tc.want)
			}
			_, local := o.local["n"]
			_, gone := o.removed["n"]
			if local != tc.keepLocal || gone != tc.keepGone {
				t.Errorf("after resolve: local %v removed %v, want %v %v", local, gone, tc.keepLocal, tc.keepGone)
			}
		})
	}
}
