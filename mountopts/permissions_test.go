package mountopts

import (
	"slices"
	"testing"
)

func TestWithPermissionChecks(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []string
		allowOther bool
		off        bool
		want       []string
	}{
		{"private mount", nil, false, false, nil},
		{"--allow-other", nil, true, false, []string{"default_permissions"}},
		{"-o allow_other", []string{"allow_other"}, false, false, []string{"allow_other", "default_permissions"}},
		{"already asked", []string{"allow_other", "default_permissions"}, true, false, []string{"allow_other", "default_permissions"}},
		{"turned off", []string{"allow_other"}, true, true, []string{"allow_other"}},
		{"allow_root only", []string{"allow_root"}, false, false, []string{"allow_root"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.opts)
			got := WithPermissionChecks(in, tc.allowOther, tc.off)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if !slices.Equal(in, tc.opts) {
				t.Fatalf("input changed to %q", in)
			}
		})
	}
}
