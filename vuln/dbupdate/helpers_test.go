package dbupdate

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/testfs"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

// testDB is the trimmed real OSV database kept with the repository.
const testDB = "../../testdata/osvdb"

// mirror is an OSV bucket on loopback: it serves the files of dir with
// ETag and Last-Modified (conditional requests answered 304), optionally
// x-goog-hash, and lets a test replace the answer for one path.
type mirror struct {
	dir string
	srv *httptest.Server

	// mu guards the fields below.
	mu       sync.Mutex
	log      []string       // "GET /npm/all.zip 304"
	counts   map[string]int // requests per path
	override map[string]func(http.ResponseWriter, *http.Request, int) bool
	googHash bool
}

// newMirror serves a copy of the testdata archives of ecos.
func newMirror(t *testing.T, ecos ...string) *mirror {
	t.Helper()
	m := &mirror{dir: t.TempDir(), counts: map[string]int{}, override: map[string]func(http.ResponseWriter, *http.Request, int) bool{}}
	for _, eco := range ecos {
		copyFile(t, filepath.Join(testDB, eco, zipName), m.path(eco))
	}
	m.srv = httptest.NewServer(m)
	t.Cleanup(m.srv.Close)
	return m
}

// path is the served archive of eco.
func (m *mirror) path(eco string) string { return filepath.Join(m.dir, eco, zipName) }

// set makes fn answer requests for urlPath; fn gets the request's number
// (1 for the first) and returns false to let the file be served.
func (m *mirror) set(urlPath string, fn func(w http.ResponseWriter, r *http.Request, n int) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.override[urlPath] = fn
}

// requests returns the log and clears it and the counts.
func (m *mirror) requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.log
	m.log, m.counts = nil, map[string]int{}
	return out
}

// count returns how many requests for urlPath arrived since requests was
// last called.
func (m *mirror) count(urlPath string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[urlPath]
}

// newTextLogger logs everything to w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (m *mirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.counts[r.URL.Path]++
	n, fn, goog := m.counts[r.URL.Path], m.override[r.URL.Path], m.googHash
	m.mu.Unlock()
	rec := &recorder{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		m.mu.Lock()
		m.log = append(m.log, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, rec.code))
		m.mu.Unlock()
	}()
	if fn != nil && fn(rec, r, n) {
		return
	}
	p := filepath.Join(m.dir, filepath.FromSlash(r.URL.Path))
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		http.NotFound(rec, r)
		return
	}
	b, _ := os.ReadFile(p)
	sum := sha256.Sum256(b)
	rec.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	if goog {
		rec.Header().Add("X-Goog-Hash", "crc32c="+crc32c(b))
		rec.Header().Add("X-Goog-Hash", "md5="+md5sum(b))
	}
	http.ServeContent(rec, r, "", fi.ModTime(), bytes.NewReader(b))
}

// recorder notes the status code of a response.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Flush() { r.ResponseWriter.(http.Flusher).Flush() }

func crc32c(b []byte) string {
	sum := binary.BigEndian.AppendUint32(nil, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return base64.StdEncoding.EncodeToString(sum)
}

func md5sum(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// testConfig is a Config for mirror m: quick retries, short waits.
func testConfig(m *mirror, ecos ...string) Config {
	cfg := DefaultConfig()
	cfg.BaseURL = m.srv.URL
	cfg.Ecosystems = ecos
	cfg.Backoff = time.Millisecond
	cfg.Timeout = 10 * time.Second
	cfg.LockWait = 5 * time.Second
	return cfg
}

// update runs Update and fails the test on a run error.
func update(t *testing.T, dir string, cfg Config) map[string]Result {
	t.Helper()
	results, err := Update(context.Background(), dir, cfg)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	out := map[string]Result{}
	for _, r := range results {
		out[r.Ecosystem] = r
	}
	return out
}

// statuses returns "eco=status" for results, sorted.
func statuses(rs map[string]Result) []string {
	var out []string
	for eco, r := range rs {
		out = append(out, eco+"="+string(r.Status))
	}
	slices.Sort(out)
	return out
}

// snapshot returns the database's files and their bytes, leaving out what
// may legitimately differ after a failed run: the lock file's content,
// indexes (caches), and the temp dir a killed run leaves.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || rel == ".fnaudit/lock" || strings.HasPrefix(rel, ".fnaudit/index/") || strings.HasPrefix(rel, ".fnaudit/tmp/") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = sha256hex(b)
		return nil
	})
	return out
}

// files lists every file under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// assertSnapshot fails when dir's files differ from want.
func assertSnapshot(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	if diff := cmp.Diff(want, snapshot(t, dir)); diff != "" {
		t.Errorf("database changed (-before +after):\n%s", diff)
	}
}

// matchIDs opens dir and returns the advisory IDs for one package.
func matchIDs(t *testing.T, dir, eco, name, version string) []string {
	t.Helper()
	db, err := vuln.Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("the database does not open: %v", err)
	}
	defer db.Close()
	f, _, err := db.Match(context.Background(), []sbom.Package{{Ecosystem: eco, Name: name, Version: version}})
	if err != nil {
		t.Fatalf("the database does not match: %v", err)
	}
	var ids []string
	for _, x := range f {
		ids = append(ids, x.ID)
	}
	return ids
}

// readZip returns the entries of a zip by name.
func readZip(t testing.TB, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// writeZip writes entries as a zip at path, sorted by name.
func writeZip(t testing.TB, path string, entries map[string][]byte) {
	t.Helper()
	writeFile(t, path, testfs.Zip(t, entries))
}

// writeFile writes b at path, creating its directory. A file replaced gets
// an mtime two seconds later than the old one: Last-Modified has
// one-second resolution.
func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	next := time.Now()
	if fi, err := os.Stat(path); err == nil {
		next = fi.ModTime().Add(2 * time.Second)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, next, next)
}

// copyFile copies a file, creating the destination's directory.
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editZip rewrites the zip at path through edit.
func editZip(t testing.TB, path string, edit func(map[string][]byte)) {
	t.Helper()
	entries := readZip(t, path)
	edit(entries)
	writeZip(t, path, entries)
}

// record is a minimal valid OSV record for one package.
func osvRecord(id, eco, name, fixed string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"modified":"2026-11-01T00:00:00Z","summary":"test advisory %s",`+
		`"affected":[{"package":{"ecosystem":%q,"name":%q},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":%q}]}]}]}`,
		id, id, eco, name, fixed)
}
