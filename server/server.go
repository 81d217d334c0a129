package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fnaudit/fnaudit/notify"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
	"github.com/fnaudit/fnaudit/vuln/dbupdate"
)

// DefaultMaxUploadBytes bounds an upload's body (64 MiB), compressed or
// not.
const DefaultMaxUploadBytes = 64 << 20

// Config is everything a Server needs; DefaultConfig fills the defaults.
type Config struct {
	// Store is the scan history the server shows and records uploads and
	// rescans in. Required.
	Store store.Store
	// Logger receives structured logs: requests, failed authentications,
	// scheduled runs, internal errors.
	Logger *slog.Logger
	// Now is the server's clock (scheduler, failed-authentication log
	// rate). It must be safe for concurrent use.
	Now func() time.Time
	// ToolVersion is fnaudit's version, shown in pages and written into
	// rescan reports.
	ToolVersion string

	// Tokens may upload scans (POST /api/v1/scans) and read. Nil: uploads
	// are refused.
	Tokens *Tokens
	// ReadTokens may read. Nil: reading needs no token.
	ReadTokens *Tokens
	// ReadOnly refuses uploads and runs no scheduler: a replica.
	ReadOnly bool
	// MaxUploadBytes bounds an upload's body, before and after gzip
	// decoding; beyond it the answer is 413.
	MaxUploadBytes int64

	// RescanEvery is the scheduler's period; 0 runs no scheduler.
	RescanEvery time.Duration
	// DBDir is the OSV database scheduled rescans match against.
	DBDir string
	// DBUpdateURL is the mirror each scheduled run updates DBDir from
	// first (dbupdate.Update); "" rescans against DBDir as it is.
	DBUpdateURL string
	// DBUpdate holds the other settings of those updates (timeouts, proxy,
	// lock wait); its BaseURL is DBUpdateURL's.
	DBUpdate dbupdate.Config
	// Policy rates scheduled rescans (its FailOn decides their gate);
	// PolicyFile, when set, is read again before each run, so that
	// exceptions expire on time and edits are picked up.
	Policy     reports.Policy
	PolicyFile string
	// Webhook, when set, is told of the new findings of each scheduled
	// rescan.
	Webhook *notify.Webhook
	// Ticker makes the scheduler's ticks: a channel and a function that
	// stops it (default: time.NewTicker). Tests inject their own.
	Ticker func(every time.Duration) (ticks <-chan time.Time, stop func())
	// ShutdownTimeout bounds how long Serve waits, once its context ends,
	// for in-flight requests and a running scheduled run to finish.
	ShutdownTimeout time.Duration
}

// DefaultConfig returns the defaults the CLI starts from.
func DefaultConfig() Config {
	return Config{
		Logger:          slog.New(slog.DiscardHandler),
		Now:             time.Now,
		MaxUploadBytes:  DefaultMaxUploadBytes,
		DBUpdate:        dbupdate.DefaultConfig(),
		Policy:          reports.Policy{FailOn: reports.LevelNone},
		Ticker:          realTicker,
		ShutdownTimeout: 30 * time.Second,
	}
}

func realTicker(every time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(every)
	return t.C, t.Stop
}

// withDefaults fills the zero fields that have no meaningful zero value.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Logger == nil {
		c.Logger = d.Logger
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = d.MaxUploadBytes
	}
	if c.Ticker == nil {
		c.Ticker = d.Ticker
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.Policy.FailOn == "" {
		c.Policy.FailOn = reports.LevelNone
	}
	return c
}

// check refuses a configuration that cannot work.
func (c Config) check() error {
	switch {
	case c.Store == nil:
		return errors.New("no store")
	case c.RescanEvery < 0:
		return fmt.Errorf("rescan period %s is negative", c.RescanEvery)
	case c.RescanEvery > 0 && c.RescanEvery < time.Minute:
		return fmt.Errorf("rescan period %s is shorter than a minute", c.RescanEvery)
	case c.RescanEvery > 0 && c.ReadOnly:
		return errors.New("a read-only server runs no scheduled rescans: drop the rescan period or read-only")
	case c.RescanEvery > 0 && c.DBDir == "":
		return errors.New("scheduled rescans need a database directory")
	case c.RescanEvery == 0 && (c.DBUpdateURL != "" || c.Webhook != nil):
		return errors.New("a database update URL or a webhook needs a rescan period")
	}
	return nil
}

