package dbupdate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/vuln"
)

// newAdvisory adds to the mirror's npm archive a record for left-pad, so
// that an updated database is told from the old one.
func newAdvisory(t *testing.T, m *mirror) {
	t.Helper()
	editZip(t, m.path("npm"), func(e map[string][]byte) {
		e["FNA-TEST-1.json"] = osvRecord("FNA-TEST-1", "npm", "left-pad", "9.9.9")
	})
}

// seeded returns a database updated once from m with ecos.
func seeded(t *testing.T, m *mirror, ecos ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	for eco, r := range update(t, dir, testConfig(m, ecos...)) {
		if r.Status != Updated {
			t.Fatalf("seeding %s: %s %v", eco, r.Status, r.Err)
		}
	}
	m.requests()
	return dir
}

// TestUpdateFresh downloads into a directory that does not exist yet: the
// archives are the mirror's bytes, the state says where from, the indexes
// are built, and matching works.
func TestUpdateFresh(t *testing.T) {
	m := newMirror(t, "npm", "PyPI", "Go")
	dir := filepath.Join(t.TempDir(), "db")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cfg := testConfig(m, "npm", "PyPI")
	cfg.Now = func() time.Time { return now }
	var done []string
	cfg.Done = func(r Result) { done = append(done, r.Ecosystem) }
	rs := update(t, dir, cfg)
	if diff := cmp.Diff([]string{"PyPI=updated", "npm=updated"}, statuses(rs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"PyPI", "npm"}, done); diff != "" {
		t.Errorf("Done calls (-want +got):\n%s", diff)
	}
	state, err := vuln.ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, eco := range []string{"npm", "PyPI"} {
		b, _ := os.ReadFile(filepath.Join(dir, eco, zipName))
		mb, _ := os.ReadFile(m.path(eco))
		a := state.Ecosystems[eco]
		if sha256hex(b) != sha256hex(mb) || a.SHA256 != sha256hex(b) || rs[eco].SHA256 != a.SHA256 {
			t.Errorf("%s: installed %s, mirror %s, state %s", eco, sha256hex(b), sha256hex(mb), a.SHA256)
		}
		if a.Source != m.srv.URL+"/"+eco+"/all.zip" || !a.Updated.Equal(now) || a.ETag == "" || a.LastModified == "" {
			t.Errorf("%s: state %+v", eco, a)
		}
	}
	if rs["npm"].Records != 63 {
		t.Errorf("npm records %d, want 63", rs["npm"].Records)
	}
	want := []string{".fnaudit/index/PyPI.idx", ".fnaudit/index/npm.idx", ".fnaudit/lock", ".fnaudit/state.json", "PyPI/all.zip", "npm/all.zip"}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if ids := matchIDs(t, dir, "npm", "lodash", "4.17.15"); len(ids) == 0 {
		t.Error("no lodash finding after the update")
	}
}

