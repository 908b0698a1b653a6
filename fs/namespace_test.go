package fs

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

// A second real cluster attached to the first shows in a cluster mount as ais/@ALIAS (and
// ais/@UUID), its buckets and objects read through the first; a local namespace shows as
// ais/#NS; a bucket of the remote cluster mounts on its own.
func TestRemoteClusterAndNamespaces(t *testing.T) {
	local := newClient(t)
	remoteEP := aiscluster.Second(t)
	remote, err := aisclient.New(aisclient.Config{Endpoint: remoteEP})
	if err != nil {
		t.Fatal(err)
	}
	rb := newBucket(t, remote)
	small, big := []byte("remote bytes\n"), randBytes(t, 3<<20+5)
	put(t, remote, rb, "d/obj", small)
	put(t, remote, rb, "big.bin", big)
	uuid := aiscluster.AttachRemote(t, aiscluster.Endpoint(t), remoteEP, "rfs")

	nsb := aisclient.Bck{Name: "fs-ns-bucket", Namespace: "#fsns"}
	if err := local.CreateBucket(t.Context(), nsb); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.DestroyBucket(context.Background(), nsb) })
	put(t, local, nsb, "o", []byte("namespaced"))

	mnt := testMount(t, Config{Store: local})
	ais := filepath.Join(mnt, "ais")
	if got := names(t, ais); !slices.Contains(got, "@rfs/") || !slices.Contains(got, "#fsns/") {
		t.Fatalf("ais/ = %v, want @rfs/ and #fsns/ among them", got)
	}
	for _, cl := range []string{"@rfs", "@" + uuid} {
		dir := filepath.Join(ais, cl, rb.Name)
		if got := names(t, filepath.Join(ais, cl)); !slices.Contains(got, rb.Name+"/") {
			t.Errorf("ais/%s = %v, want %s/", cl, got, rb.Name)
		}
		if got, want := names(t, dir), []string{"big.bin", "d/"}; !slices.Equal(got, want) {
			t.Errorf("ais/%s/%s = %v, want %v", cl, rb.Name, got, want)
		}
		for name, data := range map[string][]byte{"d/obj": small, "big.bin": big} {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("read ais/%s/%s/%s: %d bytes, %v; want %d", cl, rb.Name, name, len(got), err, len(data))
			}
		}
	}
	// The local cluster keeps what it read from the remote one.
	ents, _, err := local.ListObjects(t.Context(), aisclient.Bck{Name: rb.Name, Namespace: "@" + uuid}, aisclient.ListOptions{Props: []string{"name", "status"}})
	if err != nil || len(ents) != 2 {
		t.Fatalf("list through the local cluster: %+v, %v", ents, err)
	}
	for _, e := range ents {
		if !e.Present {
			t.Errorf("%s was read through the local cluster but is not present in it", e.Name)
		}
	}
	if _, err := os.Stat(filepath.Join(ais, "@nosuch")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat ais/@nosuch: %v, want ENOENT", err)
	}
	if _, err := os.Stat(filepath.Join(ais, "#nosuch")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat ais/#nosuch: %v, want ENOENT", err)
	}
	if err := os.Mkdir(filepath.Join(ais, "@rfs", "newbucket"), 0o755); !errors.Is(err, syscall.EROFS) {
		t.Errorf("mkdir in a remote cluster: %v, want EROFS", err)
	}
	if got := names(t, filepath.Join(ais, "#fsns")); !slices.Equal(got, []string{nsb.Name + "/"}) {
		t.Errorf("ais/#fsns = %v, want just %s/", got, nsb.Name)
	}
	if got, err := os.ReadFile(filepath.Join(ais, "#fsns", nsb.Name, "o")); err != nil || string(got) != "namespaced" {
		t.Errorf("read in a local namespace: %q, %v", got, err)
	}
	if got := names(t, ais); slices.Contains(got, nsb.Name+"/") {
		t.Errorf("ais/ = %v lists the namespaced bucket among the global ones", got)
	}

	// One remote bucket mounted by itself, rooted at a prefix (what SOURCE ais://@rfs/B/d
	// mounts once cmd/aisfs has resolved the alias).
	bmnt := testMount(t, Config{Store: local, Bucket: aisclient.Bck{Name: rb.Name, Namespace: "@" + uuid}, Prefix: "d/"})
	if got, err := os.ReadFile(filepath.Join(bmnt, "obj")); err != nil || !bytes.Equal(got, small) {
		t.Errorf("read in a remote bucket mount: %q, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(bmnt, "written"), []byte("from the mount"), 0o644); err != nil {
		t.Fatalf("write in a remote bucket mount: %v", err)
	}
	p := make([]byte, 64)
	if n, _, err := remote.GetRange(t.Context(), rb, "d/written", 0, p); err != nil || string(p[:n]) != "from the mount" {
		t.Errorf("the remote cluster holds %q, %v; want what the mount wrote", p[:n], err)
	}
}
