package aisclient

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// A second real cluster attached to the first: its buckets list and its objects read through
// the first, by UUID once the alias is resolved; an unknown alias is ErrRemoteNotFound.
func TestRemoteCluster(t *testing.T) {
	local := newClient(t)
	remoteEP := aiscluster.Second(t)
	remote := newClient(t, remoteEP)
	rb := newBucket(t, remote)
	data := []byte("bytes that live on the remote cluster")
	if _, err := remote.PutObject(t.Context(), rb, "d/obj", bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	uuid := aiscluster.AttachRemote(t, aiscluster.Endpoint(t), remoteEP, "rc1")

	rcs, err := local.RemoteClusters(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rcs, func(r RemoteCluster) bool { return r.Alias == "rc1" && r.UUID == uuid && r.Online() }) {
		t.Errorf("RemoteClusters = %+v, want alias rc1 with UUID %s", rcs, uuid)
	}
	for _, in := range []string{"@rc1", "@" + uuid} {
		ns, err := local.ResolveNamespace(t.Context(), in)
		if err != nil || ns != "@"+uuid {
			t.Errorf("ResolveNamespace(%q) = %q, %v; want @%s", in, ns, err, uuid)
		}
	}
	if ns, err := local.ResolveNamespace(t.Context(), "#local"); err != nil || ns != "#local" {
		t.Errorf("ResolveNamespace(#local) = %q, %v", ns, err)
	}
	if _, err := local.ResolveNamespace(t.Context(), "@nosuch"); !errors.Is(err, ErrRemoteNotFound) {
		t.Errorf("ResolveNamespace(@nosuch): %v, want ErrRemoteNotFound", err)
	}

	bcks, err := local.ListNamespace(t.Context(), "@"+uuid)
	if err != nil {
		t.Fatal(err)
	}
	want := Bck{Name: rb.Name, Provider: ProviderAIS, Namespace: "@" + uuid}
	if !slices.Contains(bcks, want) {
		t.Fatalf("ListNamespace(@%s) = %+v, want %+v", uuid, bcks, want)
	}
	if _, err := local.HeadBucket(t.Context(), want); err != nil {
		t.Fatalf("HeadBucket(%s): %v", want, err)
	}
	ents, _, err := local.ListObjects(t.Context(), want, ListOptions{})
	if err != nil || len(ents) != 1 || ents[0].Name != "d/obj" || ents[0].Size != int64(len(data)) {
		t.Errorf("ListObjects(%s) = %+v, %v", want, ents, err)
	}
	rc, _, err := local.GetObject(t.Context(), want, "d/obj")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("GetObject through the local cluster: %q, %v", got, err)
	}
	p := make([]byte, 5)
	if n, _, err := local.GetRange(t.Context(), want, "d/obj", 6, p); err != nil || string(p[:n]) != string(data[6:11]) {
		t.Errorf("GetRange through the local cluster: %q, %v", p[:n], err)
	}
}

// Buckets in a namespace of the local cluster list with the global ones, named "#NS".
func TestLocalNamespace(t *testing.T) {
	c := newClient(t)
	bck := Bck{Name: "nsbucket", Namespace: "#aisclient-ns"}
	if err := c.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DestroyBucket(t.Context(), bck) })
	data := []byte("namespaced")
	if _, err := c.PutObject(t.Context(), bck, "o", bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	want := Bck{Name: "nsbucket", Provider: ProviderAIS, Namespace: "#aisclient-ns"}
	all, err := c.ListBuckets(t.Context(), "")
	if err != nil || !slices.Contains(all, want) {
		t.Errorf("ListBuckets = %+v, %v; want %+v among them", all, err, want)
	}
	in, err := c.ListNamespace(t.Context(), "#aisclient-ns")
	if err != nil || len(in) != 1 || in[0] != want {
		t.Errorf("ListNamespace(#aisclient-ns) = %+v, %v; want just %+v", in, err, want)
	}
	p := make([]byte, len(data))
	if n, _, err := c.GetRange(t.Context(), bck, "o", 0, p); err != nil || string(p[:n]) != string(data) {
		t.Errorf("GetRange in a namespace: %q, %v", p[:n], err)
	}
}