// TestUpdateUnchanged: a second update sends the validators back, gets 304
// and downloads nothing; the state keeps the archive's identity and only
// notes the check.
func TestUpdateUnchanged(t *testing.T) {
	m := newMirror(t, "npm", "PyPI")
	dir := seeded(t, m, "npm", "PyPI")
	before, _ := vuln.ReadState(dir)
	snap := snapshot(t, dir)
	later := time.Now().Add(time.Hour).UTC()
	cfg := testConfig(m) // no ecosystems: those present
	cfg.Now = func() time.Time { return later }
	rs := update(t, dir, cfg)
	if diff := cmp.Diff([]string{"PyPI=unchanged", "npm=unchanged"}, statuses(rs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /PyPI/all.zip 304", "GET /npm/all.zip 304"}, m.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	after, _ := vuln.ReadState(dir)
	for eco, a := range after.Ecosystems {
		b := before.Ecosystems[eco]
		if !a.Checked.Equal(later) {
			t.Errorf("%s: checked %v, want %v", eco, a.Checked, later)
		}
		a.Checked = b.Checked
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("%s: state changed beyond checked (-before +after):\n%s", eco, diff)
		}
	}
	delete(snap, ".fnaudit/state.json")
	got := snapshot(t, dir)
	delete(got, ".fnaudit/state.json")
	if diff := cmp.Diff(snap, got); diff != "" {
		t.Errorf("archives changed (-before +after):\n%s", diff)
	}
}

// TestUpdateChanged: only the ecosystem whose archive changed is
// downloaded and installed.
func TestUpdateChanged(t *testing.T) {
	m := newMirror(t, "npm", "PyPI")
	dir := seeded(t, m, "npm", "PyPI")
	newAdvisory(t, m)
	rs := update(t, dir, testConfig(m, "npm", "PyPI"))
	if diff := cmp.Diff([]string{"PyPI=unchanged", "npm=updated"}, statuses(rs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /PyPI/all.zip 304", "GET /SHA256SUMS 404", "GET /npm/all.zip 200"}, sorted(m.requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"FNA-TEST-1"}, matchIDs(t, dir, "npm", "left-pad", "1.0.0")); diff != "" {
		t.Errorf("left-pad after the update (-want +got):\n%s", diff)
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestUpdateVerifiedChecksums: archives the server publishes checksums for
// (x-goog-hash crc32c and md5, SHA256SUMS) install when they match.
func TestUpdateVerifiedChecksums(t *testing.T) {
	m := newMirror(t, "npm", "PyPI")
	m.googHash = true
	npm, _ := os.ReadFile(m.path("npm"))
	writeFile(t, filepath.Join(m.dir, "SHA256SUMS"), []byte("# sums\n"+sha256hex(npm)+"  npm/all.zip\n"+
		strings.Repeat("0", 64)+" *Go/all.zip\n"))
	rs := update(t, filepath.Join(t.TempDir(), "db"), testConfig(m, "npm", "PyPI"))
	if diff := cmp.Diff([]string{"PyPI=updated", "npm=updated"}, statuses(rs)); diff != "" {
		t.Errorf("(-want +got):\n%s\nnpm: %v", diff, rs["npm"].Err)
	}
}

// TestUpdateFailures: every way a download can be bad leaves the previous
// archive byte-identical and usable, names the URL, and leaves no temp
// file.
func TestUpdateFailures(t *testing.T) {
	tests := []struct {
		name     string
		spoil    func(t *testing.T, m *mirror)
		cfg      func(*Config)
		want     string // in the error
		requests int    // for /npm/all.zip
	}{
		{"truncated zip", func(t *testing.T, m *mirror) {
			b, _ := os.ReadFile(m.path("npm"))
			writeFile(t, m.path("npm"), b[:len(b)*2/3])
		}, nil, "not a readable zip", 1},
		{"record id differs from its entry name", func(t *testing.T, m *mirror) {
			editZip(t, m.path("npm"), func(e map[string][]byte) {
				e["GHSA-0000-0000-0000.json"] = osvRecord("GHSA-1111-1111-1111", "npm", "x", "1")
			})
		}, nil, `entry GHSA-0000-0000-0000.json holds record "GHSA-1111-1111-1111"`, 1},
		{"record that does not decode", func(t *testing.T, m *mirror) {
			editZip(t, m.path("npm"), func(e map[string][]byte) { e["X-1.json"] = []byte(`{"id": 7}`) })
		}, nil, "entry X-1.json: not an OSV record", 1},
		{"wrong crc32c header", func(t *testing.T, m *mirror) {
			newAdvisory(t, m)
			m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("X-Goog-Hash", "crc32c=AAAAAA==,md5="+md5sum(nil))
				return false
			})
		}, nil, "crc32c checksum mismatch: the server published AAAAAA==", 1},
		{"wrong SHA256SUMS line", func(t *testing.T, m *mirror) {
			newAdvisory(t, m)
			writeFile(t, filepath.Join(m.dir, "SHA256SUMS"), []byte(strings.Repeat("ab", 32)+"  npm/all.zip\n"))
		}, nil, "SHA256SUMS at " + "URL/SHA256SUMS lists abab", 1},
		{"malformed SHA256SUMS", func(t *testing.T, m *mirror) {
			newAdvisory(t, m)
			writeFile(t, filepath.Join(m.dir, "SHA256SUMS"), []byte("npm/all.zip deadbeef\n"))
		}, nil, "SHA256SUMS line 1", 1},
		{"HTTP 404", func(t *testing.T, m *mirror) { os.Remove(m.path("npm")) }, nil, "HTTP 404 Not Found", 1},
		{"HTTP 500 every time", func(t *testing.T, m *mirror) {
			m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "boom", http.StatusInternalServerError)
				return true
			})
		}, func(c *Config) { c.Retries = 2 }, "HTTP 500 Internal Server Error", 3},
		{"HTTP 403", func(t *testing.T, m *mirror) {
			m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "no", http.StatusForbidden)
				return true
			})
		}, nil, "HTTP 403 Forbidden", 1},
		{"slow server past the timeout", func(t *testing.T, m *mirror) {
			newAdvisory(t, m)
			m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
				return true
			})
		}, func(c *Config) { c.Timeout, c.Retries = 200*time.Millisecond, 1 }, "timed out (the limit is 200ms per attempt)", 2},
		{"body cut short", func(t *testing.T, m *mirror) {
			newAdvisory(t, m)
			m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
				b, _ := os.ReadFile(m.path("npm"))
				w.Header().Set("Content-Length", strconv.Itoa(len(b)))
				w.Write(b[:len(b)/2])
				return true // the server closes the connection short
			})
		}, func(c *Config) { c.Retries = 1 }, "unexpected EOF", 2},
		{"SHA256SUMS unavailable", func(t *testing.T, m *mirror) {
			newAdvisory(t, m)
			m.set("/SHA256SUMS", func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return true
			})
		}, func(c *Config) { c.Retries = 0 }, "reading the mirror's checksums", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMirror(t, "npm", "PyPI")
			dir := seeded(t, m, "npm", "PyPI")
			before := snapshot(t, dir)
			tt.spoil(t, m)
			cfg := testConfig(m, "npm")
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			rs := update(t, dir, cfg)
			r := rs["npm"]
			want := strings.ReplaceAll(tt.want, "URL", m.srv.URL)
			if r.Status != Failed || r.Err == nil || !strings.Contains(r.Err.Error(), want) ||
				!strings.Contains(r.Err.Error(), m.srv.URL+"/npm/all.zip") {
				t.Fatalf("result %s, error %v; want failed with %q naming the URL", r.Status, r.Err, want)
			}
			if got := m.count("/npm/all.zip"); got != tt.requests {
				t.Errorf("%d requests for npm/all.zip, want %d", got, tt.requests)
			}
			assertSnapshot(t, dir, before)
			if ids := matchIDs(t, dir, "npm", "lodash", "4.17.15"); len(ids) == 0 {
				t.Error("the old npm archive no longer matches lodash")
			}
			if _, err := os.Stat(filepath.Join(dir, vuln.MetaDir, "tmp")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temp dir left behind: %v", err)
			}
		})
	}
}

