package aisclient

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// GetBatch (AIS "moss", GET /v1/ml/moss/BUCKET) returns many objects in one response: a TAR
// streamed in request order. Observed on v1.5.0:
//   - the proxy answers 307 to a target; a target asked directly answers 401, so the request
//     always goes through the proxy;
//   - TAR headers carry name, size and a time, but no version or checksum: callers that must
//     not take another version check the bytes (GetBatch reports what it got, nothing more);
//   - without "coer" a missing object ends the archive early and cleanly (200, a valid end
//     marker, fewer entries); with it the object comes back as an empty "__404__/NAME" entry,
//     until the target's soft-error limit (8 by default) aborts the stream.
// So every request sets coer and onob, and each entry is matched against the name asked at
// its position: a shorter or broken archive leaves the rest undelivered, never misattributed.

// mossMissing prefixes the entries of objects AIS did not find (apc.MossMissingDir).
const mossMissing = "__404__/"

// BatchMember is one entry of a GetBatch answer.
type BatchMember struct {
	Index   int    // position in the names asked for
	Name    string // the object name asked for
	Size    int64  // bytes that follow in the member's reader
	Missing bool   // AIS did not find the object (deleted since it was listed): no bytes
}

type mossIn struct {
	ObjName string `json:"objname"`
}

type mossReq struct {
	In          []mossIn `json:"in"`
	ContinueErr bool     `json:"coer"`
	OnlyObjName bool     `json:"onob"`
	Streaming   bool     `json:"strm"`
}

// GetBatch asks for the whole objects names of bck in one request and calls each for every
// member of the answer, in order, with a reader of exactly m.Size bytes (each may read less:
// the rest is skipped). It returns how many members were handed to each; on a nil error that
// is len(names). A failure before the answer starts is retried like any read; once members
// flow, a break ends the call with an error and the members after the count are simply not
// delivered (the caller reads them another way). An error returned by each stops the call and
// is returned as is.
func (c *Client) GetBatch(ctx context.Context, bck Bck, names []string, each func(m BatchMember, r io.Reader) error) (int, error) {
	if len(names) == 0 {
		return 0, nil
	}
	if err := bck.validate(); err != nil {
		return 0, err
	}
	req := mossReq{In: make([]mossIn, len(names)), ContinueErr: true, OnlyObjName: true, Streaming: true}
	for i, n := range names {
		if err := validObjectName(n); err != nil {
			return 0, err
		}
		req.In[i].ObjName = n
	}
	body, err := json.Marshal(&req)
	if err != nil {
		return 0, fmt.Errorf("aisclient: GetBatch: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("/v1/ml/moss/")
	escapeSegment(&sb, bck.Name)
	cl := &call{
		op: "GetBatch", method: http.MethodGet, path: sb.String(), query: bck.query(),
		body: body, json: true, retry: true, firstByte: true, keepBody: true, bucketOp: true,
	}
	var rc io.ReadCloser
	err = c.do(ctx, cl, func(resp *http.Response) error {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/") {
			return fmt.Errorf("aisclient: GetBatch %s: unexpected Content-Type %q", resp.Request.URL.Path, ct)
		}
		rc = resp.Body
		return nil
	})
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return readBatch(rc, names, each)
}

// errBatchShort: the archive ended before every member asked for was in it.
var errBatchShort = errors.New("aisclient: GetBatch: the archive ended early")

// readBatch walks the TAR, matching entry i with names[i].
func readBatch(r io.Reader, names []string, each func(BatchMember, io.Reader) error) (int, error) {
	tr := tar.NewReader(r)
	for i, name := range names {
		h, err := tr.Next()
		if err == io.EOF {
			return i, fmt.Errorf("%w: %d of %d members", errBatchShort, i, len(names))
		}
		if err != nil {
			return i, &readError{fmt.Errorf("aisclient: GetBatch: reading member %d: %w", i, err)}
		}
		m := BatchMember{Index: i, Name: name, Size: h.Size}
		switch h.Name {
		case name:
		case mossMissing + name:
			m.Missing, m.Size = true, 0
		default:
			return i, fmt.Errorf("aisclient: GetBatch: member %d is %q, asked for %q", i, h.Name, name)
		}
		lr := &io.LimitedReader{R: tr, N: m.Size}
		if err := each(m, lr); err != nil {
			return i, err
		}
	}
	return len(names), nil
}
