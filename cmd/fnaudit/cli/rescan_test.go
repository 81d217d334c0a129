package cli

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/internal/testfs"
	"github.com/fnaudit/fnaudit/reports"
)

// withoutRecords copies the test database leaving out the records ids.
func withoutRecords(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	ecos, err := os.ReadDir(testDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ecos {
		src := filepath.Join(testDB, e.Name(), "all.zip")
		if !e.IsDir() {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, e.Name()), 0o755); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.OpenReader(src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dir, e.Name(), "all.zip"))
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(out)
		for _, f := range zr.File {
			if !contains(ids, strings.TrimSuffix(f.Name, ".json")) {
				if err := zw.Copy(f); err != nil {
					t.Fatal(err)
				}
			}
		}
		zr.Close()
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	return dir
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rescanDoc is the part of a rescan report the tests read.
type rescanDoc struct {
	Schema    string `json:"schema"`
	Functions []struct {
		Findings []struct {
			ID     string `json:"id"`
			Change string `json:"change"`
		} `json:"findings"`
	} `json:"functions"`
	Summary struct {
		Changes *reports.Changes `json:"changes"`
		Gate    reports.Gate     `json:"gate"`
	} `json:"summary"`
	Rescan *reports.RescanOf `json:"rescan"`
}

func changesOf(t *testing.T, out string) (rescanDoc, map[string]string) {
	t.Helper()
	var doc rescanDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("rescan JSON: %v\n%s", err, out)
	}
	changes := map[string]string{}
	for _, fn := range doc.Functions {
		for _, f := range fn.Findings {
			changes[f.ID] = f.Change
		}
	}
	return doc, changes
}

