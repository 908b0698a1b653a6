package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// direct is the comparison client: plain net/http against AIS's native API, the way a user
// without aisfs calls it. It shares no code with aisclient, so changes to the product's client
// cannot move the baseline. Reads go through the proxy (following its redirect) or, with
// viaTarget, straight to the target's public URL learned from the cluster map.
type direct struct {
	proxy  string // http://host:port of the proxy
	target string // http://host:port of the (single) target
	bck    string
	hc     *http.Client
}

func newDirect(ctx context.Context, proxy, bck string) (*direct, error) {
	d := &direct{proxy: strings.TrimRight(proxy, "/"), bck: bck, hc: newHTTPClient()}
	var err error
	d.target, err = d.targetURL(ctx)
	return d, err
}

func newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: 5 * time.Second, // PUTs: the proxy redirects before any body byte goes out
		DisableCompression:    true,
		WriteBufferSize:       256 << 10,
		ReadBufferSize:        64 << 10,
	}}
}

// targetURL reads the cluster map: tmap.<id>.public_net.direct_url of the first target.
func (d *direct) targetURL(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.proxy+"/v1/daemon?what=smap", nil)
	if err != nil {
		return "", err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var smap struct {
		Tmap map[string]struct {
			PublicNet struct {
				DirectURL string `json:"direct_url"`
			} `json:"public_net"`
		} `json:"tmap"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&smap); err != nil {
		return "", fmt.Errorf("smap: %w", err)
	}
	for _, t := range smap.Tmap {
		if t.PublicNet.DirectURL != "" {
			return strings.TrimRight(t.PublicNet.DirectURL, "/"), nil
		}
	}
	return "", fmt.Errorf("smap lists no target")
}

func (d *direct) objURL(base, name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return base + "/v1/objects/" + d.bck + "/" + strings.Join(segs, "/")
}

func (d *direct) base(viaTarget bool) string {
	if viaTarget {
		return d.target
	}
	return d.proxy
}

// get opens an object (or, with length > 0, the range [off, off+length)).
func (d *direct) get(ctx context.Context, name string, viaTarget bool, off, length int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.objURL(d.base(viaTarget), name), nil)
	if err != nil {
		return nil, err
	}
	want := http.StatusOK
	if length > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+length-1))
		want = http.StatusPartialContent
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s: %s", name, resp.Status, msg)
	}
	return resp.Body, nil
}

// readAll GETs a whole object into buf (which must be large enough) and returns its bytes.
func (d *direct) readAll(ctx context.Context, name string, viaTarget bool, buf []byte) ([]byte, error) {
	body, err := d.get(ctx, name, viaTarget, 0, 0)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	n, err := io.ReadFull(body, buf)
	if err != io.ErrUnexpectedEOF && err != nil {
		return nil, err
	}
	if err == nil { // buf filled: the object must end here
		if m, _ := body.Read(make([]byte, 1)); m > 0 {
			return nil, fmt.Errorf("GET %s: longer than %d bytes", name, len(buf))
		}
	}
	return buf[:n], nil
}

// put stores size bytes from open() with one streaming PUT through the proxy. open is called
// again for the redirected request; with Expect: 100-continue the proxy's 307 comes before any
// body byte is sent, so the bytes go out once, to the target.
func (d *direct) put(ctx context.Context, name string, size int64, open func() io.Reader) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, d.objURL(d.proxy, name), io.NopCloser(open()))
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(open()), nil }
	if size > 0 {
		req.Header.Set("Expect", "100-continue")
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: %s: %s", name, resp.Status, msg)
	}
	return nil
}

func (d *direct) delete(ctx context.Context, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, d.objURL(d.proxy, name), nil)
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("DELETE %s: %s", name, resp.Status)
	}
	return nil
}

// entry is one listed object; Size is a string in AIS's JSON.
type entry struct {
	Name  string `json:"name"`
	Size  string `json:"size"`
	Atime string `json:"atime"`
	Flags uint32 `json:"flags"`
	Md    string `json:"custom-md"`
}

const lsNoRecursion = 2048

// list pages through the objects under prefix (one level when flat), asking for props,
// and calls fn with each page's entries.
func (d *direct) list(ctx context.Context, prefix, props string, flat bool, fn func([]entry) error) error {
	var token, uuid string
	flags := "0"
	if flat {
		flags = fmt.Sprint(lsNoRecursion)
	}
	for {
		msg := map[string]any{"action": "list", "value": map[string]any{
			"prefix": prefix, "props": props, "flags": flags,
			"continuation_token": token, "uuid": uuid,
		}}
		body, _ := json.Marshal(msg)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.proxy+"/v1/buckets/"+d.bck, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := d.hc.Do(req)
		if err != nil {
			return err
		}
		var page struct {
			UUID    string  `json:"uuid"`
			Token   string  `json:"continuation_token"`
			Entries []entry `json:"entries"`
		}
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			return fmt.Errorf("list %s: %s: %s", prefix, resp.Status, msg)
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		if err := fn(page.Entries); err != nil {
			return err
		}
		if page.Token == "" {
			return nil
		}
		token, uuid = page.Token, page.UUID
	}
}

// createBucket makes the bench bucket unless it exists.
func (d *direct) createBucket(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, d.proxy+"/v1/buckets/"+d.bck, nil)
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, d.proxy+"/v1/buckets/"+d.bck,
		strings.NewReader(`{"action":"create-bck"}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if resp, err = d.hc.Do(req); err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusConflict {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("create bucket %s: %s: %s", d.bck, resp.Status, msg)
	}
	return nil
}
