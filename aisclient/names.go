package aisclient

import (
	"fmt"
	"strings"
)

// This file is the one home of AIS's naming rules: which providers exist, how the AIS CLI
// spells them as URI schemes, and which bucket names AIS accepts. mountopts (SOURCE parsing)
// and fs (mkdir of a bucket) ask here rather than keep their own copies.

// Providers are AIS v1.5.0's backend providers, in the order a cluster mount lists them.
// ("ht" is gone from v1.5.0: the cluster rejects it.)
var Providers = []string{ProviderAIS, ProviderAWS, ProviderAzure, ProviderGCP, ProviderOCI}

// schemes maps every URI scheme the AIS CLI accepts to its provider.
var schemes = map[string]string{
	"ais": ProviderAIS,
	"s3":  ProviderAWS, "aws": ProviderAWS,
	"gs": ProviderGCP, "gcp": ProviderGCP,
	"az": ProviderAzure, "azure": ProviderAzure,
	"oc": ProviderOCI, "oci": ProviderOCI,
}

// SchemeList is the schemes for an error message.
const SchemeList = "ais, s3, aws, gs, gcp, az, azure, oc, oci"

// ProviderOfScheme maps a URI scheme (any case) to its provider, "" if AIS has none.
func ProviderOfScheme(scheme string) string {
	return schemes[strings.ToLower(scheme)]
}

// Scheme is AIS's display scheme of a provider, the one `ais ls` prints: s3 for aws, gs for
// gcp, az for azure, oc for oci; "" is ais.
func Scheme(provider string) string {
	switch provider {
	case "":
		return ProviderAIS
	case ProviderAWS:
		return "s3"
	case ProviderGCP:
		return "gs"
	case ProviderAzure:
		return "az"
	case ProviderOCI:
		return "oc"
	}
	return provider
}

// MaxBucketName is AIS's limit on a bucket name (cos.MaxNameLength).
const MaxBucketName = 64

// CheckBucketName applies AIS v1.5.0's rule (cmn.Bck.ValidateName, cos.CheckAlphaPlus): at most
// 64 bytes of ASCII letters, digits, '-', '_' and '.', no "..", and no leading '.' (AIS keeps
// those for its system buckets). The error wraps ErrInvalidName and says why in one line.
func CheckBucketName(name string) error {
	reason := ""
	switch {
	case name == "":
		reason = "missing bucket name"
	case len(name) > MaxBucketName:
		reason = fmt.Sprintf("bucket name is %d bytes, AIS allows %d", len(name), MaxBucketName)
	case name[0] == '.':
		reason = fmt.Sprintf("bucket name %q: a leading '.' is reserved by AIS", name)
	case strings.Contains(name, ".."):
		reason = fmt.Sprintf("bucket name %q: \"..\" is not allowed", name)
	default:
		for _, c := range name {
			if !isBucketChar(c) {
				reason = fmt.Sprintf("bucket name %q: character %q not allowed (letters, digits, '-', '_', '.')", name, c)
				break
			}
		}
	}
	if reason == "" {
		return nil
	}
	return &nameError{reason}
}

func isBucketChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// nameError prints only its reason (callers add their own context) and is ErrInvalidName.
type nameError struct{ reason string }

func (e *nameError) Error() string        { return e.reason }
func (e *nameError) Is(target error) bool { return target == ErrInvalidName }

// IsRemote reports whether b's objects live outside this cluster, which then caches them: a
// cloud bucket, or an ais bucket of an attached AIS cluster (namespace "@UUID" or "@ALIAS").
// Only such buckets can be prefetched and evicted.
func (b Bck) IsRemote() bool {
	return b.provider() != ProviderAIS || strings.HasPrefix(b.Namespace, "@")
}
