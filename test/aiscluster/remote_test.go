package aiscluster

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A second cluster attached to the first serves its buckets and objects
// through the first, under namespace @ALIAS (or @UUID).
func TestAttachRemote(t *testing.T) {
	local, remote := Endpoint(t), Second(t)
	if local == remote {
		t.Fatalf("Second returned the shared cluster %s", local)
	}
	const bucket = "attach-test"
	if err := send(t, http.MethodPost, remote+"/v1/buckets/"+bucket, `{"action":"create-bck"}`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { send(t, http.MethodDelete, remote+"/v1/buckets/"+bucket, `{"action":"destroy-bck"}`) })
	if err := send(t, http.MethodPut, remote+"/v1/objects/"+bucket+"/d/obj", "remote bytes"); err != nil {
		t.Fatal(err)
	}

	uuid := AttachRemote(t, local, remote, "rt")
	if uuid == "" || uuid == "rt" {
		t.Fatalf("AttachRemote returned UUID %q", uuid)
	}
	rcs, err := RemoteClusters(t.Context(), local)
	if err != nil || len(rcs) != 1 || rcs[0].Alias != "rt" || rcs[0].URL != remote {
		t.Fatalf("RemoteClusters = %+v, %v; want one, alias rt, url %s", rcs, err, remote)
	}
	for _, ns := range []string{"@rt", "@" + uuid} {
		q := url.Values{"provider": {"ais"}, "namespace": {ns}}
		var bcks []struct {
			Name string `json:"name"`
			Ns   struct {
				UUID string `json:"uuid"`
				Name string `json:"name"`
			} `json:"namespace"`
		}
		if err := getJSON(t.Context(), local+"/v1/buckets?"+q.Encode(), &bcks); err != nil {
			t.Fatalf("list buckets %s: %v", ns, err)
		}
		t.Logf("buckets of %s: %+v", ns, bcks)
		found := false
		for _, b := range bcks {
			found = found || b.Name == bucket
		}
		if !found {
			t.Errorf("buckets of %s: %+v, want %s", ns, bcks, bucket)
		}
	}
	// Objects are read by UUID: v1.5.0's target answers a GET by alias with
	// 400 ErrRemoteBckNotFound (the proxy's bucket metadata names the
	// remote bucket by UUID).
	{
		q := url.Values{"provider": {"ais"}, "namespace": {"@" + uuid}}
		resp, err := http.Get(local + "/v1/objects/" + bucket + "/d/obj?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "remote bytes" {
			t.Errorf("GET through @%s: %s %q", uuid, resp.Status, b)
		}
	}
}

func send(t *testing.T, method, u, body string) error {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, strings.NewReader(body))
	if err != nil {
		return err
	}
	if json.Valid([]byte(body)) {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return &statusError{code: resp.StatusCode, body: string(b)}
	}
	return nil
}
