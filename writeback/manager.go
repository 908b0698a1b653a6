package writeback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/aisfs/aisfs/aisclient"
)

// shutdownParallel bounds how many Files Shutdown finishes at once.
const shutdownParallel = 4

// Manager owns the staging directory and the limits shared by all Files.
type Manager struct {
	// Write once, in NewManager.
	cfg   Config
	store Store
	log   *slog.Logger
	// ctx carries background work (streaming pieces, fetches for writes); cancel ends it
	// when Shutdown runs out of time.
	ctx      context.Context
	cancel   context.CancelFunc
	bufs     sync.Pool // *[]byte of cfg.ChunkSize: fetches of old content
	hashBufs sync.Pool // *[]byte of hashBufSize: checksum of what the writes did not hash
	budget   *budget
	space    space

	// Counters for Stats.
	uploads  atomic.Int64 // requests in flight
	uploaded atomic.Int64 // bytes AIS acknowledged
	failed   atomic.Int64 // Files whose upload failed for good
	streamed atomic.Int64 // streaming PUTs started

	memUsed atomic.Int64 // bytes of contents staged in memory (content.go)

	// noStream holds the buckets (aisclient.Bck) whose PUT answers cannot verify a streaming
	// PUT (their checksum is not xxhash2): their Files do not stream PUTs.
	noStream sync.Map

	mu    sync.Mutex
	files map[*File]struct{} // open Files; GUARDED_BY(mu)
	shut  bool               // GUARDED_BY(mu)
}

// Stats is a snapshot of a Manager's activity.
type Stats struct {
	OpenFiles     int   // Files not yet closed
	DirtyFiles    int   // of those, with content not yet durable in AIS
	Uploads       int64 // upload requests (append, flush, PUT) in flight
	InFlightBytes int64 // buffer bytes fetches of old content hold against Config.MaxInFlight
	BytesUploaded int64 // content bytes AIS acknowledged, in total
	StagingBytes  int64 // bytes held in staging files, against Config.MaxStaging
	FailedFiles   int64 // Files whose upload failed for good (staging file kept)
	StreamPuts    int64 // streaming PUTs started (putstream.go), in total
}

// NewManager validates cfg, creates the staging directory and logs staging files an earlier
// run left behind (they are never deleted automatically).
func NewManager(cfg Config, store Store) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalidConfig)
	}
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("writeback: staging directory: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{
		cfg:    cfg,
		store:  store,
		log:    cfg.Logger,
		ctx:    ctx,
		cancel: cancel,
		budget: newBudget(cfg.MaxInFlight),
		space:  space{max: cfg.MaxStaging},
		files:  map[*File]struct{}{},
	}
	chunk := cfg.ChunkSize
	m.bufs.New = func() any { b := make([]byte, chunk); return &b }
	m.hashBufs.New = func() any { b := make([]byte, hashBufSize); return &b }
	m.reportLeftovers()
	return m, nil
}

func (m *Manager) reportLeftovers() {
	paths, err := findLeftovers(m.cfg.Dir)
	if err != nil {
		m.log.Warn("writeback: scanning staging directory", "dir", m.cfg.Dir, "err", err)
	}
	for i, p := range paths {
		if i == maxLeftoverLogs {
			m.log.Warn("writeback: more staging files left over", "dir", m.cfg.Dir, "count", len(paths)-i)
			break
		}
		m.log.Warn("writeback: staging file left over from an earlier run; not uploaded", "path", p)
	}
}

// Open starts a File for bck/name. ctx is not kept: background work runs on the Manager's.
func (m *Manager) Open(ctx context.Context, bck aisclient.Bck, name string, mode Mode, opts OpenOptions) (*File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case name == "":
		return nil, fmt.Errorf("writeback: empty object name: %w", aisclient.ErrInvalidName)
	case mode != Truncate && mode != Edit && mode != Append:
		return nil, fmt.Errorf("writeback: unknown mode %d", int(mode))
	case opts.Size < 0:
		return nil, fmt.Errorf("writeback: negative size %d", opts.Size)
	}
	m.mu.Lock()
	shut := m.shut
	m.mu.Unlock()
	if shut {
		return nil, fmt.Errorf("writeback: manager shut down: %w", ErrClosed)
	}
	var fh *os.File // a Truncate-mode content starts empty, in memory (content.go)
	if mode != Truncate {
		var err error
		if fh, err = createStaging(m.cfg.Dir, bck, name); err != nil {
			return nil, err
		}
	}
	f := newFile(m, bck, name, mode, opts, fh)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.shut { // lost a race with Shutdown
		if fh != nil {
			fh.Close()
			os.Remove(fh.Name())
		}
		return nil, fmt.Errorf("writeback: manager shut down: %w", ErrClosed)
	}
	m.files[f] = struct{}{}
	return f, nil
}

func (m *Manager) forget(f *File) {
	m.mu.Lock()
	delete(m.files, f)
	m.mu.Unlock()
}

// Shutdown refuses new Files, then syncs and closes every open one (unmount, SIGTERM).
// It returns once all are done or ctx ends; then background uploads are cancelled, and
// the staging files of Files that did not finish are kept and logged. Closing a File
// afterwards returns the outcome Shutdown had.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.shut = true
	files := make([]*File, 0, len(m.files))
	for f := range m.files {
		files = append(files, f)
	}
	m.mu.Unlock()
	// Out of time: cancel background requests too, so Closes waiting on them return.
	stop := context.AfterFunc(ctx, m.cancel)
	defer stop()

	var (
		wg   sync.WaitGroup
		emu  sync.Mutex
		errs []error
		sem  = make(chan struct{}, shutdownParallel)
	)
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A failure latched before (its Sync or Close already returned it and it was
			// logged) is not news: it neither fails the shutdown nor is said again.
			prior := f.latched()
			if err := f.Close(ctx); err != nil && prior == nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		}()
	}
	wg.Wait()
	m.cancel()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("writeback: shutdown: %d of %d files not uploaded: %w", len(errs), len(files), err)
	}
	return nil
}

// Stats returns a snapshot of the Manager's counters.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	files := make([]*File, 0, len(m.files))
	for f := range m.files {
		files = append(files, f)
	}
	m.mu.Unlock()
	s := Stats{
		OpenFiles:     len(files),
		Uploads:       m.uploads.Load(),
		InFlightBytes: m.budget.inUse(),
		BytesUploaded: m.uploaded.Load(),
		StagingBytes:  m.space.used.Load(),
		FailedFiles:   m.failed.Load(),
		StreamPuts:    m.streamed.Load(),
	}
	for _, f := range files {
		if f.Dirty() {
			s.DirtyFiles++
		}
	}
	return s
}

func (m *Manager) getBuf() *[]byte  { return m.bufs.Get().(*[]byte) }
func (m *Manager) putBuf(b *[]byte) { m.bufs.Put(b) }

// noStreamPut is asked on every write past the first chunk of a file that could stream: keyed
// by the Bck value itself (comparable), not its rendered name, it allocates nothing.
func (m *Manager) noStreamPut(bck aisclient.Bck) bool {
	_, ok := m.noStream.Load(bck)
	return ok
}

func (m *Manager) setNoStreamPut(bck aisclient.Bck) { m.noStream.Store(bck, true) }