// Server is fnaudit's web UI and JSON API over a store, with an optional
// scheduler. Its handler is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler http.Handler
	pages   map[string]*template.Template
	statics statics
	reports *reportCache
	auth    *authLog
	sched   *scheduler // nil without RescanEvery
	reqID   atomic.Uint64
}

// New checks cfg and builds the server; nothing is started (see Serve).
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("configuring the server: %w", err)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("configuring the server: %w", err)
	}
	st, err := loadStatics()
	if err != nil {
		return nil, fmt.Errorf("configuring the server: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, pages: pages, statics: st, reports: newReportCache(cfg.Store, 64),
		auth: newAuthLog(cfg.Logger, cfg.Now)}
	if cfg.RescanEvery > 0 {
		s.sched = newScheduler(s)
	}
	s.handler = s.middleware(s.routes())
	return s, nil
}

// Handler returns the server's HTTP handler: UI, API, downloads, health.
func (s *Server) Handler() http.Handler { return s.handler }

// routes registers every endpoint (docs/api.md lists them).
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.HandleFunc("GET /static/{file}", s.static)
	// Browsers ask for /favicon.ico on their own: no icon, and no 404 in
	// their console or the log.
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})

	s.page(m, "GET /{$}", s.appsPage)
	s.page(m, "GET /apps/{app}", s.appPage)
	s.page(m, "GET /apps/{app}/functions/{function}", s.functionPage)
	s.page(m, "GET /apps/{app}/functions/{function}/findings/{id}", s.findingPage)
	s.page(m, "GET /findings", s.findingsPage)
	s.page(m, "GET /layers", s.layersPage)
	s.page(m, "GET /scans", s.scansPage)
	// The catch-alls are GET only: another method on a known path is
	// answered 405 with Allow by the mux.
	s.page(m, "GET /", func(http.ResponseWriter, *http.Request) error { return errNotFound("no such page") })

	s.api(m, "GET /api/v1/applications", s.apiApplications)
	s.api(m, "GET /api/v1/applications/{app}", s.apiApplication)
	s.api(m, "GET /api/v1/applications/{app}/cyclonedx", s.downloadApplicationBOM)
	s.api(m, "GET /api/v1/applications/{app}/functions/{function}", s.apiFunction)
	s.api(m, "GET /api/v1/applications/{app}/functions/{function}/cyclonedx", s.downloadFunctionBOM)
	s.api(m, "GET /api/v1/scans", s.apiScans)
	s.api(m, "GET /api/v1/scans/{id}", s.apiScan)
	s.api(m, "GET /api/v1/scans/{id}/sarif", s.downloadSARIF)
	s.api(m, "GET /api/v1/scans/{id}/report", s.downloadReport)
	s.api(m, "GET /api/v1/scans/{id}/cyclonedx", s.downloadScanBOM)
	s.api(m, "GET /api/v1/findings", s.apiFindings)
	s.api(m, "GET /api/v1/layer-fixes", s.apiLayerFixes)
	m.Handle("POST /api/v1/scans", s.errors(true, s.upload))
	s.api(m, "GET /api/", func(http.ResponseWriter, *http.Request) error { return errNotFound("no such endpoint") })
	return m
}

// handlerFunc is a handler that returns its error: an *httpError is
// answered as it says, anything else is logged and answered 500.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// page registers an HTML page that needs read access.
func (s *Server) page(m *http.ServeMux, pattern string, h handlerFunc) {
	m.Handle(pattern, s.requireRead(false, s.errors(false, h)))
}

