package fs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/writeback"
)

// racingStore plays another host and a failing cluster for the HEADs of one object once armed:
// the first HEAD finds nothing, then the object is created; later HEADs fail when fail is set,
// as an overloaded or restarting cluster's do.
type racingStore struct {
	Store
	name   string
	fail   bool
	create func() // what the other host does
	armed  atomic.Bool
	heads  atomic.Int32
}

var errInjected = fmt.Errorf("injected failure: %w", aisclient.ErrUnavailable)

func (s *racingStore) HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error) {
	if name != s.name || !s.armed.Load() {
		return s.Store.HeadObject(ctx, bck, name)
	}
	if s.heads.Add(1) == 1 {
		a, err := s.Store.HeadObject(ctx, bck, name)
		s.create()
		return a, err
	}
	if s.fail {
		return nil, errInjected
	}
	return s.Store.HeadObject(ctx, bck, name)
}

// TestRenameNoReplace: RENAME_NOREPLACE onto a name that another host creates right after the
// kernel's lookup of it found nothing. The rename asks AIS again: EEXIST when the name is there
// now, the error when AIS cannot say; in neither case is the other object replaced.
func TestRenameNoReplace(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
		want error
	}{
		{"target exists", false, syscall.EEXIST},
		{"lookup fails", true, syscall.EIO},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			bck := newBucket(t, c)
			for _, n := range []string{"a", "b", "src"} {
				put(t, c, bck, n, []byte(n))
			}
			createErr := make(chan error, 1) // from a FUSE server goroutine
			s := &racingStore{Store: c, name: "zz", fail: tc.fail, create: func() {
				_, err := c.PutObject(context.Background(), bck, "zz", strings.NewReader("theirs"), 6, aisclient.PutOptions{})
				createErr <- err
			}}
			wb, err := writeback.NewManager(writeback.Config{Dir: t.TempDir()}, c)
			if err != nil {
				t.Fatal(err)
			}
			// A lookup lists one entry at most, so other names are probed with a HEAD.
			mnt := testMount(t, Config{Store: s, Bucket: bck, Writeback: wb, ListLookupMax: 1, StatTTL: time.Minute})
			src := filepath.Join(mnt, "src")
			if _, err := os.Lstat(src); err != nil {
				t.Fatal(err)
			}
			s.armed.Store(true)
			err = unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, filepath.Join(mnt, "zz"), unix.RENAME_NOREPLACE)
			select {
			case err := <-createErr:
				if err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatal("the kernel's lookup did not HEAD the target")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("rename with RENAME_NOREPLACE: %v, want %v", err, tc.want)
			}
			if s.heads.Load() < 2 {
				t.Errorf("the rename did not ask AIS about the target (%d HEADs)", s.heads.Load())
			}
			mustEqual(t, "the other host's object", object(t, c, bck, "zz"), []byte("theirs"))
			mustEqual(t, "the source", object(t, c, bck, "src"), []byte("src"))
		})
	}
}
