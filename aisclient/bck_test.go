package aisclient

import "testing"

func TestBckString(t *testing.T) {
	for _, tc := range []struct {
		b    Bck
		want string
	}{
		{Bck{Name: "b"}, "ais://b"},
		{Bck{Name: "b", Provider: ProviderAIS}, "ais://b"},
		{Bck{Name: "b", Provider: ProviderAWS}, "s3://b"},
		{Bck{Name: "b", Provider: ProviderGCP}, "gs://b"},
		{Bck{Name: "b", Provider: ProviderAzure}, "az://b"},
		{Bck{Name: "b", Provider: ProviderOCI}, "oc://b"},
		{Bck{Name: "b", Namespace: "@uuid#ns"}, "ais://@uuid#ns/b"},
	} {
		if got := tc.b.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.b, got, tc.want)
		}
	}
}

func TestObjectPath(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"plain", "/v1/objects/b/plain"},
		{"d1/d2/f.txt", "/v1/objects/b/d1/d2/f.txt"},
		{"a b?c#d%e+f", "/v1/objects/b/a%20b%3Fc%23d%25e%2Bf"},
		{"ü/x", "/v1/objects/b/%C3%BC/x"},
		{"a=b@c;d", "/v1/objects/b/a%3Db%40c%3Bd"},
		{"~-._", "/v1/objects/b/~-._"},
	} {
		if got := objectPath(Bck{Name: "b"}, tc.name); got != tc.want {
			t.Errorf("objectPath(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := objectPath(Bck{Name: "x/y?"}, "o"); got != "/v1/objects/x%2Fy%3F/o" {
		t.Errorf("bucket name not escaped: %q", got)
	}
}
