package aisclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// batchResult is what one GetBatch delivered, member by member.
type batchResult struct {
	members []BatchMember
	data    []string
}

func getBatch(t *testing.T, c *Client, bck Bck, names []string) (batchResult, int, error) {
	t.Helper()
	var res batchResult
	n, err := c.GetBatch(t.Context(), bck, names, func(m BatchMember, r io.Reader) error {
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if int64(len(b)) != m.Size {
			t.Errorf("member %d (%s): read %d bytes, size says %d", m.Index, m.Name, len(b), m.Size)
		}
		res.members = append(res.members, m)
		res.data = append(res.data, string(b))
		return nil
	})
	return res, n, err
}

func TestGetBatchContentAndOrder(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	long := strings.Repeat("n", 150) + "/" + strings.Repeat("m", 120) // beyond ustar's 100-byte names
	objs := map[string]string{
		"d/a":               "alpha",
		"d/b":               strings.Repeat("0123456789abcdef", 40000), // 640,000 bytes
		"d/empty":           "",
		"d/with space é✓":   "unicode name",
		"d/sub/deep":        "nested",
		long:                "long name",
		"__404__/not-a-404": "an object whose name looks like a missing marker",
	}
	for n, v := range objs {
		put(t, c, bck, n, v, PutOptions{})
	}
	// Request order is answer order, including repeats.
	names := []string{"d/b", "d/a", "d/empty", "d/with space é✓", long, "d/sub/deep", "d/a", "__404__/not-a-404"}
	res, n, err := getBatch(t, c, bck, names)
	if err != nil || n != len(names) {
		t.Fatalf("GetBatch = %d, %v; want %d, nil", n, err, len(names))
	}
	for i, name := range names {
		m := res.members[i]
		if m.Index != i || m.Name != name || m.Missing || m.Size != int64(len(objs[name])) {
			t.Errorf("member %d = %+v, want %q of %d bytes", i, m, name, len(objs[name]))
		}
		if res.data[i] != objs[name] {
			t.Errorf("member %d (%s): content differs (%d bytes, want %d)", i, name, len(res.data[i]), len(objs[name]))
		}
	}
}

func TestGetBatchMissing(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "x/1", "one", PutOptions{})
	put(t, c, bck, "x/3", "three", PutOptions{})

	t.Run("one missing", func(t *testing.T) {
		res, n, err := getBatch(t, c, bck, []string{"x/1", "x/2", "x/3"})
		if err != nil || n != 3 {
			t.Fatalf("GetBatch = %d, %v", n, err)
		}
		want := []struct {
			missing bool
			data    string
		}{{false, "one"}, {true, ""}, {false, "three"}}
		for i, w := range want {
			if res.members[i].Missing != w.missing || res.data[i] != w.data {
				t.Errorf("member %d = %+v %q, want missing=%v %q", i, res.members[i], res.data[i], w.missing, w.data)
			}
		}
	})
	t.Run("past the soft-error limit", func(t *testing.T) {
		// AIS gives up after max_soft_errs (8) missing members: the rest is not delivered,
		// and nothing delivered is attributed to another name.
		names := []string{"x/1"}
		for i := range 20 {
			names = append(names, fmt.Sprintf("x/gone-%d", i))
		}
		names = append(names, "x/3")
		res, n, err := getBatch(t, c, bck, names)
		if err == nil || n >= len(names) {
			t.Fatalf("GetBatch = %d, %v; want an early end", n, err)
		}
		if len(res.members) != n || res.data[0] != "one" {
			t.Fatalf("delivered %d members (count %d), first %q", len(res.members), n, res.data[0])
		}
		for i, m := range res.members[1:] {
			if !m.Missing || m.Name != names[i+1] {
				t.Errorf("member %d = %+v, want %s missing", i+1, m, names[i+1])
			}
		}
	})
}

func TestGetBatchErrors(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "a", "A", PutOptions{})
	put(t, c, bck, "b", "B", PutOptions{})

	if _, _, err := getBatch(t, c, Bck{Name: "no-such-bucket-getbatch"}, []string{"a"}); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("missing bucket: %v, want ErrBucketNotFound", err)
	}
	if _, err := c.GetBatch(t.Context(), bck, []string{"a", ""}, nil); !errors.Is(err, ErrInvalidName) {
		t.Errorf("empty name: %v, want ErrInvalidName", err)
	}
	if n, err := c.GetBatch(t.Context(), bck, nil, nil); n != 0 || err != nil {
		t.Errorf("no names: %d, %v", n, err)
	}
	// An error of the callback stops the batch and comes back as is.
	stop := errors.New("stop")
	calls := 0
	n, err := c.GetBatch(t.Context(), bck, []string{"a", "b"}, func(m BatchMember, r io.Reader) error {
		calls++
		return stop
	})
	if n != 0 || !errors.Is(err, stop) || calls != 1 {
		t.Errorf("callback error: %d, %v after %d calls", n, err, calls)
	}
	// A member read only in part does not disturb the next one.
	var got bytes.Buffer
	n, err = c.GetBatch(t.Context(), bck, []string{"a", "b"}, func(m BatchMember, r io.Reader) error {
		if m.Index == 1 {
			_, err := io.Copy(&got, r)
			return err
		}
		return nil
	})
	if n != 2 || err != nil || got.String() != "B" {
		t.Errorf("partial read: %d, %v, second member %q", n, err, got.String())
	}
}
