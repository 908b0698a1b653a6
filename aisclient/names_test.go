package aisclient

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// bucketNames is the rule's table; TestBucketNameRuleMatchesAIS asks the real cluster about
// every row, so the table cannot drift from what AIS v1.5.0 does.
var bucketNames = []struct {
	name string
	ok   bool
}{
	{"b", true},
	{"my-bucket_1.v2", true},
	{"a.", true},
	{"a.b.c", true},
	{"-a", true},
	{strings.Repeat("x", 64), true},
	{"", false},
	{".", false},
	{"..", false},
	{".a", false},
	{"a..b", false},
	{"has space", false},
	{"slash/y", false},
	{"q?", false},
	{"ü", false},
	{strings.Repeat("x", 65), false},
}

func TestCheckBucketName(t *testing.T) {
	for _, tc := range bucketNames {
		err := CheckBucketName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBucketName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && (!errors.Is(err, ErrInvalidName) || strings.Contains(err.Error(), "\n")) {
			t.Errorf("CheckBucketName(%q) = %q, want one line wrapping ErrInvalidName", tc.name, err)
		}
	}
}

// TestBucketNameRuleMatchesAIS creates each bucket of the table with a raw request, past the
// client's own check, and compares AIS's verdict with the rule's.
func TestBucketNameRuleMatchesAIS(t *testing.T) {
	ep := aiscluster.Endpoint(t)
	c := newClient(t)
	for _, tc := range bucketNames {
		if tc.name == "" || strings.ContainsAny(tc.name, "/?") {
			continue // these do not even name a bucket URL
		}
		var sb strings.Builder
		escapeSegment(&sb, tc.name)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ep+"/v1/buckets/"+sb.String(),
			strings.NewReader(`{"action":"create-bck"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		created := resp.StatusCode == http.StatusOK
		if created {
			if err := c.DestroyBucket(t.Context(), Bck{Name: tc.name}); err != nil {
				t.Errorf("destroy %q: %v", tc.name, err)
			}
		}
		if created != tc.ok {
			t.Errorf("AIS create-bck %q: status %d; the rule says ok=%v", tc.name, resp.StatusCode, tc.ok)
		}
	}
}

func TestSchemes(t *testing.T) {
	for _, tc := range []struct{ scheme, provider, display string }{
		{"ais", ProviderAIS, "ais"},
		{"AIS", ProviderAIS, "ais"},
		{"s3", ProviderAWS, "s3"},
		{"aws", ProviderAWS, "s3"},
		{"gs", ProviderGCP, "gs"},
		{"gcp", ProviderGCP, "gs"},
		{"az", ProviderAzure, "az"},
		{"azure", ProviderAzure, "az"},
		{"oc", ProviderOCI, "oc"},
		{"oci", ProviderOCI, "oc"},
		{"ht", "", ""},
		{"http", "", ""},
	} {
		p := ProviderOfScheme(tc.scheme)
		if p != tc.provider {
			t.Errorf("ProviderOfScheme(%q) = %q, want %q", tc.scheme, p, tc.provider)
		}
		if p != "" && Scheme(p) != tc.display {
			t.Errorf("Scheme(%q) = %q, want %q", p, Scheme(p), tc.display)
		}
	}
	for _, p := range Providers {
		if ProviderOfScheme(Scheme(p)) != p {
			t.Errorf("provider %q does not round-trip through its scheme", p)
		}
	}
}
