package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
)

// sample is one object of the demo tree.
type sample struct {
	name string
	data []byte
	md   map[string]string // custom metadata (shows in getfattr -d)
}

// sampleTree is a small tree with nested dirs, binary files, one of a few
// MiB, an empty one and one carrying custom metadata. Content is
// deterministic, so re-seeding writes the same bytes.
func sampleTree() []sample {
	objs := []sample{
		{name: "hello.txt", data: []byte("Hello from AIStore, through aisfs!\n")},
		{name: "empty.txt", data: nil},
		{name: "docs/readme.txt", data: []byte(readme), md: map[string]string{"author": "aisfs-demo", "topic": "readme"}},
		{name: "docs/guide/getting-started.md", data: []byte(guide)},
		{name: "config/settings.json", data: []byte(`{"epochs": 3, "batch_size": 64, "shuffle": true}` + "\n")},
		{name: "images/2024/a.jpg", data: withMagic([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "images/2024/a.jpg", 48<<10)},
		{name: "images/2024/b.jpg", data: withMagic([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "images/2024/b.jpg", 32<<10)},
		{name: "images/2025/logo.png", data: withMagic([]byte("\x89PNG\r\n\x1a\n"), "images/2025/logo.png", 8<<10)},
		{name: "data/big.bin", data: pseudoRandom("data/big.bin", 4<<20)},
		{name: "data/val/part-0000.bin", data: pseudoRandom("data/val/part-0000.bin", 128<<10)},
	}
	for i := range 10 {
		name := fmt.Sprintf("data/train/part-%04d.bin", i)
		objs = append(objs, sample{name: name, data: pseudoRandom(name, 128<<10)})
	}
	return objs
}

const readme = `This bucket was filled by "aiscluster seed" for the aisfs demo.

Try, from the repository root:
  ls -lR mnt/ais/demo
  cat mnt/ais/demo/docs/readme.txt
  find mnt/ais/demo -name '*.bin' | head
  getfattr -d mnt/ais/demo/docs/readme.txt
  df -h mnt
`

const guide = "# Getting started\n\nObjects are files; `/` in object names makes directories.\n"

// pseudoRandom returns n bytes seeded by name.
func pseudoRandom(name string, n int) []byte {
	h := fnv.New64a()
	h.Write([]byte(name))
	r := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func withMagic(magic []byte, name string, n int) []byte {
	b := pseudoRandom(name, n)
	copy(b, magic)
	return b
}

// seed creates bucket (an existing one is fine) and PUTs the sample tree.
func seed(ctx context.Context, endpoint, bucket string, out io.Writer) error {
	endpoint = strings.TrimRight(endpoint, "/")
	// Redirects are followed by hand: AIS answers a PUT with a 307 to the
	// target, and the body must be sent again there.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	created, err := createBucket(ctx, c, endpoint, bucket)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(out, "created bucket ais://%s\n", bucket)
	} else {
		fmt.Fprintf(out, "bucket ais://%s exists\n", bucket)
	}
	var total int
	objs := sampleTree()
	for _, o := range objs {
		if err := putObject(ctx, c, endpoint+"/v1/objects/"+bucket+"/"+escapePath(o.name), o.data, o.md); err != nil {
			return fmt.Errorf("put %s: %w", o.name, err)
		}
		total += len(o.data)
	}
	fmt.Fprintf(out, "put %d objects (%d bytes) into ais://%s\n", len(objs), total, bucket)
	return nil
}

func createBucket(ctx context.Context, c *http.Client, endpoint, bucket string) (created bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/v1/buckets/"+url.PathEscape(bucket),
		strings.NewReader(`{"action":"create-bck"}`))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	code, msg, err := send(c, req)
	switch {
	case err != nil:
		return false, err
	case code == http.StatusOK:
		return true, nil
	case code == http.StatusConflict:
		return false, nil
	}
	return false, fmt.Errorf("create bucket %s: HTTP %d: %s", bucket, code, msg)
}

// putObject PUTs data to u and re-issues it to wherever AIS redirects.
func putObject(ctx context.Context, c *http.Client, u string, data []byte, md map[string]string) error {
	for range 3 {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(data))
		if err != nil {
			return err
		}
		for k, v := range md {
			req.Header.Add("Ais-Custom-Md", k+"="+v)
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			return nil
		case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			loc, err := resp.Location()
			if err != nil {
				return err
			}
			u = loc.String()
			continue
		}
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
	}
	return fmt.Errorf("too many redirects (last %s)", u)
}

// send does req and returns the status and (start of) the body.
func send(c *http.Client, req *http.Request) (int, string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, string(msg), nil
}

// escapePath percent-encodes each segment of an object name.
func escapePath(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
