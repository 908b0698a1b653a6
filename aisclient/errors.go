package aisclient

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// Sentinel errors; match them with errors.Is on anything the Client returns.
var (
	ErrNotFound            = errors.New("aisclient: object not found")
	ErrBucketNotFound      = errors.New("aisclient: bucket not found")
	ErrExists              = errors.New("aisclient: already exists")
	ErrInvalidName         = errors.New("aisclient: invalid name")
	ErrNameTooLong         = errors.New("aisclient: name too long for the target's file system")
	ErrNameConflict        = errors.New("aisclient: name conflicts with an object or directory") // AIS ErrMv
	ErrRangeNotSatisfiable = errors.New("aisclient: range not satisfiable")
	ErrUnauthorized        = errors.New("aisclient: unauthorized")
	ErrBadChecksum         = errors.New("aisclient: checksum mismatch")
	ErrUnavailable         = errors.New("aisclient: cluster unavailable")
	ErrNoSpace             = errors.New("aisclient: out of space")     // 507, ErrCapExceeded
	ErrInvalidArgument     = errors.New("aisclient: invalid argument") // rejected before sending
)

// tcodeNoNodes: the proxy knows no target, e.g. while targets restart (400 or 500).
const tcodeNoNodes = "ErrNoNodes"

// HTTPError is an error response from AIS.
type HTTPError struct {
	Op      string // Client method, e.g. "HeadObject"
	Method  string
	Path    string // URL path without the query, so handles and signatures never leak
	Status  int
	TCode   string // AIS error type, e.g. "ErrNotFound"; often empty
	Message string
	Node    string // node that failed, e.g. "t[vjWt51082]" or "p[...]"

	bucketOp bool        // a 404 here means the bucket is missing
	header   http.Header // response headers (Content-Range of a 416)
}

func (e *HTTPError) Error() string {
	var sb strings.Builder
	sb.WriteString("aisclient: ")
	sb.WriteString(e.Op)
	sb.WriteByte(' ')
	sb.WriteString(e.Method)
	sb.WriteByte(' ')
	sb.WriteString(e.Path)
	sb.WriteString(": ")
	sb.WriteString(http.StatusText(e.Status))
	if e.TCode != "" {
		sb.WriteString(" (" + e.TCode + ")")
	}
	if e.Message != "" {
		sb.WriteString(": " + e.Message)
	}
	return sb.String()
}

// Is maps AIS status codes and tcodes onto the sentinels.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrBucketNotFound:
		return e.TCode == "ErrBckNotFound" || e.TCode == "ErrRemoteBckNotFound" ||
			e.TCode == "ErrMissingBackend" || e.TCode == "ErrInvalidBackendProvider" ||
			e.Status == http.StatusNotFound && e.bucketOp
	case ErrNotFound:
		return e.Status == http.StatusNotFound && !e.Is(ErrBucketNotFound)
	case ErrExists:
		return e.Status == http.StatusConflict || strings.HasSuffix(e.TCode, "AlreadyExists")
	case ErrInvalidName:
		return e.TCode == "errInvalidPath" || e.TCode == "ErrInvalidObjName" ||
			e.Status == http.StatusBadRequest && e.TCode == "" && strings.Contains(e.Message, "name is invalid")
	case ErrNameTooLong:
		// A name AIS accepts but its target cannot store (a path over the file system's
		// PATH_MAX): AIS passes the OS error on in the message.
		return e.Status == http.StatusBadRequest && strings.Contains(e.Message, "file name too long")
	case ErrNameConflict:
		return e.TCode == "ErrMv"
	case ErrRangeNotSatisfiable:
		return e.Status == http.StatusRequestedRangeNotSatisfiable
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden ||
			e.TCode == "ErrBucketAccessDenied" || e.TCode == "ErrObjectAccessDenied"
	case ErrBadChecksum:
		return e.TCode == "ErrBadCksum" || e.TCode == "ErrInvalidCksum"
	case ErrUnavailable:
		return e.Status == http.StatusServiceUnavailable || e.Status == http.StatusBadGateway ||
			e.Status == http.StatusGatewayTimeout || e.Status == http.StatusTooManyRequests ||
			e.TCode == "ErrRemoteBucketOffline" || e.TCode == tcodeNoNodes
	case ErrNoSpace:
		return e.Status == http.StatusInsufficientStorage || e.TCode == "ErrCapExceeded"
	}
	return false
}

// TransportError is a request that got no HTTP response: connection refused or reset,
// timeout, cancellation. Err is the cause (context.Canceled, a *net.OpError, ...).
type TransportError struct {
	Op     string
	Method string
	Path   string // without the query
	Err    error
}

func (e *TransportError) Error() string {
	return "aisclient: " + e.Op + " " + e.Method + " " + e.Path + ": " + e.Err.Error()
}

func (e *TransportError) Unwrap() error { return e.Err }

// Is reports ErrUnavailable for failures to reach or stay connected to a node.
func (e *TransportError) Is(target error) bool {
	return target == ErrUnavailable && isConnError(e.Err)
}

// isConnError: the node could not be reached, or dropped the connection.
func isConnError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// isDialError: the connection was never opened, so nothing was sent and any request may
// be repeated.
func isDialError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
