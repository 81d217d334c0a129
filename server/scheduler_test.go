package server

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/notify"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
	"github.com/fnaudit/fnaudit/vuln/dbupdate"
)

const (
	// schedOSVDB is the trimmed real OSV database kept with the repository.
	schedOSVDB = "../testdata/osvdb"
	// schedHeldBack is the advisory the older database lacks: moment before
	// 2.29.2 (path traversal), and the sample's listOrders ships moment
	// 2.29.1 without the sample listing it.
	schedHeldBack = "GHSA-8hfj-j24r-96c4"
	// schedEvery is the scheduler's period in these tests.
	schedEvery = 6 * time.Hour
	// schedWait bounds every wait for the scheduler: a failsafe against a
	// hung test, not a timing assertion.
	schedWait = 2 * time.Minute
)

// TestSchedulerHeldBackAdvisory is the scheduled run end to end: the
// sample application was last rescanned against a database without one
// advisory that affects it; the loopback mirror has the full database. The
// run at start is skipped (that rescan is recent), so is a tick just before
// half a period; the tick at half a period updates the database from the
// mirror and rescans, and the held-back advisory comes out new, alone: in
// the store, the database directory, the API, the pages and the webhook.
func TestSchedulerHeldBackAdvisory(t *testing.T) {
	older := schedOlderDB(t, schedHeldBack)
	m := newSchedMirror(t)
	hook := newSchedWebhook(t, http.StatusNoContent)
	f, ticks := newSchedFixture(t, func(c *Config) {
		c.DBDir, c.DBUpdateURL = older, m.srv.URL
		c.Webhook = &notify.Webhook{URL: hook.srv.URL + "/hooks/secret-path", Attempts: 1}
	})
	base := schedBaseline(t, f, older)
	s := serveSched(t, f, ticks)

	if r := s.next(t); r.Skipped != "recent" || r.Err != nil {
		t.Fatalf("run at start: %+v, want skipped as recent (the last rescan is from now)", r)
	}
	f.clock.Advance(schedEvery/2 - time.Second)
	s.tick(t)
	if r := s.next(t); r.Skipped != "recent" || r.Err != nil {
		t.Fatalf("tick a second before half a period: %+v, want skipped as recent", r)
	}
	if got := m.archiveRequests(); len(got) != 0 {
		t.Errorf("skipped runs fetched %v from the mirror", got)
	}
	if schedZipHas(t, filepath.Join(older, "npm", "all.zip"), schedHeldBack) {
		t.Fatalf("%s is in the database before the update", schedHeldBack)
	}

	f.clock.Advance(time.Second) // half a period: no longer "less than half a period ago"
	s.tick(t)
	r := s.next(t)
	if r.Skipped != "" || r.Err != nil {
		t.Fatalf("tick at half a period: %+v, want a run", r)
	}
	if len(r.Updated) != 1 || r.Updated[0].Ecosystem != "npm" || r.Updated[0].Status != dbupdate.Updated || r.Updated[0].Records != 63 {
		t.Errorf("database update: %+v, want npm updated to the mirror's 63 records", r.Updated)
	}
	if got := m.archiveRequests(); !slices.Equal(got, []string{"/npm/all.zip"}) {
		t.Errorf("mirror requests %v, want npm's archive once", got)
	}
	if !schedZipHas(t, filepath.Join(older, "npm", "all.zip"), schedHeldBack) {
		t.Errorf("the database directory still lacks %s after the update", schedHeldBack)
	}
	if len(r.Entries) != 1 || r.New != 1 {
		t.Fatalf("rescans %+v, %d new, want one rescan with one new finding", r.Entries, r.New)
	}
	e := r.Entries[0]
	if e.Kind != store.KindRescan || e.Base != base.ID || e.Application != "orders-api" || e.Labels["env"] != "prod" ||
		e.Counts.New != 1 || e.Counts.Fixed != 0 || !e.RecordedAt.Equal(f.clock.Now()) {
		t.Errorf("recorded rescan %+v, want a rescan of entry %d at %s with one new finding", e, base.ID, f.clock.Now())
	}

	// The store: the newest entry is that rescan, and only the held-back
	// advisory is new.
	latest, err := f.st.Latest(context.Background(), store.Query{})
	if err != nil || len(latest) != 1 || latest[0].ID != e.ID {
		t.Fatalf("latest entries %+v, %v, want the rescan %d", latest, err, e.ID)
	}
	rep, err := f.st.Report(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := schedNewFindings(rep); !slices.Equal(got, []string{"listOrders " + schedHeldBack}) {
		t.Errorf("new findings %v, want only %s in listOrders", got, schedHeldBack)
	}
	for _, fn := range rep.Functions {
		for _, fd := range fn.Findings {
			if fd.ID != schedHeldBack && fd.Change != reports.ChangeUnchanged {
				t.Errorf("%s %s: change %q, want unchanged", fn.Name, fd.ID, fd.Change)
			}
		}
	}

	// The API, over the server's own listener and through the handler.
	var newOnly struct {
		Total    int          `json:"total"`
		Findings []findingRow `json:"findings"`
	}
	s.getJSON(t, "/api/v1/findings?new=1", &newOnly)
	if newOnly.Total != 1 || len(newOnly.Findings) != 1 || newOnly.Findings[0].ID != schedHeldBack ||
		newOnly.Findings[0].Function != "listOrders" || newOnly.Findings[0].Entry != e.ID || newOnly.Findings[0].Change != reports.ChangeNew {
		t.Errorf("findings?new=1: %+v, want only %s in listOrders of entry %d", newOnly, schedHeldBack, e.ID)
	}
	var app struct {
		Entry     apiEntry      `json:"entry"`
		Functions []apiFunction `json:"functions"`
	}
	f.getJSON(t, "/api/v1/applications/orders-api", &app)
	if app.Entry.ID != e.ID || app.Entry.Kind != store.KindRescan || app.Entry.Changes == nil || app.Entry.Changes.New != 1 {
		t.Errorf("application: entry %+v, want the rescan %d with one new finding", app.Entry, e.ID)
	}
	for _, fn := range app.Functions {
		want := 0
		if fn.Name == "listOrders" {
			want = 1
		}
		if fn.New != want {
			t.Errorf("application: function %s has %d new findings, want %d", fn.Name, fn.New, want)
		}
	}

	// The pages.
	for _, page := range []string{"/findings?new=1", "/apps/orders-api/functions/listOrders",
		"/apps/orders-api/functions/listOrders/findings/" + schedHeldBack} {
		if res := f.get(t, page); res.code != http.StatusOK || !strings.Contains(res.String(), schedHeldBack) {
			t.Errorf("GET %s: %d, want 200 naming %s", page, res.code, schedHeldBack)
		}
	}

	// The webhook was told of the new finding, once, during the run.
	posts := hook.received()
	if len(posts) != 1 {
		t.Fatalf("the webhook got %d posts, want 1", len(posts))
	}
	n := posts[0]
	if n.Schema != notify.Schema || n.New != 1 || len(n.Applications) != 1 {
		t.Fatalf("notification %+v", n)
	}
	a := n.Applications[0]
	if a.Name != "orders-api" || a.Entry != e.ID || a.Base != base.ID || len(a.Findings) != 1 ||
		a.Findings[0].ID != schedHeldBack || a.Findings[0].Function != "listOrders" || a.Findings[0].Change != reports.ChangeNew ||
		!strings.Contains(n.Text, schedHeldBack) {
		t.Errorf("notification of orders-api: %+v\ntext: %s", a, n.Text)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "scheduled rescan done") || strings.Contains(logs, "secret-path") {
		t.Errorf("the log lacks the run or shows the webhook's path:\n%s", logs)
	}
}

// TestSchedulerSkipsTicksWhileRunning: ticks that come while a run waits
// on the mirror are skipped as "running", not queued: once the run is over
// and the server stopped, no other run has happened.
func TestSchedulerSkipsTicksWhileRunning(t *testing.T) {
	older := schedOlderDB(t, schedHeldBack)
	m := newSchedMirror(t)
	release := m.hold(t)
	f, ticks := newSchedFixture(t, func(c *Config) { c.DBDir, c.DBUpdateURL = older, m.srv.URL })
	f.record(t, sample(), nil)
	s := serveSched(t, f, ticks)
	m.waitArrival(t) // the run at start is fetching the archive

	for i := range 2 {
		s.tick(t)
		if r := s.next(t); r.Skipped != "running" || r.Err != nil || r.Entries != nil {
			t.Fatalf("tick %d during the run: %+v, want skipped as running", i+1, r)
		}
	}
	release()
	r := s.next(t)
	if r.Skipped != "" || r.Err != nil || len(r.Entries) != 1 || len(r.Updated) != 1 || r.Updated[0].Status != dbupdate.Updated {
		t.Fatalf("the run at start: %+v, want it updated and rescanned", r)
	}
	s.stop(t) // every run has reported once Serve returns
	if len(s.results) != 0 {
		t.Errorf("%d more runs reported after the skipped ticks: they were queued", len(s.results))
	}
	if got := m.archiveRequests(); len(got) != 1 {
		t.Errorf("mirror requests %v, want one", got)
	}
	if n := schedRescans(t, f.st); n != 1 {
		t.Errorf("%d rescans recorded, want 1", n)
	}
	if logs := f.logs.String(); strings.Count(logs, "the previous run is still going") != 2 {
		t.Errorf("the log does not name both skipped ticks:\n%s", logs)
	}
}

// TestSchedulerLockedByAnotherServer: two servers share a store. While the
// first one's run holds the store lock, the second's run skips as
// "locked"; its next tick skips as "recent" (the first has just done the
// work), and once half a period has passed it takes the lock the first
// released and runs.
func TestSchedulerLockedByAnotherServer(t *testing.T) {
	m := newSchedMirror(t)
	release := m.hold(t)
	a, ticksA := newSchedFixture(t, func(c *Config) { c.DBDir, c.DBUpdateURL = schedOlderDB(t, schedHeldBack), m.srv.URL })
	a.record(t, sample(), nil)
	sa := serveSched(t, a, ticksA)
	m.waitArrival(t) // a's run holds the lock

	b, ticksB := newSchedReplica(t, a, func(c *Config) { c.DBDir = schedOlderDB(t, schedHeldBack) })
	sb := serveSched(t, b, ticksB)
	if r := sb.next(t); r.Skipped != "locked" || r.Err != nil {
		t.Fatalf("second server's run at start: %+v, want skipped as locked", r)
	}
	release()
	ra := sa.next(t)
	if ra.Skipped != "" || ra.Err != nil || len(ra.Entries) != 1 {
		t.Fatalf("first server's run: %+v", ra)
	}
	sb.tick(t)
	if r := sb.next(t); r.Skipped != "recent" || r.Err != nil {
		t.Fatalf("second server's tick right after the first's run: %+v, want skipped as recent", r)
	}
	a.clock.Advance(schedEvery / 2)
	sb.tick(t)
	rb := sb.next(t)
	if rb.Skipped != "" || rb.Err != nil || len(rb.Entries) != 1 || rb.Entries[0].Base != ra.Entries[0].ID {
		t.Fatalf("second server's run after the lock was released: %+v, want a rescan of entry %d", rb, ra.Entries[0].ID)
	}
	if n := schedRescans(t, a.st); n != 2 {
		t.Errorf("%d rescans recorded, want 2", n)
	}
	if logs := b.logs.String(); !strings.Contains(logs, "another server is running one") {
		t.Errorf("the second server's log does not say why it skipped:\n%s", logs)
	}
}

// TestSchedulerFailedUpdate: a mirror answering 500 leaves the previous
// database in use and the run still rescans against it; the next tick,
// the mirror back, brings the held-back advisory. A webhook that keeps
// failing is logged and the rescan stays recorded.
func TestSchedulerFailedUpdate(t *testing.T) {
	older := schedOlderDB(t, schedHeldBack)
	archive := filepath.Join(older, "npm", "all.zip")
	before, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	m := newSchedMirror(t)
	m.fail(http.StatusInternalServerError)
	hook := newSchedWebhook(t, http.StatusBadGateway)
	f, ticks := newSchedFixture(t, func(c *Config) {
		c.DBDir, c.DBUpdateURL = older, m.srv.URL
		c.Webhook = &notify.Webhook{URL: hook.srv.URL, Attempts: 2, Backoff: time.Millisecond}
	})
	base := schedBaseline(t, f, older)
	f.clock.Advance(schedEvery)
	s := serveSched(t, f, ticks)

	r := s.next(t)
	if r.Skipped != "" || r.Err != nil {
		t.Fatalf("run with a failing mirror: %+v, want it to rescan anyway", r)
	}
	if len(r.Updated) != 1 || r.Updated[0].Status != dbupdate.Failed || r.Updated[0].Err == nil {
		t.Errorf("database update: %+v, want npm failed", r.Updated)
	}
	if got := m.archiveRequests(); len(got) != 2 {
		t.Errorf("mirror requests %v, want the archive and one retry", got)
	}
	if after, err := os.ReadFile(archive); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the failed update changed the archive (%v)", err)
	}
	if len(r.Entries) != 1 || r.Entries[0].Base != base.ID || r.New != 0 || r.Entries[0].Counts.Fixed != 0 {
		t.Errorf("rescans %+v, %d new: want one rescan of entry %d against the previous database, nothing new", r.Entries, r.New, base.ID)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "database update: ecosystem kept as it was") {
		t.Errorf("the log does not say the ecosystem was kept:\n%s", logs)
	}
	if n := len(hook.received()); n != 0 {
		t.Errorf("the webhook got %d posts for a rescan with nothing new", n)
	}

	m.fail(0)
	f.clock.Advance(schedEvery)
	s.tick(t)
	r = s.next(t)
	if r.Skipped != "" || r.Err != nil || len(r.Updated) != 1 || r.Updated[0].Status != dbupdate.Updated || len(r.Entries) != 1 || r.New != 1 {
		t.Fatalf("next tick with the mirror back: %+v, want the held-back advisory new", r)
	}
	rep, err := f.st.Report(context.Background(), r.Entries[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := schedNewFindings(rep); !slices.Equal(got, []string{"listOrders " + schedHeldBack}) {
		t.Errorf("new findings %v, want only %s", got, schedHeldBack)
	}
	if n := len(hook.received()); n != 2 {
		t.Errorf("the webhook got %d posts, want 2 attempts", n)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "the rescan was recorded but the webhook was not told") {
		t.Errorf("the log does not report the failed webhook:\n%s", logs)
	}
	if latest, err := f.st.Latest(context.Background(), store.Query{}); err != nil || len(latest) != 1 || latest[0].ID != r.Entries[0].ID {
		t.Errorf("latest %+v, %v: the rescan is not recorded", latest, err)
	}
}

// TestSchedulerFillsEmptyDatabase is a new server's first runs: an empty
// store and an empty database directory skip as "empty"; a stored scan
// that names no ecosystem fails the run, logged; then the directory is
// filled with the ecosystems the stored scans were matched against (npm
// for the sample), not with everything the mirror has.
func TestSchedulerFillsEmptyDatabase(t *testing.T) {
	m := newSchedMirror(t)
	dir := filepath.Join(t.TempDir(), "osvdb")
	f, ticks := newSchedFixture(t, func(c *Config) { c.DBDir, c.DBUpdateURL = dir, m.srv.URL })
	s := serveSched(t, f, ticks)
	if r := s.next(t); r.Skipped != "empty" || r.Err != nil {
		t.Fatalf("run at start on an empty store: %+v, want skipped as empty", r)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "nothing stored yet") {
		t.Errorf("the log does not say the store is empty:\n%s", logs)
	}

	blind := sample()
	blind.Database.Ecosystems = nil
	f.record(t, blind, nil)
	s.tick(t)
	if r := s.next(t); r.Skipped != "" || r.Err == nil || r.Entries != nil {
		t.Fatalf("run with a stored scan naming no ecosystem: %+v, want it failed", r)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "no stored scan names an ecosystem") {
		t.Errorf("the log does not say why the run failed:\n%s", logs)
	}
	if got := m.archiveRequests(); len(got) != 0 {
		t.Errorf("mirror requests %v before any ecosystem was known", got)
	}
	if res := f.get(t, "/readyz"); res.code != http.StatusServiceUnavailable {
		t.Errorf("readyz without a database: %d", res.code)
	}

	f.record(t, sample(), nil)
	s.tick(t)
	r := s.next(t)
	if r.Skipped != "" || r.Err != nil || len(r.Entries) != 1 {
		t.Fatalf("run with the sample stored: %+v", r)
	}
	if len(r.Updated) != 1 || r.Updated[0].Ecosystem != "npm" || r.Updated[0].Status != dbupdate.Updated {
		t.Errorf("database update: %+v, want npm only", r.Updated)
	}
	if got := m.archiveRequests(); !slices.Equal(got, []string{"/npm/all.zip"}) {
		t.Errorf("mirror requests %v, want npm's archive", got)
	}
	if !schedZipHas(t, filepath.Join(dir, "npm", "all.zip"), schedHeldBack) {
		t.Errorf("npm's archive was not installed")
	}
	if res := f.get(t, "/readyz"); res.code != http.StatusOK {
		t.Errorf("readyz with the database filled: %d %s", res.code, res.body)
	}
}

// newSchedFixture is a fixture whose server runs scheduled rescans every
// schedEvery, ticked by the returned channel, with quick retries.
func newSchedFixture(t *testing.T, edit func(*Config)) (*fixture, chan time.Time) {
	t.Helper()
	ticks := make(chan time.Time)
	f := newFixture(t, func(c *Config) {
		schedConfig(t, c, ticks)
		edit(c)
	})
	return f, ticks
}

func schedConfig(t *testing.T, c *Config, ticks chan time.Time) {
	c.RescanEvery = schedEvery
	c.Ticker = func(every time.Duration) (<-chan time.Time, func()) {
		if every != schedEvery {
			t.Errorf("ticker asked for every %s, want %s", every, schedEvery)
		}
		return ticks, func() {}
	}
	c.DBUpdate.Retries, c.DBUpdate.Backoff = 1, time.Millisecond
	c.DBUpdate.Timeout, c.DBUpdate.LockWait = time.Minute, 10*time.Second
	c.ShutdownTimeout = 10 * time.Second
}

// newSchedReplica is a second server over a's store (its own connection),
// sharing a's clock, with its own log and ticks.
func newSchedReplica(t *testing.T, a *fixture, edit func(*Config)) (*fixture, chan time.Time) {
	t.Helper()
	st, err := store.Open(context.Background(), a.dsn, store.Options{Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b := &fixture{st: st, clock: a.clock, logs: &logBuffer{}, dsn: a.dsn}
	ticks := make(chan time.Time)
	cfg := DefaultConfig()
	cfg.Store, cfg.Now, cfg.ToolVersion = st, a.clock.Now, "0.1.0-test"
	cfg.Logger = slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	schedConfig(t, &cfg, ticks)
	edit(&cfg)
	if b.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	return b, ticks
}

// schedBaseline records the sample scan, then a rescan of it against db
// (what a scheduled run before the advisory was published recorded), and
// returns that rescan. The clock is not advanced after it.
func schedBaseline(t *testing.T, f *fixture, db string) store.Entry {
	t.Helper()
	f.record(t, sample(), map[string]string{"env": "prod"})
	ctx := context.Background()
	rc := audit.DefaultRescanConfig()
	rc.DBDir, rc.ToolVersion = db, "0.1.0-test"
	out, err := audit.Rescan(ctx, rc, f.st)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := audit.RecordRescan(ctx, f.st, out)
	if err != nil || len(entries) != 1 {
		t.Fatalf("recording the baseline rescan: %v, %d entries", err, len(entries))
	}
	for _, fn := range out.Reports[0].Functions {
		for _, fd := range fn.Findings {
			if fd.ID == schedHeldBack {
				t.Fatalf("the older database matches %s", schedHeldBack)
			}
		}
	}
	return entries[0]
}

// schedServer is a fixture's server running Serve on loopback, its
// scheduler's outcomes reported on results.
type schedServer struct {
	f       *fixture
	addr    string
	ticks   chan time.Time
	results chan runResult
	cancel  context.CancelFunc
	served  chan error
	once    sync.Once
}

func serveSched(t *testing.T, f *fixture, ticks chan time.Time) *schedServer {
	t.Helper()
	if f.srv.sched == nil {
		t.Fatal("the server has no scheduler")
	}
	s := &schedServer{f: f, ticks: ticks, results: make(chan runResult, 16), served: make(chan error, 1)}
	f.srv.sched.done = func(r runResult) { s.results <- r }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.served <- f.srv.Serve(ctx, ln) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop ends Serve and waits for it: every run has finished and reported.
func (s *schedServer) stop(t *testing.T) {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case err := <-s.served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(schedWait):
			t.Errorf("Serve did not return within %s", schedWait)
		}
	})
}

// tick sends a tick; it returns once the scheduler's loop has taken it.
func (s *schedServer) tick(t *testing.T) {
	t.Helper()
	select {
	case s.ticks <- s.f.clock.Now():
	case <-time.After(schedWait):
		t.Fatalf("the scheduler took no tick within %s", schedWait)
	}
}

// next waits for the outcome of the next start or tick.
func (s *schedServer) next(t *testing.T) runResult {
	t.Helper()
	select {
	case r := <-s.results:
		return r
	case <-time.After(schedWait):
		t.Fatalf("no scheduled run reported within %s", schedWait)
		return runResult{}
	}
}

// getJSON GETs target from the running server over loopback.
func (s *schedServer) getJSON(t *testing.T, target string, v any) {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %s", target, resp.StatusCode, err, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", target, err, body)
	}
}

