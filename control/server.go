package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// JobStore starts and watches AIS jobs; *aisclient.Client is one.
type JobStore interface {
	Prefetch(ctx context.Context, bck aisclient.Bck, sel aisclient.Selection) (string, error)
	Evict(ctx context.Context, bck aisclient.Bck, sel aisclient.Selection) (string, error)
	Job(ctx context.Context, kind, id string) (aisclient.JobStatus, error)
}

// Config is what the daemon side needs.
type Config struct {
	Mount  Mount // the daemon's own mount (MountOf)
	Info   Info
	Store  JobStore
	Bucket aisclient.Bck // the mounted bucket; zero for a cluster mount
	Prefix string        // the bucket mount's prefix ("" or ending in "/")
	// Resolve turns a namespace of a cluster-mount path ("@ALIAS") into the one object
	// requests need ("@UUID"); nil keeps it as it is.
	Resolve func(ctx context.Context, ns string) (string, error)
	Metrics http.Handler
	// Probe checks that AIS answers, for GET /v1/info?probe=1.
	Probe func(ctx context.Context) error
	// Umount finishes pending uploads and unmounts; it returns when the mount is gone or
	// with the reason it is not.
	Umount func(ctx context.Context) (UmountResult, error)
	Logger *slog.Logger
}

// Server serves one mount's control socket.
type Server struct {
	srv  *http.Server
	done chan struct{}
}

// Serve opens cfg.Dev's control socket and serves it until Close.
func Serve(cfg Config) (*Server, error) {
	l, err := listen(cfg.Mount.Key())
	if err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/info", h.info)
	if cfg.Metrics != nil {
		mux.Handle("GET /v1/metrics", cfg.Metrics)
	}
	mux.HandleFunc("POST /v1/jobs", h.startJob)
	mux.HandleFunc("GET /v1/jobs", h.job)
	mux.HandleFunc("POST /v1/umount", h.umount)
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) && cfg.Logger != nil {
			cfg.Logger.Error("control socket stopped", "err", err)
		}
	}()
	return s, nil
}

// Close stops accepting and waits, until ctx ends, for requests in progress (an umount's
// answer) to be sent.
func (s *Server) Close(ctx context.Context) {
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	<-s.done
}

type handler struct{ cfg Config }

func (h *handler) info(w http.ResponseWriter, r *http.Request) {
	info := h.cfg.Info
	if r.URL.Query().Get("probe") != "" && h.cfg.Probe != nil {
		if err := h.cfg.Probe(r.Context()); err != nil {
			info.AISError = oneLine(err.Error())
		}
	}
	reply(w, info)
}

func (h *handler) startJob(w http.ResponseWriter, r *http.Request) {
	var req JobRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	ref, status, err := h.start(r.Context(), req)
	if err != nil {
		fail(w, status, err)
		return
	}
	reply(w, ref)
}

func (h *handler) start(ctx context.Context, req JobRequest) (JobRef, int, error) {
	if req.Op != OpPrefetch && req.Op != OpEvict {
		return JobRef{}, http.StatusBadRequest, fmt.Errorf("unknown job %q", req.Op)
	}
	bck, name, err := h.locate(ctx, req.Path)
	if err != nil {
		return JobRef{}, statusOf(err), err
	}
	if !bck.IsRemote() {
		return JobRef{}, http.StatusBadRequest, fmt.Errorf("%s is an ais bucket of this cluster, not a remote one: its objects are always in the cluster, so there is nothing to %s (%s applies to s3://, gs://, az://, oc:// and ais://@REMOTE/ buckets)", bck, req.Op, req.Op)
	}
	sel, what := aisclient.Selection{Names: []string{name}}, name
	if req.Dir {
		if name != "" && !strings.HasSuffix(name, "/") {
			name += "/"
		}
		sel, what = aisclient.Selection{Prefix: name}, "prefix "+name
		if name == "" {
			what = "the whole bucket"
		}
		if strings.ContainsAny(name, "{}") {
			// AIS would read braces as a range template: name the files instead.
			sel = aisclient.Selection{}
			for _, p := range req.Names {
				_, n, err := h.locate(ctx, p)
				if err != nil {
					return JobRef{}, statusOf(err), err
				}
				sel.Names = append(sel.Names, n)
			}
			if len(sel.Names) == 0 {
				return JobRef{}, http.StatusBadRequest, fmt.Errorf("%s: no files to %s", req.Path, req.Op)
			}
			what = fmt.Sprintf("%d objects", len(sel.Names))
		}
	}
	start, kind := h.cfg.Store.Prefetch, aisclient.KindPrefetch
	if req.Op == OpEvict {
		start, kind = h.cfg.Store.Evict, aisclient.KindEvict
	}
	if req.Check {
		return JobRef{Kind: kind, Bucket: bck.String(), What: what}, 0, nil
	}
	id, err := start(ctx, bck, sel)
	if err != nil {
		return JobRef{}, statusOf(err), h.aisError(bck, err)
	}
	if h.cfg.Logger != nil {
		h.cfg.Logger.Info("started "+req.Op, "bucket", bck.String(), "what", what, "job", id)
	}
	return JobRef{Kind: kind, ID: id, Bucket: bck.String(), What: what}, 0, nil
}