// api registers a JSON or download endpoint that needs read access.
func (s *Server) api(m *http.ServeMux, pattern string, h handlerFunc) {
	m.Handle(pattern, s.requireRead(true, s.errors(true, h)))
}

// httpError is an answer other than 200 with a message safe to show.
type httpError struct {
	code int
	msg  string
	// problems list what is wrong with an upload, one line each.
	problems []string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.code, e.msg) }

func errNotFound(msg string) error   { return &httpError{code: http.StatusNotFound, msg: msg} }
func errBadRequest(msg string) error { return &httpError{code: http.StatusBadRequest, msg: msg} }

// errors answers what h returns. Internal errors are logged with the
// request's id and answered with a plain message naming that id.
func (s *Server) errors(api bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var he *httpError
		switch {
		case errors.As(err, &he):
		case errors.Is(err, errBadName), errors.Is(err, errBadID):
			he = &httpError{code: http.StatusBadRequest, msg: err.Error()}
		case errors.Is(err, store.ErrNotFound):
			he = &httpError{code: http.StatusNotFound, msg: "no such scan"}
		case r.Context().Err() != nil:
			return // the client went away
		default:
			id := requestID(r.Context())
			s.log.Error("request failed", "request", id, "method", r.Method, "path", r.URL.EscapedPath(), "error", err)
			he = &httpError{code: http.StatusInternalServerError, msg: "internal error (request " + id + "): see the server's log"}
		}
		if api {
			writeJSONError(w, he)
		} else {
			s.errorPage(w, r, he)
		}
	})
}

// requireRead lets a request through when reading needs no token, or when
// it presents a read or an upload token; else 401.
func (s *Server) requireRead(api bool, next http.Handler) http.Handler {
	if s.cfg.ReadTokens == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := credential(r)
		_, ok := s.cfg.ReadTokens.match(tok)
		if !ok {
			_, ok = s.cfg.Tokens.match(tok)
		}
		if !ok {
			s.unauthorized(w, r, api, tok)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// unauthorized answers 401, asking API clients for a bearer token and
// browsers for Basic auth (the token as the password), and counts it.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, api bool, presented string) {
	reason := "no token"
	if presented != "" {
		reason = "unknown token"
	}
	s.auth.failed(r, reason)
	he := &httpError{code: http.StatusUnauthorized, msg: "a valid token is required: send Authorization: Bearer TOKEN"}
	if api {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fnaudit"`)
		writeJSONError(w, he)
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="fnaudit", charset="UTF-8"`)
	he.msg = "a valid token is required: sign in with any user name and the token as the password"
	s.errorPage(w, r, he)
}

// requestIDKey keys the request id in a request's context.
type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// middleware adds, around every request: a request id, security headers,
// a log line, and recovery from panics (answered 500, logged with the id).
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := fmt.Sprintf("%x-%d", start.UnixNano()&0xffffff, s.reqID.Add(1))
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving a request", "request", id, "path", r.URL.EscapedPath(), "panic", p)
				if !rec.wrote {
					he := &httpError{code: http.StatusInternalServerError, msg: "internal error (request " + id + "): see the server's log"}
					if strings.HasPrefix(r.URL.Path, "/api/") {
						writeJSONError(rec, he)
					} else {
						s.errorPage(rec, r, he)
					}
				}
			}
			s.logRequest(r, rec, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// contentSecurityPolicy allows the page's own stylesheet and script, and
// nothing else: no inline script or style, no frames, no other origin.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (s *Server) logRequest(r *http.Request, rec *statusRecorder, d time.Duration) {
	level := slog.LevelInfo
	if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || strings.HasPrefix(r.URL.Path, "/static/") {
		level = slog.LevelDebug
	}
	s.log.Log(r.Context(), level, "request", "request", requestID(r.Context()), "method", r.Method,
		"path", r.URL.EscapedPath(), "status", rec.status, "bytes", rec.bytes,
		"duration_ms", d.Milliseconds(), "client", clientAddr(r))
}

// statusRecorder remembers a response's status and size for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