// TestUpdateRetry: 5xx, 429 and a dropped connection are retried with
// backoff, then the update succeeds.
func TestUpdateRetry(t *testing.T) {
	for _, code := range []int{500, 503, 429, 0} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			m := newMirror(t, "npm")
			m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
				switch {
				case n > 1:
					return false
				case code == 0: // drop the connection
					panic(http.ErrAbortHandler)
				}
				http.Error(w, "try later", code)
				return true
			})
			var log strings.Builder
			cfg := testConfig(m, "npm")
			cfg.Logger = newTextLogger(&log)
			rs := update(t, filepath.Join(t.TempDir(), "db"), cfg)
			if rs["npm"].Status != Updated {
				t.Fatalf("npm %s: %v", rs["npm"].Status, rs["npm"].Err)
			}
			if got := m.count("/npm/all.zip"); got != 2 {
				t.Errorf("%d requests, want 2", got)
			}
			if !strings.Contains(log.String(), "retrying") {
				t.Errorf("no retry logged:\n%s", log.String())
			}
		})
	}
}

// TestUpdatePartialFailure: an ecosystem the mirror does not have fails
// alone; the others are updated.
func TestUpdatePartialFailure(t *testing.T) {
	m := newMirror(t, "npm", "PyPI")
	rs := update(t, filepath.Join(t.TempDir(), "db"), testConfig(m, "npm", "NoSuchEcosystem", "PyPI"))
	if diff := cmp.Diff([]string{"NoSuchEcosystem=failed", "PyPI=updated", "npm=updated"}, statuses(rs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var se *StatusError
	if err := rs["NoSuchEcosystem"].Err; !errors.As(err, &se) || se.Code != 404 || !strings.Contains(err.Error(), "case-sensitive") {
		t.Errorf("error %v, want a 404 with a hint", err)
	}
}

// TestUpdateSourceChanged: a new mirror URL, or an archive replaced by
// hand, makes the request unconditional; the same bytes are then kept as
// unchanged.
func TestUpdateSourceChanged(t *testing.T) {
	m := newMirror(t, "npm")
	dir := seeded(t, newMirrorFrom(t, m), "npm")
	rs := update(t, dir, testConfig(m, "npm"))
	if rs["npm"].Status != Unchanged || !slices.Equal(m.requests(), []string{"GET /npm/all.zip 200"}) {
		t.Errorf("new mirror: %s; want unchanged after one unconditional GET", rs["npm"].Status)
	}
	// By hand: an older archive placed over the installed one.
	editZip(t, filepath.Join(dir, "npm", zipName), func(e map[string][]byte) { delete(e, "GHSA-35jh-r3h4-6jhm.json") })
	rs = update(t, dir, testConfig(m, "npm"))
	if rs["npm"].Status != Updated || !slices.Equal(sorted(m.requests()), []string{"GET /SHA256SUMS 404", "GET /npm/all.zip 200"}) {
		t.Errorf("archive replaced by hand: %s; want updated after an unconditional GET", rs["npm"].Status)
	}
}

// newMirrorFrom serves the same files as m from another server.
func newMirrorFrom(t *testing.T, m *mirror) *mirror {
	n := newMirror(t)
	n.dir = m.dir
	return n
}

// TestUpdateFileMirror: a file:// URL and a bare directory path are local
// mirrors; an unchanged archive is then found by its Last-Modified.
func TestUpdateFileMirror(t *testing.T) {
	for _, form := range []string{"file", "path"} {
		t.Run(form, func(t *testing.T) {
			m := newMirror(t, "npm")
			base := m.dir
			if form == "file" {
				base = "file://" + filepath.ToSlash(m.dir)
			}
			cfg := testConfig(m, "npm")
			cfg.BaseURL = base
			dir := filepath.Join(t.TempDir(), "db")
			if rs := update(t, dir, cfg); rs["npm"].Status != Updated {
				t.Fatalf("first: %s %v", rs["npm"].Status, rs["npm"].Err)
			}
			if rs := update(t, dir, cfg); rs["npm"].Status != Unchanged {
				t.Errorf("second: %s %v", rs["npm"].Status, rs["npm"].Err)
			}
			newAdvisory(t, m)
			if rs := update(t, dir, cfg); rs["npm"].Status != Updated {
				t.Errorf("after a change: %s %v", rs["npm"].Status, rs["npm"].Err)
			}
			cfg.Ecosystems = []string{"Go"}
			if rs := update(t, dir, cfg); rs["Go"].Status != Failed || !strings.Contains(rs["Go"].Err.Error(), "HTTP 404") {
				t.Errorf("missing file: %s %v", rs["Go"].Status, rs["Go"].Err)
			}
		})
	}
}

// TestUpdateRunErrors: what stops the whole run, before anything changes.
func TestUpdateRunErrors(t *testing.T) {
	m := newMirror(t, "npm")
	tests := []struct {
		name    string
		url     string
		ecos    []string
		wantIs  error
		wantMsg string
	}{
		{"no ecosystem", m.srv.URL, nil, ErrNoEcosystems, "holds no <Ecosystem>/all.zip"},
		{"bad ecosystem", m.srv.URL, []string{"../etc"}, ErrConfig, `ecosystem name "../etc" is not valid`},
		{"hidden ecosystem", m.srv.URL, []string{".fnaudit"}, ErrConfig, "is not valid"},
		{"bad scheme", "ftp://mirror", []string{"npm"}, ErrConfig, `scheme "ftp"`},
		{"relative file URL", "file://mirror/osv", []string{"npm"}, ErrConfig, "file:///path/to/mirror"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig(m, tt.ecos...)
			cfg.BaseURL = tt.url
			_, err := Update(context.Background(), dir, cfg)
			if !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %v, want %v with %q", err, tt.wantIs, tt.wantMsg)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("%d files written", len(left))
			}
		})
	}
}

