package disk

import (
	"slices"
	"testing"
)

func TestIndexEviction(t *testing.T) {
	type op struct {
		do   string // add, touch, remove
		name string
		size int64
	}
	for _, tc := range []struct {
		name    string
		limit   int64
		ops     []op
		victims []string // in eviction order, across all ops
		used    int64
		held    []string
	}{
		{"fits", 3, []op{{"add", "a", 1}, {"add", "b", 1}, {"add", "c", 1}}, nil, 3, []string{"a", "b", "c"}},
		{"oldest goes first", 2, []op{{"add", "a", 1}, {"add", "b", 1}, {"add", "c", 1}}, []string{"a"}, 2, []string{"b", "c"}},
		{"a touch saves it", 2, []op{{"add", "a", 1}, {"add", "b", 1}, {"touch", "a", 0}, {"add", "c", 1}}, []string{"b"}, 2, []string{"a", "c"}},
		{"a big one evicts several", 4, []op{{"add", "a", 1}, {"add", "b", 1}, {"add", "c", 1}, {"add", "d", 3}}, []string{"a", "b"}, 4, []string{"c", "d"}},
		{"re-adding replaces", 2, []op{{"add", "a", 1}, {"add", "a", 2}}, nil, 2, []string{"a"}},
		{"removed bytes are free", 2, []op{{"add", "a", 1}, {"add", "b", 1}, {"remove", "a", 0}, {"add", "c", 1}}, nil, 2, []string{"b", "c"}},
		{"removing the unknown is harmless", 2, []op{{"remove", "x", 0}, {"add", "a", 2}}, nil, 2, []string{"a"}},
		{"touching the unknown says so", 2, []op{{"touch", "x", 0}}, nil, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newIndex(tc.limit)
			var victims []string
			for _, o := range tc.ops {
				switch o.do {
				case "add":
					victims = append(victims, x.add(o.name, o.size)...)
				case "touch":
					x.touch(o.name)
				case "remove":
					x.remove(o.name)
				}
			}
			if !slices.Equal(victims, tc.victims) {
				t.Errorf("victims %q, want %q", victims, tc.victims)
			}
			if x.used() != tc.used {
				t.Errorf("used %d, want %d", x.used(), tc.used)
			}
			held := x.lru.Keys()
			slices.Sort(held)
			if !slices.Equal(held, tc.held) && len(held)+len(tc.held) > 0 {
				t.Errorf("held %q, want %q", held, tc.held)
			}
		})
	}
}

func TestMakeRoomKeepsTheBound(t *testing.T) {
	x := newIndex(10)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		x.add(n, 2)
	}
	if v := x.makeRoom(5); !slices.Equal(v, []string{"a", "b", "c"}) || x.used()+5 > 10 {
		t.Fatalf("makeRoom(5) evicted %q, used %d: want a, b, c and room for 5 in 10", v, x.used())
	}
}
