package aiscluster

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestZZProbe(t *testing.T) {
	c := Own(t)
	ep := c.Endpoint()
	hc := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	bck := newBucket(t, hc, ep)
	obj := objectURL(ep, bck, "o")
	put(t, &http.Client{}, obj, []byte("hello"))
	tobj := objectURL(c.TargetURL(), bck, "o")
	probe := func(tag string) {
		for _, u := range []string{obj, tobj, ep + "/v1/buckets/" + bck + "?", ep + "/v1/daemon?what=smap"} {
			for _, m := range []string{"GET", "HEAD"} {
				req, _ := http.NewRequest(m, u, nil)
				if strings.Contains(u, "buckets") && m == "GET" {
					req, _ = http.NewRequest(m, u, strings.NewReader(`{"action":"list","value":{"props":"name"}}`))
				}
				resp, err := hc.Do(req)
				if err != nil {
					fmt.Printf("%s %s %s: err %v\n", tag, m, u, err)
					continue
				}
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
				resp.Body.Close()
				fmt.Printf("%s %s %s: %d loc=%q hdrerr=%q body=%q\n", tag, m, u, resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Hdr-Error"), b)
			}
		}
	}
	probe("up")
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.StopTarget()
	}()
	for i := 0; i < 8; i++ {
		select {
		case <-done:
			i = 100
		default:
		}
		probe(fmt.Sprintf("stopping-%d", i))
		time.Sleep(300 * time.Millisecond)
	}
	<-done
	probe("target-down")
	go func() {
		for i := 0; i < 30; i++ {
			probe(fmt.Sprintf("starting-%d", i))
			time.Sleep(700 * time.Millisecond)
		}
	}()
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	probe("target-back")
	c.Stop()
	probe("all-down")
	go func() {
		for i := 0; i < 30; i++ {
			probe(fmt.Sprintf("allstarting-%d", i))
			time.Sleep(700 * time.Millisecond)
		}
	}()
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	probe("all-back")
}
