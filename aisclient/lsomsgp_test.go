package aisclient

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The msgpack list page as the real cluster sends it must decode to exactly what its JSON says,
// for every property and for names, values and metadata that JSON escapes.
func TestListMsgpackMatchesJSON(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	objs := map[string]PutOptions{
		"d/a":              {},
		"d/b b":            {Custom: map[string]string{"mode": "0100644", "mtime": "1700000000.5"}},
		"d/ü\"q\\x":        {Custom: map[string]string{"k": "v with space", "weird": "a=b,c:d\"ü"}},
		"d/sub/deep":       {},
		"d/" + long(200):   {},
		"d/sub2/x/y/z/end": {},
	}
	for name, o := range objs {
		put(t, c, bck, name, strings.Repeat("x", len(name)), o)
	}
	all := strings.Join([]string{"name", "size", "version", "checksum", "atime", "custom", "location", "copies"}, ",")
	for _, tc := range []struct {
		name  string
		msg   lsoMsg
		pages int
	}{
		{"recursive, all props", lsoMsg{Props: all, Prefix: "d/", Flags: "0"}, 1},
		{"one level", lsoMsg{Props: all, Prefix: "d/", Flags: fmt.Sprint(lsNoRecursion)}, 1},
		{"pages of 2", lsoMsg{Props: "name,size", Prefix: "d/", Flags: "0", PageSize: 2}, 3},
		{"nothing", lsoMsg{Props: all, Prefix: "none/", Flags: "0"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.msg.TimeFormat = "2006-01-02T15:04:05.999999999Z07:00"
			var js, mp []Entry
			for _, side := range []struct {
				accept string
				out    *[]Entry
			}{{"application/json", &js}, {contentMsgpack, &mp}} {
				msg := tc.msg
				for range 10 {
					page, err := c.listPage(t.Context(), bck, &msg, side.accept)
					if err != nil {
						t.Fatal(err)
					}
					if got := page.msgpack != ""; got != (side.accept == contentMsgpack) {
						t.Fatalf("asked for %s, got msgpack %v", side.accept, got)
					}
					ents, err := page.decode()
					if err != nil {
						t.Fatal(err)
					}
					if page.len() != len(ents) {
						t.Errorf("%s: page says %d entries, decoded %d", side.accept, page.len(), len(ents))
					}
					*side.out = append(*side.out, ents...)
					if page.ContinuationToken == "" {
						break
					}
					msg.ContinuationToken, msg.UUID = page.ContinuationToken, page.UUID
				}
			}
			// AIS renders custom metadata from a map: its keys come in no fixed order.
			for _, ents := range [][]Entry{js, mp} {
				for i := range ents {
					f := strings.Fields(strings.Trim(ents[i].CustomRaw, "[]"))
					slices.Sort(f)
					ents[i].CustomRaw = strings.Join(f, " ")
				}
			}
			if !reflect.DeepEqual(js, mp) {
				t.Errorf("msgpack listing differs from JSON:\n json %+v\n msgp %+v", js, mp)
			}
			if want := tc.msg.Prefix == "d/"; want && len(mp) == 0 {
				t.Errorf("listed nothing")
			}
		})
	}
}

func long(n int) string { return strings.Repeat("n", n) }

// Every malformed or truncated page is an error, never a panic or a short page.
func TestDecodeLsoMsgpack(t *testing.T) {
	// One page as AIS encodes it: map{UUID, ContinuationToken, Entries[map{n, s, f}], Flags}.
	entry := "\x83\xa1n\xa3d/x\xa1s\xcd\x01\x00\xa1f\x40"
	page := "\x84\xa4UUID\xa3abc\xb1ContinuationToken\xa0\xa7Entries\x91" + entry + "\xa5Flags\x00"
	for _, tc := range []struct {
		name string
		body string
		want []Entry // nil: an error
	}{
		{"page", page, []Entry{{Name: "d/x", Size: 256, Present: true}}},
		{"null entries", "\x84\xa4UUID\xa3abc\xb1ContinuationToken\xa0\xa7Entries\xc0\xa5Flags\x00", []Entry{}},
		{"nil entry dropped", "\x81\xa7Entries\x92\xc0" + entry, []Entry{{Name: "d/x", Size: 256, Present: true}}},
		{"unknown keys of every type skipped", "\x81\xa7Entries\x91\x8b" +
			"\xa1n\xd9\x03d/y" + // str8
			"\xa1x\xcb12345678" + // float64
			"\xa1y\x92\x01\xd2\xff\xff\xff\xff" + // array: fixint, int32
			"\xa1z\x81\xa1k\xc3" + // map: bool
			"\xa1w\xc4\x02ab" + // bin8
			"\xa1e\xd6\x01abcd" + // fixext4
			"\xa1E\xc7\x02\x05ab" + // ext8
			"\xa1s\xcf\x00\x00\x00\x01\x00\x00\x00\x00" + // uint64
			"\xa1c\xd0\xff" + // int8: -1
			"\xa1v\xda\x00\x011" + // str16
			"\xa1m\xdb\x00\x00\x00\x05[a:b]", // str32
			[]Entry{{Name: "d/y", Size: 1 << 32, Copies: -1, Version: "1", CustomRaw: "[a:b]"}}},
		{"empty", "", nil},
		{"not a map", "\x91\xc0", nil},
		{"truncated header", page[:3], nil},
		{"truncated in an entry", page[:len(page)-12], nil},
		{"truncated string", "\x81\xa7Entries\x91\x81\xa1n\xa5d/", nil},
		{"size out of range", "\x81\xa7Entries\x91\x81\xa1s\xcf\xff\xff\xff\xff\xff\xff\xff\xff", nil},
		{"string where a count goes", "\x81\xa7Entries\xa1x", nil},
		{"huge array count", "\x81\xa7Entries\xdd\xff\xff\xff\xff", nil},
		{"huge string length", "\x81\xa7Entries\x91\x81\xa1n\xdb\xff\xff\xff\xff", nil},
		{"never-used byte", "\x81\xa1q\xc1", nil},
		{"trailing bytes", page + "\x00", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p lsoPage
			err := decodeLsoMsgpack(tc.body, &p, true)
			if tc.want == nil {
				if !errors.Is(err, errMsgpack) {
					t.Fatalf("err = %v, want errMsgpack (entries %+v)", err, p.entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.entries, tc.want) && !(len(p.entries) == 0 && len(tc.want) == 0) {
				t.Errorf("entries %+v, want %+v", p.entries, tc.want)
			}
			var quick lsoPage
			if err := decodeLsoMsgpack(tc.body, &quick, false); err != nil || quick.UUID != p.UUID ||
				quick.ContinuationToken != p.ContinuationToken || quick.count != p.count {
				t.Errorf("quick pass: %+v, %v; full pass %+v", quick, err, p)
			}
		})
	}
}

// An error from the page callback ends the listing with that error, while the page after it
// is already being fetched.
func TestListCallbackErrorStops(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for i := range 9 {
		put(t, c, bck, fmt.Sprintf("o%d", i), "x", PutOptions{})
	}
	stop := errors.New("stop")
	for _, at := range []int{1, 2, 5} {
		pages := 0
		_, err := c.ListObjectsPages(t.Context(), bck, ListOptions{PageSize: 2}, func([]Entry) error {
			if pages++; pages == at {
				return stop
			}
			return nil
		})
		if err != stop || pages != at {
			t.Errorf("stop at page %d: %d pages, err %v", at, pages, err)
		}
	}
}
