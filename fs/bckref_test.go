package fs

import (
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

func TestBckRefs(t *testing.T) {
	var r bckRefs
	a := aisclient.Bck{Name: "a", Provider: aisclient.ProviderAIS}
	for _, tc := range []struct {
		name string
		x, y aisclient.Bck
		same bool
	}{
		{"same bucket", a, a, true},
		{"other name", a, aisclient.Bck{Name: "b", Provider: aisclient.ProviderAIS}, false},
		{"other provider", a, aisclient.Bck{Name: "a", Provider: "aws"}, false},
		{"other namespace", a, aisclient.Bck{Name: "a", Provider: aisclient.ProviderAIS, Namespace: "#ns"}, false},
	} {
		px, py := r.ref(tc.x), r.ref(tc.y)
		if *px != tc.x || *py != tc.y {
			t.Errorf("%s: ref changed the bucket: %v %v", tc.name, *px, *py)
		}
		if (px == py) != tc.same {
			t.Errorf("%s: shared %v, want %v", tc.name, px == py, tc.same)
		}
	}
}
