package mountopts

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	tests := []struct {
		in        string
		want      Source // Raw is filled in from in
		canonical string
	}{
		{"ais://b", Source{Provider: "ais", Bucket: "b"}, "ais://b"},
		{"ais://b/", Source{Provider: "ais", Bucket: "b"}, "ais://b"},
		{"AIS://b", Source{Provider: "ais", Bucket: "b"}, "ais://b"},
		{"ais://my-bucket_1.v2/data/train", Source{Provider: "ais", Bucket: "my-bucket_1.v2", Prefix: "data/train/"}, "ais://my-bucket_1.v2/data/train/"},
		{"ais://b//a//b//", Source{Provider: "ais", Bucket: "b", Prefix: "a/b/"}, "ais://b/a/b/"},
		{"ais://b/a b/c.d/..e/", Source{Provider: "ais", Bucket: "b", Prefix: "a b/c.d/..e/"}, "ais://b/a b/c.d/..e/"},
		{"s3://b/p", Source{Provider: "aws", Bucket: "b", Prefix: "p/"}, "s3://b/p/"},
		{"aws://b", Source{Provider: "aws", Bucket: "b"}, "s3://b"},
		{"gs://b", Source{Provider: "gcp", Bucket: "b"}, "gs://b"},
		{"gcp://b", Source{Provider: "gcp", Bucket: "b"}, "gs://b"},
		{"az://b", Source{Provider: "azure", Bucket: "b"}, "az://b"},
		{"azure://b", Source{Provider: "azure", Bucket: "b"}, "az://b"},
		{"oc://b", Source{Provider: "oci", Bucket: "b"}, "oc://b"},
		{"oci://b", Source{Provider: "oci", Bucket: "b"}, "oc://b"},
		{"ais://a.", Source{Provider: "ais", Bucket: "a."}, "ais://a."},
		{"ais://@rc/b", Source{Provider: "ais", Namespace: "@rc", Bucket: "b"}, "ais://@rc/b"},
		{"ais://@rc/b/p/q", Source{Provider: "ais", Namespace: "@rc", Bucket: "b", Prefix: "p/q/"}, "ais://@rc/b/p/q/"},
		{"ais://@Qp7lvW1JA#ns/b", Source{Provider: "ais", Namespace: "@Qp7lvW1JA#ns", Bucket: "b"}, "ais://@Qp7lvW1JA#ns/b"},
		{"ais://#ns/b", Source{Provider: "ais", Namespace: "#ns", Bucket: "b"}, "ais://#ns/b"},
		{"http://localhost:8080", Source{Endpoint: "http://localhost:8080"}, "http://localhost:8080"},
		{"http://localhost:8080/", Source{Endpoint: "http://localhost:8080"}, "http://localhost:8080"},
		{"HTTPS://ais.example.com", Source{Endpoint: "https://ais.example.com"}, "https://ais.example.com"},
		{"http://10.0.0.1:51080", Source{Endpoint: "http://10.0.0.1:51080"}, "http://10.0.0.1:51080"},
		{"http://[::1]:51080", Source{Endpoint: "http://[::1]:51080"}, "http://[::1]:51080"},
		{"http://[::1]", Source{Endpoint: "http://[::1]"}, "http://[::1]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSource(tt.in)
			if err != nil {
				t.Fatalf("ParseSource(%q): %v", tt.in, err)
			}
			want := tt.want
			want.Raw = tt.in
			if got != want {
				t.Errorf("ParseSource(%q) = %+v, want %+v", tt.in, got, want)
			}
			if s := got.String(); s != tt.canonical {
				t.Errorf("String() = %q, want %q", s, tt.canonical)
			}
			if got.IsCluster() != (want.Endpoint != "") {
				t.Errorf("IsCluster() = %v", got.IsCluster())
			}
		})
	}
}

func TestParseSourceErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty"},
		{"bucket", "missing scheme"},
		{"/mnt/data", "missing scheme"},
		{"ais://", "missing bucket name"},
		{"ais:///prefix", "missing bucket name"},
		{"s4://b", `unknown scheme "s4"`},
		{"file://b", `unknown scheme "file"`},
		{"ais://my bucket", `character ' ' not allowed`},
		{"ais://b*", `character '*' not allowed`},
		{"ais://é", `character 'é' not allowed`},
		{"ais://.", `leading '.' is reserved`},
		{"ais://..", `leading '.' is reserved`},
		{"ais://.a", `leading '.' is reserved`},
		{"ais://a..b", `".." is not allowed`},
		{"ht://b", `unknown scheme "ht"`},
		{"ais://b#ns", "a namespace comes before the bucket"},
		{"ais://@rc", "missing bucket name"},
		{"ais://@rc/", "missing bucket name"},
		{"ais://@/b", "want @ALIAS"},
		{"ais://#/b", "want @ALIAS"},
		{"ais://@rc#/b", "want @ALIAS"},
		{"ais://@r c/b", "character ' ' not allowed"},
		{"s3://@rc/b", "only for ais:// buckets"},
		{"ais://b/../x", `".." components are not allowed`},
		{"ais://b/a/./x", `"." components are not allowed`},
		{"ais://b/a/..", `".." components are not allowed`},
		{"ais://b/a\x00b", "NUL"},
		{"http://", "missing host"},
		{"http://:8080", "missing host"},
		{"http://h:8080/v1", "no path"},
		{"http://h:8080//", "no path"},
		{"http://h:8080?x=1", "no query"},
		{"http://h:8080#frag", "no query or fragment"},
		{"http://user:pw@h:8080", "credentials"},
		{"http://h:0", `invalid port "0"`},
		{"http://h:65536", `invalid port "65536"`},
		{"http://h:port", `invalid port "port"`},
		{"http://h:", `invalid port ""`},
		{"http://h:080", `invalid port "080"`},
		{"http://h h:80", `invalid host "h h"`},
		{"http://::1:80", `invalid host`},
		{"http://[1.2.3.4]:80", "invalid IPv6 host"},
		{"http://[::1:80", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSource(tt.in)
			if err == nil {
				t.Fatalf("ParseSource(%q) = %+v, want error containing %q", tt.in, got, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidSource) {
				t.Errorf("error %v does not wrap ErrInvalidSource", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "invalid source ") || !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error = %q, want `invalid source %q: ...%s...`", msg, tt.in, tt.wantErr)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}