// schedMirror is the OSV bucket on loopback: <Ecosystem>/all.zip of the
// repository's database with ETag and x-goog-hash (crc32c, md5), and a
// SHA256SUMS listing them. It can fail or hold archive requests.
type schedMirror struct {
	srv     *httptest.Server
	zips    map[string][]byte
	arrived chan string

	mu       sync.Mutex    // guards the fields below
	status   int           // when not 0, archive requests are answered with it
	gate     chan struct{} // when set, archive requests wait until it is closed
	requests []string      // archive paths requested
}

func newSchedMirror(t *testing.T) *schedMirror {
	t.Helper()
	m := &schedMirror{zips: map[string][]byte{}, arrived: make(chan string, 16)}
	ecos, err := os.ReadDir(schedOSVDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ecos {
		if b, err := os.ReadFile(filepath.Join(schedOSVDB, e.Name(), "all.zip")); err == nil {
			m.zips[e.Name()] = b
		}
	}
	if len(m.zips) < 2 || m.zips["npm"] == nil {
		t.Fatalf("%s: ecosystems %d, want npm and others", schedOSVDB, len(m.zips))
	}
	m.srv = httptest.NewServer(m)
	t.Cleanup(m.srv.Close)
	return m
}

func (m *schedMirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/SHA256SUMS" {
		var sums strings.Builder
		for eco, b := range m.zips {
			sum := sha256.Sum256(b)
			fmt.Fprintf(&sums, "%s  %s/all.zip\n", hex.EncodeToString(sum[:]), eco)
		}
		io.WriteString(w, sums.String())
		return
	}
	eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
	b := m.zips[eco]
	if !ok || b == nil {
		http.NotFound(w, r)
		return
	}
	m.mu.Lock()
	m.requests = append(m.requests, r.URL.Path)
	status, gate := m.status, m.gate
	m.mu.Unlock()
	select {
	case m.arrived <- r.URL.Path:
	default: // nobody waits for that many
	}
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		http.Error(w, "mirror trouble", status)
		return
	}
	sum := sha256.Sum256(b)
	crc := binary.BigEndian.AppendUint32(nil, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	md := md5.Sum(b)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	w.Header().Add("X-Goog-Hash", "crc32c="+base64.StdEncoding.EncodeToString(crc))
	w.Header().Add("X-Goog-Hash", "md5="+base64.StdEncoding.EncodeToString(md[:]))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// fail makes archive requests answer status (0: serve them again).
func (m *schedMirror) fail(status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status = status
}

// hold makes archive requests wait until the returned function is called
// (at the latest when the test ends).
func (m *schedMirror) hold(t *testing.T) (release func()) {
	gate := make(chan struct{})
	m.mu.Lock()
	m.gate = gate
	m.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	return release
}

// waitArrival waits for an archive request.
func (m *schedMirror) waitArrival(t *testing.T) {
	t.Helper()
	select {
	case <-m.arrived:
	case <-time.After(schedWait):
		t.Fatalf("no archive request reached the mirror within %s", schedWait)
	}
}

// archiveRequests returns the archive paths requested so far and forgets
// them.
func (m *schedMirror) archiveRequests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.requests
	m.requests = nil
	return out
}

