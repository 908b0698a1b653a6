package fs

import (
	"hash/fnv"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

// inoOf hashes in place what it once hashed as one concatenated string: the numbers readdir
// reports stay what they were.
func TestInoOfIsFNVOfItsParts(t *testing.T) {
	for _, tc := range []struct {
		kind byte
		bck  aisclient.Bck
		path string
	}{
		{kindFile, aisclient.Bck{Provider: "ais", Name: "b"}, "d/f"},
		{kindDir, aisclient.Bck{Provider: "ais", Namespace: "#ns", Name: "b"}, "d/"},
		{kindArchive, aisclient.Bck{Provider: "s3", Name: "bucket"}, "a.tar\x00m/x"},
		{kindProvider, aisclient.Bck{Provider: "gcp"}, ""},
		{kindFile, aisclient.Bck{}, "ü/\x00/"},
	} {
		h := fnv.New64a()
		h.Write([]byte{tc.kind})
		h.Write([]byte(tc.bck.Provider + "\x00" + tc.bck.Namespace + "\x00" + tc.bck.Name + "\x00" + tc.path))
		want := h.Sum64()
		if want < 2 {
			want += 2
		}
		if got := inoOf(tc.kind, tc.bck, tc.path); got != want {
			t.Errorf("inoOf(%c, %v, %q) = %d, want %d", tc.kind, tc.bck, tc.path, got, want)
		}
		if n := len(tc.path) / 2; inoOf(tc.kind, tc.bck, tc.path[:n], "", tc.path[n:]) != want {
			t.Errorf("inoOf(%c, %v, %q in parts) differs", tc.kind, tc.bck, tc.path)
		}
	}
}