// errNotInBucket: a cluster-mount path above the buckets.
var errNotInBucket = errors.New("not inside a bucket")

// locate maps a mount-relative path onto its bucket and object name (or prefix).
func (h *handler) locate(ctx context.Context, rel string) (aisclient.Bck, string, error) {
	rel = strings.Trim(rel, "/")
	if h.cfg.Bucket.Name != "" {
		return h.cfg.Bucket, h.cfg.Prefix + rel, nil
	}
	// A cluster mount: PROVIDER/[NAMESPACE/]BUCKET/OBJECT.
	parts := strings.Split(rel, "/")
	if rel == "" || len(parts) < 2 {
		return aisclient.Bck{}, "", fmt.Errorf("%q: %w (a cluster mount's buckets are PROVIDER/BUCKET)", rel, errNotInBucket)
	}
	bck := aisclient.Bck{Provider: parts[0]}
	i := 1
	if p := parts[1]; strings.HasPrefix(p, "@") || strings.HasPrefix(p, "#") {
		if len(parts) < 3 {
			return aisclient.Bck{}, "", fmt.Errorf("%q: %w (namespace %s holds buckets)", rel, errNotInBucket, p)
		}
		ns := p
		if h.cfg.Resolve != nil {
			var err error
			if ns, err = h.cfg.Resolve(ctx, p); err != nil {
				return aisclient.Bck{}, "", err
			}
		}
		bck.Namespace, i = ns, 2
	}
	bck.Name = parts[i]
	if err := aisclient.CheckBucketName(bck.Name); err != nil {
		return aisclient.Bck{}, "", fmt.Errorf("%q: %w", rel, err)
	}
	return bck, strings.Join(parts[i+1:], "/"), nil
}

// aisError says which cluster failed, in one line.
func (h *handler) aisError(bck aisclient.Bck, err error) error {
	switch {
	case errors.Is(err, aisclient.ErrBucketNotFound):
		return fmt.Errorf("bucket %s does not exist at %s (is its remote cluster attached?): %w", bck, h.cfg.Info.Endpoint, err)
	case errors.Is(err, aisclient.ErrUnauthorized):
		return fmt.Errorf("AIS at %s refused access: %w", h.cfg.Info.Endpoint, err)
	}
	var he *aisclient.HTTPError
	if errors.As(err, &he) {
		return err
	}
	return fmt.Errorf("cannot reach AIS at %s: %w", h.cfg.Info.Endpoint, err)
}

func (h *handler) job(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st, err := h.cfg.Store.Job(r.Context(), q.Get("kind"), q.Get("id"))
	if err != nil {
		fail(w, statusOf(err), h.aisError(aisclient.Bck{}, err))
		return
	}
	reply(w, st)
}

func (h *handler) umount(w http.ResponseWriter, r *http.Request) {
	res, err := h.cfg.Umount(r.Context())
	if err != nil {
		fail(w, http.StatusConflict, err)
		return
	}
	reply(w, res)
}

func statusOf(err error) int {
	var he *aisclient.HTTPError
	switch {
	case errors.Is(err, errNotInBucket), errors.Is(err, aisclient.ErrInvalidName), errors.Is(err, aisclient.ErrInvalidArgument):
		return http.StatusBadRequest
	case errors.Is(err, aisclient.ErrBucketNotFound), errors.Is(err, aisclient.ErrNotFound):
		return http.StatusNotFound
	case errors.As(err, &he) && he.Status >= 400 && he.Status < 500:
		return he.Status
	}
	return http.StatusBadGateway
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Error: oneLine(err.Error())})
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
