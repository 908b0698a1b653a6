package mountopts

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func FuzzParseSource(f *testing.F) {
	for _, s := range []string{
		"ais://b", "ais://b/p/q/", "s3://b//x", "gs://b/./x", "az://a..b", "oc://b", "ht://b/%2e%2e/",
		"aws://b", "gcp://b", "azure://b", "oci://b", "AIS://b",
		"http://h:51080", "https://[::1]:1/", "http://h:0", "http://u@h", "http://h/x", "ais://", "",
		"ais://@uuid#ns/b", "http://[1.2.3.4]", "ais://b/a\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		src, err := ParseSource(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid source ") {
				t.Errorf("error %q lacks the `invalid source` prefix", err)
			}
			return
		}
		if src.Raw != raw {
			t.Errorf("Raw = %q, want %q", src.Raw, raw)
		}
		if src.IsCluster() {
			if src.Bucket != "" || src.Provider != "" || src.Prefix != "" || strings.HasSuffix(src.Endpoint, "/") {
				t.Errorf("bad cluster source %+v", src)
			}
		} else {
			if src.Bucket == "" || src.Provider == "" {
				t.Errorf("bucket source without bucket or provider: %+v", src)
			}
			p := src.Prefix
			if p != "" && (!strings.HasSuffix(p, "/") || strings.HasPrefix(p, "/") || strings.Contains(p, "//")) {
				t.Errorf("prefix %q is not clean", p)
			}
		}
		again, err := ParseSource(src.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not re-parse: %v", src.String(), raw, err)
		}
		again.Raw = src.Raw
		if again != src {
			t.Errorf("re-parse of %q: %+v, want %+v", src.String(), again, src)
		}
	})
}

func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{
		"_netdev,nofail,x-systemd.automount,allow_other,stat_ttl=5s,cache-size=2GiB,ro",
		"ro,rw,,", "foreground,noforeground,nodirect_io", "endpoint=a=b=c", "max_read=4096,noexec",
		"comment=x,helper=y,x-z", "stat_tl=1", "=", "no", "user=alice\nstat_ttl=1s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opts := strings.Split(s, "\n") // each line plays one -o
		got, err := ParseOptions(opts, knownTestFlag)
		// Apply must not panic either, whatever the values.
		_, _ = Apply(newTestFlagSet(t), opts)
		if err != nil {
			return
		}
		for name := range got.Flags {
			if !knownTestFlag(name) || strings.Contains(name, "_") {
				t.Errorf("flag %q is not a known canonical name", name)
			}
		}
		for _, o := range append(slices.Clone(got.FuseOpts), got.Ignored...) {
			if o == "" || strings.Contains(o, ",") {
				t.Errorf("bad item %q", o)
			}
		}
		// Re-rendering what was understood parses to the same meaning.
		var items []string
		for _, k := range slices.Sorted(maps.Keys(got.Flags)) {
			items = append(items, k+"="+got.Flags[k])
		}
		items = append(items, got.FuseOpts...)
		if got.ReadOnly {
			items = append(items, "ro")
		}
		again, err := ParseOptions([]string{strings.Join(items, ",")}, knownTestFlag)
		if err != nil {
			t.Fatalf("re-rendered %q does not parse: %v", items, err)
		}
		if !reflect.DeepEqual(again.Flags, got.Flags) || !slices.Equal(again.FuseOpts, got.FuseOpts) || again.ReadOnly != got.ReadOnly {
			t.Errorf("re-parse of %q = %#v, want %#v", items, again, got)
		}
	})
}
