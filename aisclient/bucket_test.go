package aisclient

import (
	"errors"
	"slices"
	"testing"
)

func TestBucketLifecycle(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)

	if err := c.CreateBucket(t.Context(), bck); !errors.Is(err, ErrExists) {
		t.Errorf("CreateBucket again: %v, want ErrExists", err)
	}
	bcks, err := c.ListBuckets(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(bcks, Bck{Name: bck.Name, Provider: ProviderAIS}) {
		t.Errorf("ListBuckets(all) = %v, missing %s", bcks, bck)
	}
	bcks, err = c.ListBuckets(t.Context(), ProviderAIS)
	if err != nil || !slices.Contains(bcks, Bck{Name: bck.Name, Provider: ProviderAIS}) {
		t.Errorf("ListBuckets(ais) = %v, %v", bcks, err)
	}

	props, err := c.HeadBucket(t.Context(), bck)
	if err != nil {
		t.Fatal(err)
	}
	if props.Provider != ProviderAIS || props.CksumType != "xxhash2" || props.Created.IsZero() ||
		props.Raw["checksum"] == nil || props.Raw["bid"] == nil {
		t.Errorf("HeadBucket = %+v", props)
	}

	other := Bck{Name: bck.Name + "-tmp"}
	if err := c.CreateBucket(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	if err := c.DestroyBucket(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucket(t.Context(), other); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("HeadBucket after destroy: %v, want ErrBucketNotFound", err)
	}
}

func TestBucketNames(t *testing.T) {
	c := newClient(t)
	for _, name := range []string{"", "has space", "slash/y", "a..b", "ü", string(make([]byte, 65))} {
		if err := c.CreateBucket(t.Context(), Bck{Name: name}); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CreateBucket(%q) = %v, want ErrInvalidName", name, err)
		}
	}
}

// TestMissingBackend: a provider the cluster was built without is a missing bucket.
func TestMissingBackend(t *testing.T) {
	c := newClient(t)
	if _, err := c.ListBuckets(t.Context(), ProviderAWS); err != nil && !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("ListBuckets(aws) = %v, want success or ErrBucketNotFound", err)
	}
	if _, err := c.HeadBucket(t.Context(), Bck{Name: "nope", Provider: ProviderAWS}); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("HeadBucket(s3://nope) = %v, want ErrBucketNotFound", err)
	}
}

func TestClusterCapacity(t *testing.T) {
	c := newClient(t)
	cp, err := c.ClusterCapacity(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cp.Total == 0 || cp.Used == 0 || cp.Avail == 0 || cp.Used+cp.Avail != cp.Total {
		t.Errorf("ClusterCapacity = %+v", cp)
	}
}
