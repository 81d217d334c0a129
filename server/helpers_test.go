package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
	"github.com/fnaudit/fnaudit/store"
)

// Tokens the tests use.
const (
	uploadToken = "upload-token-0123456789abcdef"
	readToken   = "read-token-0123456789abcdef"
)

// requireToolsEnv turns a missing tool or server into a failure (CI).
const requireToolsEnv = "FNAUDIT_REQUIRE_TOOLS"

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 8, 1, 6, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer collects log output, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a server over a fresh SQLite store.
type fixture struct {
	srv   *Server
	st    store.Store
	clock *fakeClock
	logs  *logBuffer
	dsn   string
}

// newFixture opens a fresh store and builds a server over it; edit
// adjusts the configuration first.
func newFixture(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	f := &fixture{clock: newFakeClock(), logs: &logBuffer{}, dsn: filepath.Join(t.TempDir(), "fnaudit.db")}
	st, err := store.Open(context.Background(), f.dsn, store.Options{Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	cfg := DefaultConfig()
	cfg.Store, cfg.Now, cfg.ToolVersion = st, f.clock.Now, "0.1.0-test"
	cfg.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Tokens = mustTokens(t, "ci:"+uploadToken)
	if edit != nil {
		edit(&cfg)
	}
	if f.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustTokens(t *testing.T, lines ...string) *Tokens {
	t.Helper()
	tok, err := ParseTokens(strings.NewReader(strings.Join(lines, "\n")), "test tokens")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// record saves r as a scan and returns its entry.
func (f *fixture) record(t *testing.T, r *reports.Report, labels map[string]string) store.Entry {
	t.Helper()
	if err := audit.AttributeScanLayers(context.Background(), f.st, r); err != nil {
		t.Fatal(err)
	}
	e, err := audit.RecordScan(context.Background(), f.st, r, labels)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	return e
}

// sample is the shared sample report with a second application whose
// function names need escaping in URLs and file names.
func sample() *reports.Report { return reportstest.Sample() }

func awkwardSample() *reports.Report {
	r := reportstest.Sample()
	r.Application.Name = "billing sync"
	r.Functions[1].Name = "Stack/Pay Fn"
	r.Normalize()
	return r
}

// response is a recorded answer.
type response struct {
	code   int
	header http.Header
	body   []byte
}

func (r response) String() string { return string(r.body) }

// do sends a request to the handler.
func (f *fixture) do(t *testing.T, method, target string, body io.Reader, header map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = "192.0.2.7:40000"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return response{code: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (f *fixture) get(t *testing.T, target string) response {
	t.Helper()
	return f.do(t, http.MethodGet, target, nil, nil)
}

// getJSON GETs target, expects 200 and decodes the answer into v.
func (f *fixture) getJSON(t *testing.T, target string, v any) {
	t.Helper()
	res := f.get(t, target)
	if res.code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, res.code, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", target, err, res.body)
	}
}

// uploadBody is the JSON upload of r.
func uploadBody(t *testing.T, r *reports.Report, labels map[string]string) []byte {
	t.Helper()
	up, err := NewUpload(r, labels)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(up)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
}

// requireTool finds a program or skips (fails with FNAUDIT_REQUIRE_TOOLS=1).
func requireTool(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv(requireToolsEnv) == "1" {
			t.Fatalf("%s is required (%s=1): %v", path, requireToolsEnv, err)
		}
		t.Skipf("%s not installed: skipped", path)
	}
	return path
}
