package mountopts

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/aisfs/aisfs/aisclient"
)

// ErrInvalidSource is wrapped by every error ParseSource returns.
var ErrInvalidSource = errors.New("invalid source")

// Source is what to mount.
type Source struct {
	Raw      string // as given
	Endpoint string // set when SOURCE is an http(s)://host:port URL (cluster mode); scheme+host[:port], no trailing slash
	Provider string // AIS provider name for a bucket source: "ais","aws","gcp","azure","oci"
	Bucket   string // "" in cluster mode
	// Namespace is AIS's namespace of an ais bucket: "@ALIAS" or "@UUID" (a remote AIS
	// cluster), "@UUID#NS", "#NS" (a namespace of this cluster); "" for the global one.
	Namespace string
	Prefix    string // object-name prefix below the bucket, "" or ending in "/" (no leading "/"; "a//b" cleaned)
}

// IsCluster reports whether the source is a whole cluster rather than one bucket.
func (s Source) IsCluster() bool { return s.Endpoint != "" }

// String returns the canonical form: "http://h:p", "ais://bucket" or "ais://bucket/prefix/" (with
// AIS's display scheme for other providers: "s3://bucket").
func (s Source) String() string {
	if s.IsCluster() {
		return s.Endpoint
	}
	if s.Bucket == "" {
		return ""
	}
	bucket := s.Bucket
	if s.Namespace != "" {
		bucket = s.Namespace + "/" + bucket
	}
	if s.Prefix == "" {
		return aisclient.Scheme(s.Provider) + "://" + bucket
	}
	return aisclient.Scheme(s.Provider) + "://" + bucket + "/" + s.Prefix
}

// ParseSource parses the SOURCE argument. See the package documentation for the forms accepted.
func ParseSource(raw string) (Source, error) {
	src, reason := parseSource(raw)
	if reason != "" {
		return Source{}, fmt.Errorf("%w %q: %s", ErrInvalidSource, raw, reason)
	}
	src.Raw = raw
	return src, nil
}

// parseSource returns a non-empty reason when raw is invalid; ParseSource adds the context.
func parseSource(raw string) (Source, string) {
	if raw == "" {
		return Source{}, "empty"
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Source{}, "missing scheme: want ais://BUCKET[/PREFIX] (or s3://, gs://, az://, oc://) or http(s)://HOST:PORT"
	}
	scheme = strings.ToLower(scheme)
	if scheme == "http" || scheme == "https" {
		ep, reason := parseEndpoint(scheme, rest)
		return Source{Endpoint: ep}, reason
	}
	provider := aisclient.ProviderOfScheme(scheme)
	if provider == "" {
		return Source{}, fmt.Sprintf("unknown scheme %q: want one of %s, http, https", scheme, aisclient.SchemeList)
	}
	ns := ""
	if strings.HasPrefix(rest, "@") || strings.HasPrefix(rest, "#") {
		if provider != aisclient.ProviderAIS {
			return Source{}, "namespaces (@ALIAS, @UUID#NS, #NS) exist only for ais:// buckets"
		}
		var after string
		ns, after, _ = strings.Cut(rest, "/")
		if err := aisclient.CheckNamespace(ns); err != nil {
			return Source{}, err.Error()
		}
		if after == "" {
			return Source{}, fmt.Sprintf("namespace %q: missing bucket name (want ais://%s/BUCKET)", ns, ns)
		}
		rest = after
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if reason := checkBucket(bucket); reason != "" {
		return Source{}, reason
	}
	clean, reason := cleanPrefix(prefix)
	if reason != "" {
		return Source{}, reason
	}
	return Source{Provider: provider, Namespace: ns, Bucket: bucket, Prefix: clean}, ""
}

// checkBucket applies AIS's bucket-name rule (aisclient owns it) so a bad name fails here,
// not on the first request.
func checkBucket(b string) string {
	if strings.HasPrefix(b, "@") || strings.Contains(b, "#") {
		return fmt.Sprintf("bucket name %q: a namespace comes before the bucket (ais://@ALIAS/BUCKET, ais://#NS/BUCKET)", b)
	}
	if err := aisclient.CheckBucketName(b); err != nil {
		return err.Error()
	}
	return ""
}

// cleanPrefix drops empty components and makes a non-empty prefix end in "/".
func cleanPrefix(p string) (string, string) {
	var parts []string
	for part := range strings.SplitSeq(p, "/") {
		switch part {
		case "":
			continue
		case ".", "..":
			return "", fmt.Sprintf("prefix %q: %q components are not allowed", p, part)
		}
		if strings.IndexByte(part, 0) >= 0 {
			return "", fmt.Sprintf("prefix %q: NUL byte not allowed", p)
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "", ""
	}
	return strings.Join(parts, "/") + "/", ""
}

// parseEndpoint checks "HOST[:PORT][/]" by hand rather than with net/url, which unescapes and
// tolerates more than an endpoint should (a path, "?", userinfo).
func parseEndpoint(scheme, rest string) (string, string) {
	hostport, path, _ := strings.Cut(rest, "/")
	switch {
	case path != "":
		return "", fmt.Sprintf("a cluster URL takes no path (got %q); to mount a bucket use ais://BUCKET[/PREFIX]", "/"+path)
	case strings.ContainsAny(hostport, "?#"):
		return "", "a cluster URL takes no query or fragment"
	case strings.Contains(hostport, "@"):
		return "", "credentials in the URL are not supported (use --token-file or AIS_AUTHN_TOKEN)"
	case hostport == "":
		return "", "missing host"
	}
	host, port := hostport, ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		host, port = hostport[:i], hostport[i+1:]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return "", fmt.Sprintf("invalid port %q", port)
		}
	}
	if reason := checkHost(host); reason != "" {
		return "", reason
	}
	return scheme + "://" + hostport, ""
}

func checkHost(host string) string {
	if strings.HasPrefix(host, "[") {
		ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if !strings.HasSuffix(host, "]") || ip == nil || ip.To4() != nil {
			return fmt.Sprintf("invalid IPv6 host %q", host)
		}
		return ""
	}
	if host == "" {
		return "missing host"
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return fmt.Sprintf("invalid host %q: character %q not allowed", host, c)
		}
	}
	return ""
}
