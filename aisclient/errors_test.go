package aisclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHTTPErrorIs(t *testing.T) {
	all := []error{ErrNotFound, ErrBucketNotFound, ErrExists, ErrInvalidName, ErrNameTooLong, ErrNameConflict,
		ErrRangeNotSatisfiable, ErrUnauthorized, ErrBadChecksum, ErrUnavailable, ErrNoSpace}
	for _, tc := range []struct {
		e    HTTPError
		want error // nil: matches none
	}{
		{HTTPError{Status: 404, TCode: "ErrNotFound"}, ErrNotFound},
		{HTTPError{Status: 404}, ErrNotFound}, // DELETE of a missing object has no tcode
		{HTTPError{Status: 404, TCode: "ErrBckNotFound"}, ErrBucketNotFound},
		{HTTPError{Status: 404, bucketOp: true}, ErrBucketNotFound}, // HEAD bucket
		{HTTPError{Status: 404, TCode: "ErrFailedTo", bucketOp: true}, ErrBucketNotFound},
		{HTTPError{Status: 400, TCode: "ErrMissingBackend"}, ErrBucketNotFound},
		{HTTPError{Status: 400, TCode: "ErrInvalidBackendProvider"}, ErrBucketNotFound},
		{HTTPError{Status: 409, TCode: "ErrBucketAlreadyExists"}, ErrExists},
		{HTTPError{Status: 400, TCode: "errInvalidPath"}, ErrInvalidName},
		{HTTPError{Status: 400, TCode: "LinkError", Message: "rename /a/%wk/x /a/%ob/y/z: file name too long"}, ErrNameTooLong},
		{HTTPError{Status: 400, Message: "bucket name is invalid: may only contain letters"}, ErrInvalidName},
		{HTTPError{Status: 400, TCode: "ErrMv"}, ErrNameConflict},
		{HTTPError{Status: 416, TCode: "ErrRangeNotSatisfiable"}, ErrRangeNotSatisfiable},
		{HTTPError{Status: 416, TCode: "ErrUnsupp"}, ErrRangeNotSatisfiable},
		{HTTPError{Status: 401}, ErrUnauthorized},
		{HTTPError{Status: 403}, ErrUnauthorized},
		{HTTPError{Status: 500, TCode: "ErrBadCksum"}, ErrBadChecksum},
		{HTTPError{Status: 503}, ErrUnavailable},
		{HTTPError{Status: 502}, ErrUnavailable},
		{HTTPError{Status: 429}, ErrUnavailable},
		{HTTPError{Status: 507, TCode: "ErrCapExceeded"}, ErrNoSpace},
		{HTTPError{Status: 500}, nil},
		{HTTPError{Status: 400, Message: "cannot rename to self"}, nil},
	} {
		err := error(&tc.e)
		wrapped := errors.Join(errors.New("context"), err) // through another wrapper
		for _, s := range all {
			want := s == tc.want
			if errors.Is(err, s) != want || errors.Is(wrapped, s) != want {
				t.Errorf("%+v: errors.Is(%v) = %v, want %v", tc.e, s, !want, want)
			}
		}
	}
}

func TestTransportErrorIs(t *testing.T) {
	for _, tc := range []struct {
		err         error
		unavailable bool
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
	} {
		e := &TransportError{Op: "X", Method: "GET", Path: "/p", Err: tc.err}
		if errors.Is(e, ErrUnavailable) != tc.unavailable {
			t.Errorf("%v: ErrUnavailable = %v", tc.err, !tc.unavailable)
		}
		if !errors.Is(e, tc.err) {
			t.Errorf("%v does not unwrap to its cause", e)
		}
	}
}

// TestErrorParsing: the AIS error JSON arrives in the body, or in Hdr-Error for HEAD.
func TestErrorParsing(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/html"):
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte("<html>\n<body>" + strings.Repeat("x", 500) + "</body></html>"))
		default:
			aisErr(w, r, http.StatusNotFound, "ErrNotFound", "t[fake]: ais://b/o does not exist")
		}
	})
	c := fakeClient(t, f.URL)
	bck := Bck{Name: "b"}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"HEAD", second(c.HeadObject(t.Context(), bck, "o"))},
		{"GET", third(c.GetObject(t.Context(), bck, "o"))},
	} {
		var herr *HTTPError
		if !errors.As(tc.err, &herr) {
			t.Fatalf("%s: %T %v", tc.name, tc.err, tc.err)
		}
		if herr.Status != 404 || herr.TCode != "ErrNotFound" || herr.Node != "t[fake]" ||
			herr.Message != "t[fake]: ais://b/o does not exist" || herr.Path != "/v1/objects/b/o" || herr.Op == "" {
			t.Errorf("%s: %+v", tc.name, herr)
		}
		if !errors.Is(tc.err, ErrNotFound) {
			t.Errorf("%s: not ErrNotFound", tc.name)
		}
	}
	_, _, err := c.GetObject(t.Context(), bck, "html")
	var herr *HTTPError
	if !errors.As(err, &herr) || herr.Status != 400 || herr.TCode != "" || len(herr.Message) > 210 ||
		strings.Contains(herr.Message, "\n") {
		t.Errorf("non-JSON error body: %+v", herr)
	}
}

// TestSecretsNeverInErrors: no token, and no query (append handles), in any error string.
func TestSecretsNeverInErrors(t *testing.T) {
	const token = "s3cr3t-t0ken"
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		// A server careless enough to echo the header.
		aisErr(w, r, http.StatusForbidden, "", "denied for "+r.Header.Get("Authorization"))
	})
	// A refused connection is retried until the budget is spent: keep it short.
	c := fakeClient(t, f.URL, func(cfg *Config) { cfg.Token = token; cfg.OpTimeout = time.Second })
	_, err := c.Append(t.Context(), Bck{Name: "b"}, "o", "tid|/secret/handle|xxhash2|AAAA", []byte("x"))
	if err == nil || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Append: %v", err)
	}
	for _, r := range f.requests() {
		if r.Auth != "Bearer "+token {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.Path, r.Auth)
		}
	}
	// A transport error: the server is gone.
	f.Close()
	_, err2 := c.Append(t.Context(), Bck{Name: "b"}, "o", "tid|/secret/handle|xxhash2|AAAA", []byte("x"))
	if err2 == nil || !errors.Is(err2, ErrUnavailable) {
		t.Fatalf("Append to a closed server: %v", err2)
	}
	for _, e := range []error{err, err2} {
		if s := e.Error(); strings.Contains(s, token) || strings.Contains(s, "secret") || strings.Contains(s, "append_handle") {
			t.Errorf("error leaks: %s", s)
		}
	}
}
