package mountopts

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// knownTestFlag stands in for aisfs's flags.
func knownTestFlag(name string) bool {
	switch name {
	case "stat-ttl", "cache-size", "endpoint", "uid", "gid", "foreground", "read-only", "log-level", "direct-io":
		return true
	}
	return false
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []string
		want Options
	}{
		{
			name: "none",
			want: Options{Flags: map[string]string{}},
		},
		{
			name: "fstab line",
			opts: []string{"_netdev,nofail,x-systemd.automount,allow_other,stat_ttl=5s,cache-size=2GiB,ro"},
			want: Options{
				Flags:    map[string]string{"stat-ttl": "5s", "cache-size": "2GiB"},
				FuseOpts: []string{"allow_other"},
				ReadOnly: true,
				Ignored:  []string{"_netdev", "nofail"},
			},
		},
		{
			name: "several -o, later wins, empty items",
			opts: []string{"stat-ttl=1s,,", ",stat_ttl=2s", "", "rw"},
			want: Options{Flags: map[string]string{"stat-ttl": "2s"}, Ignored: []string{"rw"}},
		},
		{
			name: "ro then rw",
			opts: []string{"ro,rw"},
			want: Options{Flags: map[string]string{}, Ignored: []string{"rw"}},
		},
		{
			name: "bare flag and negation",
			opts: []string{"foreground,nodirect_io,no-foreground"},
			want: Options{Flags: map[string]string{"foreground": "false", "direct-io": "false"}},
		},
		{
			name: "value with = and empty value",
			opts: []string{"endpoint=http://h:1/?a=b,log_level="},
			want: Options{Flags: map[string]string{"endpoint": "http://h:1/?a=b", "log-level": ""}},
		},
		{
			name: "dropped: comments, x-*, helper",
			opts: []string{"comment=systemd.automount,x-systemd.mount-timeout=30,x-gvfs-show,helper=aisfs"},
			want: Options{Flags: map[string]string{}},
		},
		{
			name: "generic mount(8) options",
			opts: []string{"defaults,auto,noauto,user,user=alice,users,nouser,owner,group,async,sync,atime,noatime,relatime,strictatime,lazytime,diratime,nodiratime,fsname=x,subtype=y,nonempty"},
			want: Options{Flags: map[string]string{}, Ignored: strings.Split("defaults,auto,noauto,user,user=alice,users,nouser,owner,group,async,sync,atime,noatime,relatime,strictatime,lazytime,diratime,nodiratime,fsname=x,subtype=y,nonempty", ",")},
		},
		{
			name: "FUSE pass-through in FUSE spelling",
			opts: []string{"allow-other,default_permissions,auto_unmount,allow_root,max_read=131072,nodev,nosuid,noexec,exec"},
			want: Options{
				Flags:    map[string]string{},
				FuseOpts: []string{"allow_other", "default_permissions", "auto_unmount", "allow_root", "max_read=131072", "nodev", "nosuid", "noexec", "exec"},
			},
		},
		{
			name: "uid/gid are flags, not FUSE",
			opts: []string{"uid=1000,gid=1000"},
			want: Options{Flags: map[string]string{"uid": "1000", "gid": "1000"}},
		},
		{
			name: "spaces around items",
			opts: []string{" ro , stat_ttl=1m "},
			want: Options{Flags: map[string]string{"stat-ttl": "1m"}, ReadOnly: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOptions(tt.opts, knownTestFlag)
			if err != nil {
				t.Fatalf("ParseOptions(%q): %v", tt.opts, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseOptions(%q)\n got %#v\nwant %#v", tt.opts, got, tt.want)
			}
		})
	}
}

func TestParseOptionsErrors(t *testing.T) {
	tests := []struct {
		opts    string
		is      error
		wantErr string
	}{
		{"foo", ErrUnknownOption, `unknown mount option "foo"`},
		{"foo=bar", ErrUnknownOption, `unknown mount option "foo"`},
		{"alow_other", ErrUnknownOption, `(did you mean "allow_other"?)`},
		{"nofoo", ErrUnknownOption, `unknown mount option "nofoo"`},
		{"no", ErrUnknownOption, `unknown mount option "no"`},
		{"x", ErrUnknownOption, `unknown mount option "x"`},
		{"ro=1", ErrInvalidOption, `invalid mount option "ro=1": ro takes no value`},
		{"rw=", ErrInvalidOption, `rw takes no value`},
		{"allow_other=1", ErrInvalidOption, `allow_other takes no value`},
		{"noexec=yes", ErrInvalidOption, `noexec takes no value`},
		{"max_read=big", ErrInvalidOption, `max_read wants a positive integer`},
		{"max_read", ErrInvalidOption, `max_read wants a positive integer`},
		{"max_read=0", ErrInvalidOption, `max_read wants a positive integer`},
		{"=5", ErrInvalidOption, `missing name`},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			got, err := ParseOptions([]string{"ro", tt.opts}, knownTestFlag)
			if err == nil {
				t.Fatalf("ParseOptions(%q) = %#v, want error", tt.opts, got)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseOptionsNilKnown(t *testing.T) {
	got, err := ParseOptions([]string{"allow_other,_netdev"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.FuseOpts, []string{"allow_other"}) {
		t.Errorf("FuseOpts = %q", got.FuseOpts)
	}
	if _, err := ParseOptions([]string{"stat_ttl=1s"}, nil); !errors.Is(err, ErrUnknownOption) {
		t.Errorf("with nil known, a flag name should be unknown; err = %v", err)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"stat-ttl", "cache-size", "allow_other", "ro"}
	tests := []struct{ in, want string }{
		{"stat-ttl", "stat-ttl"},
		{"stat_ttl", "stat-ttl"},
		{"statttl", "stat-ttl"},
		{"cach_sz", ""}, // distance 3
		{"cachesize", "cache-size"},
		{"allow-othr", "allow_other"},
		{"x", ""},
		{"r", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, cands); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
