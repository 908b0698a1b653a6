package mountopts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// newTestFlagSet mimics aisfs's flags and parses args as the command line.
func newTestFlagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("aisfs", pflag.ContinueOnError)
	fs.Duration("stat-ttl", time.Minute, "")
	fs.String("cache-size", "1GiB", "")
	fs.String("endpoint", "", "")
	fs.Uint32("uid", 0, "")
	fs.BoolP("foreground", "f", false, "")
	fs.Bool("read-only", false, "")
	fs.Bool("direct-io", true, "")
	fs.StringSlice("tag", nil, "")
	fs.String("secret-knob", "", "")
	if err := fs.MarkHidden("secret-knob"); err != nil {
		t.Fatal(err)
	}
	fs.StringArrayP("options", "o", nil, "")
	if err := fs.Parse(args); err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return fs
}

func get(t *testing.T, fs *pflag.FlagSet, name string) string {
	t.Helper()
	f := fs.Lookup(name)
	if f == nil {
		t.Fatalf("no flag %q", name)
	}
	return f.Value.String()
}

func TestApply(t *testing.T) {
	tests := []struct {
		name       string
		args       []string // command line
		opts       []string
		want       map[string]string // flag -> value after Apply
		readOnly   bool
		fuse       []string
		overridden []string
	}{
		{
			name: "fstab line",
			opts: []string{"_netdev,nofail,x-systemd.automount,allow_other,stat_ttl=5s,cache-size=2GiB,ro"},
			want: map[string]string{"stat-ttl": "5s", "cache-size": "2GiB", "read-only": "true"},
			fuse: []string{"allow_other"}, readOnly: true,
		},
		{
			name:       "explicit command-line flag wins",
			args:       []string{"--stat-ttl=1s", "--read-only=false"},
			opts:       []string{"stat_ttl=5s,cache_size=3GiB,ro"},
			want:       map[string]string{"stat-ttl": "1s", "cache-size": "3GiB", "read-only": "false"},
			overridden: []string{"stat_ttl=5s", "ro"},
		},
		{
			name: "flag left at its default is not explicit",
			opts: []string{"stat-ttl=1m"},
			want: map[string]string{"stat-ttl": "1m0s"},
		},
		{
			name: "bare bool, negation",
			opts: []string{"foreground,nodirect-io"},
			want: map[string]string{"foreground": "true", "direct-io": "false"},
		},
		{
			name: "bool with value",
			opts: []string{"foreground=false,direct_io=true"},
			want: map[string]string{"foreground": "false", "direct-io": "true"},
		},
		{
			name: "rw clears read-only",
			opts: []string{"ro,rw"},
			want: map[string]string{"read-only": "false"},
		},
		{
			name: "ro and read-only in order: later wins",
			opts: []string{"ro,read_only=false"},
			want: map[string]string{"read-only": "false"},
		},
		{
			name: "read-only then rw",
			opts: []string{"read-only,rw"},
			want: map[string]string{"read-only": "false"},
		},
		{
			name: "read-only flag by name",
			opts: []string{"read_only"},
			want: map[string]string{"read-only": "true"}, readOnly: true,
		},
		{
			name: "read-only explicit true, rw in -o",
			args: []string{"--read-only"},
			opts: []string{"rw"},
			want: map[string]string{"read-only": "true"}, readOnly: true,
			overridden: []string{"rw"},
		},
		{
			name: "slice flag accumulates; value with =",
			opts: []string{"tag=a,tag=b", "endpoint=http://h:1/?x=y"},
			want: map[string]string{"tag": "[a,b]", "endpoint": "http://h:1/?x=y"},
		},
		{
			name: "hidden flags are still settable",
			opts: []string{"secret_knob=1"},
			want: map[string]string{"secret-knob": "1"},
		},
		{
			name:       "the -o flag itself is explicit, so not settable from -o",
			args:       []string{"-o", "x"},
			opts:       []string{"options=y"},
			want:       map[string]string{"options": "[x]"},
			overridden: []string{"options=y"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newTestFlagSet(t, tt.args...)
			got, err := Apply(fs, tt.opts)
			if err != nil {
				t.Fatalf("Apply(%q): %v", tt.opts, err)
			}
			for name, want := range tt.want {
				if v := get(t, fs, name); v != want {
					t.Errorf("--%s = %q, want %q", name, v, want)
				}
			}
			if got.ReadOnly != tt.readOnly {
				t.Errorf("ReadOnly = %v, want %v", got.ReadOnly, tt.readOnly)
			}
			if !slices.Equal(got.FuseOpts, tt.fuse) {
				t.Errorf("FuseOpts = %q, want %q", got.FuseOpts, tt.fuse)
			}
			if !slices.Equal(got.Overridden, tt.overridden) {
				t.Errorf("Overridden = %q, want %q", got.Overridden, tt.overridden)
			}
		})
	}
}

// -o sets a flag as if given on the command line, so later code sees it through fs.Changed.
func TestApplyMarksChanged(t *testing.T) {
	fs := newTestFlagSet(t)
	if _, err := Apply(fs, []string{"uid=1000"}); err != nil {
		t.Fatal(err)
	}
	if !fs.Changed("uid") || fs.Changed("gid") {
		t.Errorf("Changed(uid)=%v Changed(gid)=%v", fs.Changed("uid"), fs.Changed("gid"))
	}
}

// Without a read-only flag, ro/rw only reach Options.ReadOnly.
func TestApplyWithoutReadOnlyFlag(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	got, err := Apply(fs, []string{"ro,allow_other"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.ReadOnly || !slices.Equal(got.FuseOpts, []string{"allow_other"}) {
		t.Errorf("got %#v", got)
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		opts    string
		is      error
		wantErr string
	}{
		{"stat_tl=5s", ErrUnknownOption, `unknown mount option "stat_tl" (did you mean "stat-ttl"?)`},
		{"cache_sise=1", ErrUnknownOption, `(did you mean "cache-size"?)`},
		{"secret_knb=1", ErrUnknownOption, `unknown mount option "secret_knb"`}, // hidden: no suggestion
		{"bogus", ErrUnknownOption, `unknown mount option "bogus"`},
		{"stat_ttl=soon", ErrInvalidOption, `invalid mount option "stat_ttl=soon"`},
		{"uid=-1", ErrInvalidOption, `invalid mount option "uid=-1"`},
		{"stat_ttl", ErrInvalidOption, `--stat-ttl needs a value (stat_ttl=...)`},
		{"nostat_ttl", ErrInvalidOption, `--stat-ttl is not a boolean flag`},
		{"foreground=maybe", ErrInvalidOption, `invalid mount option "foreground=maybe"`},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			fs := newTestFlagSet(t)
			_, err := Apply(fs, []string{tt.opts})
			if err == nil {
				t.Fatalf("Apply(%q): no error", tt.opts)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.HasSuffix(tt.wantErr, "\"secret_knb\"") && strings.Contains(err.Error(), "did you mean") {
				t.Errorf("suggested a hidden flag: %v", err)
			}
		})
	}
}
