package aisclient

import (
	"fmt"
	"net/url"
	"strings"
)

// Providers, spelled as AIS spells them.
const (
	ProviderAIS   = "ais"
	ProviderAWS   = "aws"
	ProviderGCP   = "gcp"
	ProviderAzure = "azure"
	ProviderOCI   = "oci"
)

// Bck names a bucket. Provider "" means ais. Namespace is AIS's namespace string
// ("@uuid#name" for a remote AIS cluster, "#name" for a local namespace), "" for the
// global namespace.
type Bck struct {
	Name, Provider, Namespace string
}

func (b Bck) provider() string {
	if b.Provider == "" {
		return ProviderAIS
	}
	return b.Provider
}

// String renders b the way the AIS CLI does: "ais://name", "s3://name", "ais://@uuid#ns/name".
func (b Bck) String() string {
	scheme := Scheme(b.Provider)
	if b.Namespace != "" {
		return scheme + "://" + b.Namespace + "/" + b.Name
	}
	return scheme + "://" + b.Name
}

// validate rejects names AIS would reject, before any request: a name with "/" or ".."
// would otherwise address a different URL.
func (b Bck) validate() error {
	if err := CheckBucketName(b.Name); err != nil {
		return fmt.Errorf("aisclient: %w", err)
	}
	return nil
}

// query returns the provider/namespace query AIS expects; ais buckets need none.
func (b Bck) query() url.Values {
	q := url.Values{}
	if b.Provider != "" && b.Provider != ProviderAIS {
		q.Set("provider", b.Provider)
	}
	if b.Namespace != "" {
		q.Set("namespace", b.Namespace)
	}
	return q
}

// key identifies an object across buckets, for the route map.
func (b Bck) key(obj string) string {
	return b.provider() + "\x00" + b.Namespace + "\x00" + b.Name + "\x00" + obj
}

// bucketPath escapes the name too: object calls do not validate it, and a stray '/' or
// '?' must not change which URL is asked.
func bucketPath(b Bck) string {
	var sb strings.Builder
	sb.WriteString("/v1/buckets/")
	escapeSegment(&sb, b.Name)
	return sb.String()
}

// objectPath percent-encodes every segment of name, so '?', '#', '%', '+', spaces and
// UTF-8 reach AIS intact; '/' separates segments as AIS stores them.
func objectPath(b Bck, name string) string {
	var sb strings.Builder
	sb.Grow(len("/v1/objects/") + len(b.Name) + 1 + len(name)*3/2)
	sb.WriteString("/v1/objects/")
	escapeSegment(&sb, b.Name)
	sb.WriteByte('/')
	for i, seg := range strings.Split(name, "/") {
		if i > 0 {
			sb.WriteByte('/')
		}
		escapeSegment(&sb, seg)
	}
	return sb.String()
}

// escapeSegment writes seg with everything but RFC 3986 unreserved bytes percent-encoded.
// Stricter than url.PathEscape (which keeps '+', '@', '=' ...), so no server or proxy in
// between can read a byte differently.
func escapeSegment(sb *strings.Builder, seg string) {
	const hex = "0123456789ABCDEF"
	for i := range len(seg) {
		c := seg[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
}

func validObjectName(name string) error {
	if name == "" {
		return fmt.Errorf("aisclient: empty object name: %w", ErrInvalidName)
	}
	return nil
}