// TestUpdateLocked: while one update runs, another waits for the lock,
// then fails naming the holder's pid; the first is unharmed.
func TestUpdateLocked(t *testing.T) {
	m := newMirror(t, "npm")
	dir := filepath.Join(t.TempDir(), "db")
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	m.set("/npm/all.zip", func(w http.ResponseWriter, r *http.Request, n int) bool {
		once.Do(func() { close(started) })
		<-release
		return false
	})
	first := make(chan error)
	go func() {
		rs, err := Update(context.Background(), dir, testConfig(m, "npm"))
		if err == nil && rs[0].Status != Updated {
			err = fmt.Errorf("first update: %s %w", rs[0].Status, rs[0].Err)
		}
		first <- err
	}()
	<-started
	cfg := testConfig(m, "npm")
	cfg.LockWait = 150 * time.Millisecond
	start := time.Now()
	_, err := Update(context.Background(), dir, cfg)
	want := fmt.Sprintf("another update is running (pid %d)", os.Getpid())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Errorf("second update: %v, want %q", err, want)
	}
	if waited := time.Since(start); waited < cfg.LockWait {
		t.Errorf("gave up after %v, before the lock wait of %v", waited, cfg.LockWait)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if rs := update(t, dir, testConfig(m, "npm")); rs["npm"].Status != Unchanged {
		t.Errorf("after the first finished: %s %v", rs["npm"].Status, rs["npm"].Err)
	}
}

