package fs

import (
	"fmt"
	"testing"
)

// READDIRPLUS looks an entry up right after taking it, and after an interrupted reply again
// the entries of that reply: the ring of recent entries finds both, and the latest of a name.
func TestDirHandleRecalls(t *testing.T) {
	h := &dirHandle{}
	if h.recalled("x") != nil {
		t.Fatal("an empty ring recalled x")
	}
	total := recentMax + recentMax/2
	for i := range total {
		h.remember(&dirent{name: fmt.Sprint(i)})
	}
	again := &dirent{name: fmt.Sprint(total - 5)}
	h.remember(again)
	for _, tc := range []struct {
		name string
		want bool
	}{
		{fmt.Sprint(total - 1), true},
		{fmt.Sprint(total - recentMax + 1), true}, // the oldest still held
		{fmt.Sprint(total - recentMax), false},    // pushed out by the last remember
		{"0", false},
		{"nope", false},
	} {
		if got := h.recalled(tc.name); (got != nil) != tc.want || got != nil && got.name != tc.name {
			t.Errorf("recalled(%s) = %v, want found %v", tc.name, got, tc.want)
		}
	}
	if h.recalled(again.name) != again {
		t.Errorf("a name handed out twice: recalled the older entry")
	}
	if len(h.recent) != recentMax {
		t.Errorf("ring holds %d, want %d", len(h.recent), recentMax)
	}
}