// TestRescanCommand scans the demo against a database without one
// advisory, deletes the zip, rescans against the full database (the
// advisory is new and fails the gate), rescans again (nothing new: exit 0),
// and reads the history.
func TestRescanCommand(t *testing.T) {
	dir := t.TempDir()
	st := filepath.Join(dir, "fnaudit.db")
	older := withoutRecords(t, "GHSA-35jh-r3h4-6jhm")
	zipPath := filepath.Join(dir, "orders-function.zip")
	testfs.CopyFile(t, demoZip, zipPath)

	res := run(t, "scan", "--db", older, "--store", st, "--label", "env=prod", "--format", "json="+filepath.Join(dir, "scan.json"), zipPath)
	if res.code != 0 || !strings.Contains(res.stderr, "recorded scan 1 of orders-function (env=prod)") {
		t.Fatalf("scan: exit %d\n%s", res.code, res.stderr)
	}
	os.Remove(zipPath)

	res = run(t, "rescan", "--store", st, "--db", testDB, "--label", "env=prod", "--fail-on", "low", "--format", "json")
	if res.code != 1 {
		t.Fatalf("rescan with a new finding: exit %d, want 1\n%s", res.code, res.stderr)
	}
	doc, changes := changesOf(t, res.stdout)
	if changes["GHSA-35jh-r3h4-6jhm"] != "new" || doc.Summary.Changes.New != 1 || doc.Summary.Changes.Fixed != 0 ||
		doc.Summary.Changes.Unchanged != len(changes)-1 || doc.Rescan == nil || doc.Rescan.Entry != 1 {
		t.Errorf("first rescan: %+v %+v %v", doc.Summary, doc.Rescan, changes)
	}

	res = run(t, "rescan", "--store", st, "--db", testDB, "--fail-on", "low", "--format", "table")
	if res.code != 0 || !strings.Contains(res.stdout, "Since the stored scan: 0 new") || !strings.Contains(res.stdout, "UNCHANGED") {
		t.Errorf("second rescan: exit %d, want 0 (unchanged findings do not fail)\n%s%s", res.code, res.stdout, res.stderr)
	}

	res = run(t, "history", "--store", st, "--format", "json")
	var hist struct {
		Entries []struct {
			ID      int64             `json:"id"`
			Kind    string            `json:"kind"`
			Base    int64             `json:"base"`
			Labels  map[string]string `json:"labels"`
			Changes *reports.Changes  `json:"changes"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &hist); err != nil || len(hist.Entries) != 3 {
		t.Fatalf("history: %v, %d entries\n%s", err, len(hist.Entries), res.stdout)
	}
	if e := hist.Entries[1]; e.Kind != "rescan" || e.Base != 1 || e.Changes.New != 1 || e.Labels["env"] != "prod" {
		t.Errorf("history entry 2: %+v", e)
	}
	if e := hist.Entries[2]; e.Base != 2 || e.Changes.New != 0 {
		t.Errorf("history entry 3: %+v", e)
	}
	res = run(t, "history", "--store", st)
	if res.code != 0 || !strings.Contains(res.stdout, "rescan of 2") {
		t.Errorf("history table: exit %d\n%s", res.code, res.stdout)
	}
}

// TestRescanSeveralApplications writes the rescan/v1 document and one HTML
// file per application.
func TestRescanSeveralApplications(t *testing.T) {
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	for _, name := range []string{"one.zip", "two.zip"} {
		testfs.CopyFile(t, demoZip, filepath.Join(dir, name))
		if res := run(t, "scan", "--db", testDB, "--store", st, "-q", "--format", "json="+filepath.Join(dir, name+".json"), filepath.Join(dir, name)); res.code != 0 {
			t.Fatalf("scan %s: exit %d\n%s", name, res.code, res.stderr)
		}
	}
	res := run(t, "rescan", "--store", st, "--db", testDB, "-q", "--format", "json", "--format", "html="+filepath.Join(dir, "r.html"))
	if res.code != 0 {
		t.Fatalf("rescan: exit %d\n%s", res.code, res.stderr)
	}
	var doc struct {
		Schema  string      `json:"schema"`
		Reports []rescanDoc `json:"reports"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || doc.Schema != "fnaudit/rescan/v1" || len(doc.Reports) != 2 {
		t.Fatalf("rescan JSON: %v %q %d reports", err, doc.Schema, len(doc.Reports))
	}
	for _, app := range []string{"one", "two"} {
		if _, err := os.Stat(filepath.Join(dir, "r-"+app+".html")); err != nil {
			t.Errorf("no HTML for %s: %v", app, err)
		}
	}
	if res := run(t, "rescan", "--store", st, "--db", testDB, "--format", "sarif"); res.code != 2 || !strings.Contains(res.stderr, "give a FILE") {
		t.Errorf("sarif to stdout for two applications: exit %d\n%s", res.code, res.stderr)
	}
	if res := run(t, "rescan", "--store", st, "--db", testDB, "--app", "nope"); res.code != 2 || !strings.Contains(res.stderr, "no stored scan matches") {
		t.Errorf("rescan of an unknown app: exit %d\n%s", res.code, res.stderr)
	}
	if res := run(t, "rescan", "--store", filepath.Join(dir, "missing.db"), "--db", testDB); res.code != 2 {
		t.Errorf("rescan of a missing store: exit %d\n%s", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("rescan created a store")
	}
}

// TestScanStoreErrors: a store that cannot be written fails the scan (exit
// 2) even when the gate passed; --label needs --store.
func TestScanStoreErrors(t *testing.T) {
	dir := t.TempDir()
	if res := run(t, "scan", "--db", testDB, "--label", "a=b", demoZip); res.code != 2 || !strings.Contains(res.stderr, "--label needs --store") {
		t.Errorf("--label without --store: exit %d\n%s", res.code, res.stderr)
	}
	if res := run(t, "scan", "--db", testDB, "--store", "mysql://x", demoZip); res.code != 2 {
		t.Errorf("bad DSN: exit %d\n%s", res.code, res.stderr)
	}
	st := filepath.Join(dir, "s.db")
	if res := run(t, "scan", "--db", testDB, "--store", st, "-q", "--format", "json="+filepath.Join(dir, "a.json"), demoZip); res.code != 0 {
		t.Fatalf("scan: exit %d\n%s", res.code, res.stderr)
	}
	// Make every insert of an entry fail, as a full disk would.
	db, err := sql.Open("sqlite", st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TRIGGER fail BEFORE INSERT ON scans BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	res := run(t, "scan", "--db", testDB, "--store", st, "-q", "--format", "json="+filepath.Join(dir, "b.json"), demoZip)
	if res.code != 2 || !strings.Contains(res.stderr, "the outputs were written but the scan was not recorded") || !strings.Contains(res.stderr, "disk is full") {
		t.Errorf("failing store: exit %d\n%s", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.json")); err != nil {
		t.Errorf("the outputs were not written before recording: %v", err)
	}
}

// TestRescanWebhook posts the new findings to a webhook after recording
// the rescan; a webhook that refuses fails the run (exit 2) but the rescan
// stays recorded.
func TestRescanWebhook(t *testing.T) {
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	if res := run(t, "scan", "--db", withoutRecords(t, "GHSA-35jh-r3h4-6jhm"), "--store", st, "-q", "--format", "json="+filepath.Join(dir, "a.json"), demoZip); res.code != 0 {
		t.Fatalf("scan: exit %d\n%s", res.code, res.stderr)
	}
	var mu sync.Mutex
	var bodies []notification
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n notification
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &n); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		mu.Lock()
		bodies = append(bodies, n)
		mu.Unlock()
	}))
	defer srv.Close()
	res := run(t, "rescan", "--store", st, "--db", testDB, "-q", "--notify-webhook", srv.URL+"/hooks/secret")
	if res.code != 0 || len(bodies) != 1 {
		t.Fatalf("rescan with webhook: exit %d, %d posts\n%s", res.code, len(bodies), res.stderr)
	}
	n := bodies[0]
	if n.New != 1 || n.Schema != NotificationSchema || !strings.HasPrefix(n.Text, "fnaudit rescan: 1 new finding in 1 application\n• orders-function/orders-function: ") ||
		!strings.Contains(n.Text, "GHSA-35jh-r3h4-6jhm in lodash@4.17.15") || n.Applications[0].Findings[0].Change != "new" {
		t.Errorf("payload: %+v", n)
	}

	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refusing.Close()
	// Against the older database the advisory is fixed; against the full one
	// it is new again, and the webhook refuses.
	run(t, "rescan", "--store", st, "--db", withoutRecords(t, "GHSA-35jh-r3h4-6jhm"), "-q")
	res = run(t, "rescan", "--store", st, "--db", testDB, "-q", "--notify-webhook", refusing.URL+"/hooks/secret")
	if res.code != 2 || !strings.Contains(res.stderr, "403") || strings.Contains(res.stderr, "secret") {
		t.Errorf("refusing webhook: exit %d\n%s", res.code, res.stderr)
	}
	if h := run(t, "history", "--store", st, "--format", "json"); strings.Count(h.stdout, `"kind": "rescan"`) != 3 {
		t.Errorf("the rescan whose webhook failed is not recorded:\n%s", h.stdout)
	}
}

// TestWebhookRetries retries server errors with backoff, a bounded number
// of times.
func TestWebhookRetries(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	r := reportWithNewFinding()
	var stderr strings.Builder
	w := webhook{url: srv.URL, attempts: 4, backoff: time.Millisecond, stderr: &stderr}
	if err := w.notify(context.Background(), []*reports.Report{r}, nil); err != nil || calls != 3 {
		t.Errorf("notify: %v after %d calls", err, calls)
	}
	calls = 0
	w.attempts = 2
	if err := w.notify(context.Background(), []*reports.Report{r}, nil); err == nil || calls != 2 || !strings.Contains(err.Error(), "2 attempts") {
		t.Errorf("notify against a failing server: %v after %d calls", err, calls)
	}
	calls = 0
	r.Functions[0].Findings[0].Change = reports.ChangeUnchanged
	if err := w.notify(context.Background(), []*reports.Report{r}, nil); err != nil || calls != 0 {
		t.Errorf("notify without new findings: %v, %d calls", err, calls)
	}
}

func reportWithNewFinding() *reports.Report {
	r := &reports.Report{Application: reports.Application{Name: "app"}, Functions: []reports.Function{{Name: "fn",
		Findings: []reports.Finding{{Change: reports.ChangeNew}}}}}
	r.Functions[0].Findings[0].ID = "GHSA-x"
	return r
}