// TestParseSums reads sha256sum output.
func TestParseSums(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("B", 64)
	got, err := parseSums("SUMS", []byte("# comment\n\n"+a+"  npm/all.zip\n"+b+" *./PyPI/all.zip\n"))
	want := map[string]string{"npm/all.zip": a, "PyPI/all.zip": strings.ToLower(b)}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("parseSums = %v, %v", got, err)
	}
	for _, bad := range []string{"npm/all.zip", a[:10] + "  npm/all.zip", a, strings.Repeat("z", 64) + "  x"} {
		if _, err := parseSums("SUMS", []byte(bad)); err == nil {
			t.Errorf("parseSums(%q) accepted", bad)
		}
	}
}

// TestParseBase turns --url values into base URLs.
func TestParseBase(t *testing.T) {
	abs, _ := filepath.Abs("mirror")
	tests := map[string]string{
		"":                            DefaultBaseURL,
		"https://example.com/osv/":    "https://example.com/osv/",
		"file:///srv/osv":             "file:///srv/osv",
		"file://localhost/srv/osv":    "file:///srv/osv",
		"mirror":                      "file://" + filepath.ToSlash(abs),
		"http://127.0.0.1:8080/x?q=1": "http://127.0.0.1:8080/x",
	}
	for in, want := range tests {
		u, err := parseBase(in)
		if err != nil || u.String() != want {
			t.Errorf("parseBase(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	u, _ := parseBase("https://example.com/osv/")
	if got := archiveURL(u, "crates.io"); got != "https://example.com/osv/crates.io/all.zip" {
		t.Errorf("archiveURL = %s", got)
	}
}

// TestUpdateSharedDatabase downloads the whole shared database from a
// loopback mirror that sends x-goog-hash like the OSV bucket: every
// archive arrives byte-identical and its status matches MANIFEST.tsv.
func TestUpdateSharedDatabase(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "osvdb")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("FNAUDIT_REQUIRE_SHARED") == "1" {
			t.Fatalf("shared data required: %v", err)
		}
		t.Skipf("shared data not found at %s; skipping", shared)
	}
	m := newMirror(t)
	m.dir, m.googHash = shared, true
	ecos := []string{"Go", "Maven", "PyPI", "crates.io", "npm"}
	dir := filepath.Join(t.TempDir(), "db")
	rs := update(t, dir, testConfig(m, ecos...))
	manifest, _ := os.ReadFile(filepath.Join(shared, "MANIFEST.tsv"))
	for _, eco := range ecos {
		r := rs[eco]
		line := fmt.Sprintf("%s\t%d\t", eco, r.Records)
		if r.Status != Updated || !strings.Contains(string(manifest), line) || !strings.Contains(string(manifest), r.SHA256) {
			t.Errorf("%s: %s %v, %d records, sha256 %s; not as in MANIFEST.tsv", eco, r.Status, r.Err, r.Records, r.SHA256)
		}
	}
	db, err := vuln.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(context.Background())
	if err != nil || len(st) != len(ecos) {
		t.Fatalf("status: %d ecosystems, %v", len(st), err)
	}
	for _, s := range st {
		if s.SHA256 != rs[s.Name].SHA256 || s.Records != rs[s.Name].Records || s.Source != m.srv.URL+"/"+s.Name+"/all.zip" {
			t.Errorf("%s: status %+v", s.Name, s.EcosystemInfo)
		}
	}
}
