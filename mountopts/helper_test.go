package mountopts

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestIsHelperName(t *testing.T) {
	tests := []struct {
		argv0 string
		want  bool
	}{
		{"/sbin/mount.fuse.aisfs", true},
		{"/usr/sbin/mount.aisfs", true},
		{"mount.aisfs", true},
		{"aisfs", false},
		{"/usr/bin/aisfs", false},
		{"mount.fuse", false},
		{"mount.fuse3", false},
		{"/sbin/mount.aisfs.old", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsHelperName(tt.argv0); got != tt.want {
			t.Errorf("IsHelperName(%q) = %v, want %v", tt.argv0, got, tt.want)
		}
	}
}

func TestHelperArgs(t *testing.T) {
	tests := []struct {
		name string
		args string // space-separated
		want string // space-separated
	}{
		{"plain", "ais://b /mnt/b", "ais://b /mnt/b"},
		{"mount(8) with options", "ais://b /mnt/b -o rw,_netdev,allow_other", "ais://b /mnt/b -o rw,_netdev,allow_other"},
		{"no mtab, sloppy, verbose dropped", "ais://b /mnt/b -n -s -v -o ro", "ais://b /mnt/b -o ro"},
		{"clustered short flags", "ais://b /mnt/b -snv -o ro", "ais://b /mnt/b -o ro"},
		{"type dropped", "ais://b /mnt/b -o ro -t fuse.aisfs", "ais://b /mnt/b -o ro"},
		{"type attached dropped", "ais://b /mnt/b -tfuse.aisfs", "ais://b /mnt/b"},
		{"several -o joined", "ais://b /mnt/b -o ro -o stat_ttl=5s -oallow_other", "ais://b /mnt/b -o ro,stat_ttl=5s,allow_other"},
		{"empty -o", "ais://b /mnt/b -o ,", "ais://b /mnt/b"},
		{"options first", "-o ro ais://b /mnt/b", "ais://b /mnt/b -o ro"},
		{"legacy fuse type source", "aisfs#ais://b/p /mnt/b -o allow_other", "ais://b/p /mnt/b -o allow_other"},
		{"cluster", "aisfs#http://h:51080 /mnt/ais", "http://h:51080 /mnt/ais"},
		{"-- ends flags", "-o ro -- ais://b -dir", "ais://b -dir -o ro"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HelperArgs("/sbin/mount.fuse.aisfs", strings.Fields(tt.args))
			if err != nil {
				t.Fatalf("HelperArgs(%q): %v", tt.args, err)
			}
			if want := strings.Fields(tt.want); !slices.Equal(got, want) {
				t.Errorf("HelperArgs(%q) = %q, want %q", tt.args, got, want)
			}
		})
	}
}

func TestHelperArgsErrors(t *testing.T) {
	tests := []struct {
		args    []string
		is      error
		wantErr string
	}{
		{[]string{"ais://b", "/mnt", "-f"}, ErrFakeMount, "fake"},
		{[]string{"ais://b", "/mnt", "-fnv", "-o", "ro"}, ErrFakeMount, "fake"},
		{[]string{"ais://b"}, ErrHelperUsage, "want 2 arguments, got 1"},
		{[]string{}, ErrHelperUsage, "want 2 arguments, got 0"},
		{[]string{"a", "b", "c"}, ErrHelperUsage, "want 2 arguments, got 3"},
		{[]string{"ais://b", "/mnt", "-o"}, ErrHelperUsage, "-o needs an argument"},
		{[]string{"ais://b", "/mnt", "-t"}, ErrHelperUsage, "-t needs an argument"},
		{[]string{"ais://b", "/mnt", "-N", "/proc/1/ns/mnt"}, ErrHelperUsage, "-N (mount namespace) is not supported"},
		{[]string{"ais://b", "/mnt", "-x"}, ErrHelperUsage, `unknown flag "-x"`},
		{[]string{"ais://b", "/mnt", "--foreground"}, ErrHelperUsage, `unknown flag "--"`},
		// Usage errors come before -f: a broken fstab line should say so even in fake mode.
		{[]string{"ais://b", "-f"}, ErrHelperUsage, "want 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := HelperArgs("mount.aisfs", tt.args)
			if err == nil {
				t.Fatalf("HelperArgs(%q) = %q, want error", tt.args, got)
			}
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %v containing %q", err, tt.is, tt.wantErr)
			}
		})
	}
}