// schedWebhook is a chat webhook on loopback answering status, keeping
// every notification posted to it.
type schedWebhook struct {
	srv *httptest.Server

	mu    sync.Mutex // guards posts
	posts []notify.Notification
}

func newSchedWebhook(t *testing.T, status int) *schedWebhook {
	h := &schedWebhook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n notify.Notification
		if ct := r.Header.Get("Content-Type"); r.Method != http.MethodPost || ct != "application/json" {
			t.Errorf("webhook: %s with Content-Type %q", r.Method, ct)
		}
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			t.Errorf("webhook: decoding the notification: %v", err)
		}
		h.mu.Lock()
		h.posts = append(h.posts, n)
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// received returns the notifications posted so far and forgets them.
func (h *schedWebhook) received() []notify.Notification {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.posts
	h.posts = nil
	return out
}

// schedOlderDB is a database directory holding the repository's npm
// archive without the records ids: an update behind the mirror.
func schedOlderDB(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	zr, err := zip.OpenReader(filepath.Join(schedOSVDB, "npm", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	dropped := 0
	for _, f := range zr.File {
		if slices.Contains(ids, strings.TrimSuffix(f.Name, ".json")) {
			dropped++
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if dropped != len(ids) {
		t.Fatalf("dropped %d of the records %v: the testdata database changed?", dropped, ids)
	}
	if err := os.MkdirAll(filepath.Join(dir, "npm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "npm", "all.zip"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// schedZipHas says whether the archive at path holds the record id.
func schedZipHas(t *testing.T, path, id string) bool {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	return slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == id+".json" })
}

// schedNewFindings lists "function id" for each finding of r marked new.
func schedNewFindings(r *reports.Report) []string {
	var out []string
	for _, fn := range r.Functions {
		for _, fd := range fn.Findings {
			if fd.Change == reports.ChangeNew {
				out = append(out, fn.Name+" "+fd.ID)
			}
		}
	}
	return out
}

// schedRescans counts the rescans recorded in st.
func schedRescans(t *testing.T, st store.Store) int {
	t.Helper()
	entries, err := st.Entries(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Kind == store.KindRescan {
			n++
		}
	}
	return n
}
