package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/vuln"
)

// dbMirror serves the repository's OSV database on loopback, as a mirror
// of the OSV bucket.
func dbMirror(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(testDB)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// copyDB copies the archives of the repository's database into a new
// directory, dated age ago.
func copyDB(t *testing.T, age time.Duration, ecos ...string) string {
	t.Helper()
	dir := t.TempDir()
	when := time.Now().Add(-age)
	for _, eco := range ecos {
		b, err := os.ReadFile(filepath.Join(testDB, eco, "all.zip"))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, eco, "all.zip")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, when, when)
	}
	return dir
}

// TestDBUpdateCommand: update from a loopback mirror, a second update
// finds everything unchanged, --quiet prints nothing, and an ecosystem the
// mirror lacks fails alone with exit 1; flags may come before or after the
// subcommand.
func TestDBUpdateCommand(t *testing.T) {
	url := dbMirror(t)
	dir := filepath.Join(t.TempDir(), "db")
	r := run(t, "db", "update", "--db", dir, "--url", url, "--ecosystems", "npm, Go")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Go: updated: ", "npm: updated: 63 records, 77.7 KiB, sha256 ", "from " + url + "/npm/all.zip"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = run(t, "db", "--db", dir, "update", "--url", url)
	if r.code != 0 || r.stderr != "Go: unchanged ("+url+"/Go/all.zip)\nnpm: unchanged ("+url+"/npm/all.zip)\n" {
		t.Errorf("second update: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if r = run(t, "db", "update", "-q", "--db", dir, "--url", url); r.code != 0 || r.stderr != "" {
		t.Errorf("--quiet: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = run(t, "db", "update", "--db", dir, "--url", url, "--ecosystems", "npm,RubyGems", "-q", "--retries", "0")
	for _, want := range []string{"RubyGems: FAILED: fetching " + url + "/RubyGems/all.zip: HTTP 404",
		"1 of 2 ecosystems failed (RubyGems): they keep their previous archive; the others were updated"} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("missing ecosystem: exit %d, want 1 and %q in:\n%s", r.code, want, r.stderr)
		}
	}
}

// TestDBFirstUpdate: into an empty database, an update without
// --ecosystems takes every ecosystem a local mirror holds, and the
// function runtimes' ecosystems from an HTTP one.
func TestDBFirstUpdate(t *testing.T) {
	held, err := vuln.Archives(testDB)
	if err != nil || len(held) == 0 {
		t.Fatalf("test database: %v %v", held, err)
	}
	dir := filepath.Join(t.TempDir(), "db")
	r := run(t, "db", "update", "--db", dir, "--url", testDB)
	if r.code != 0 || !strings.Contains(r.stderr, "holds no database yet: downloading "+strings.Join(slices.Sorted(maps.Keys(held)), ",")) {
		t.Fatalf("local mirror: exit %d:\n%s", r.code, r.stderr)
	}
	got, err := vuln.Archives(dir)
	if err != nil || len(got) != len(held) {
		t.Errorf("the first update installed %v, want the mirror's %v (%v)", slices.Collect(maps.Keys(got)), slices.Collect(maps.Keys(held)), err)
	}

	url := dbMirror(t)
	dir = filepath.Join(t.TempDir(), "db")
	r = run(t, "db", "update", "--db", dir, "--url", url, "--retries", "0")
	if !strings.Contains(r.stderr, "downloading "+strings.Join(defaultEcosystems, ",")) {
		t.Errorf("HTTP mirror: the first update should take the default ecosystems:\n%s", r.stderr)
	}
	for eco := range held {
		if !strings.Contains(r.stderr, eco+": updated: ") {
			t.Errorf("HTTP mirror: %s not updated:\n%s", eco, r.stderr)
		}
	}
	if r.code != 1 || !strings.Contains(r.stderr, "RubyGems: FAILED") {
		t.Errorf("HTTP mirror: the default ecosystems the mirror lacks fail alone (exit 1): exit %d:\n%s", r.code, r.stderr)
	}
}

// TestDBUsageErrors: mistakes exit 2 and say what to do.
func TestDBUsageErrors(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"db"}, "db needs a subcommand: update, status or import"},
		{"unknown subcommand", []string{"db", "refresh"}, `(got "refresh")`},
		{"flag of another subcommand", []string{"db", "status", "--db", testDB, "--url", "http://x"}, "--url does not apply to db status"},
		{"bad scheme", []string{"db", "update", "--db", empty, "--url", "ftp://x", "--ecosystems", "npm"}, `scheme "ftp"`},
		{"bad ecosystem", []string{"db", "update", "--db", empty, "--ecosystems", "../x"}, `ecosystem name "../x" is not valid`},
		{"import without path", []string{"db", "import", "--db", empty}, "db import needs one PATH"},
		{"import of nothing", []string{"db", "import", "--db", empty, filepath.Join(empty, "none")}, "no such file"},
		{"status format", []string{"db", "status", "--db", testDB, "--format", "xml"}, `--format "xml": want table or json`},
		{"status without database", []string{"db", "status", "--db", filepath.Join(empty, "none")}, "run `fnaudit db update`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want 2 and %q in stderr:\n%s", r.code, tt.want, r.stderr)
			}
		})
	}
	if left, _ := os.ReadDir(empty); len(left) != 0 {
		t.Errorf("usage errors wrote %d files into the database", len(left))
	}
}

// TestDBStatusCommand: the table and the JSON contract, for an archive
// fnaudit downloaded and one placed by hand.
func TestDBStatusCommand(t *testing.T) {
	dir := copyDB(t, 0, "PyPI")
	if r := run(t, "db", "update", "-q", "--db", dir, "--url", dbMirror(t), "--ecosystems", "npm"); r.code != 0 {
		t.Fatalf("update: exit %d\n%s", r.code, r.stderr)
	}
	r := run(t, "db", "status", "--db", dir)
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		rows = append(rows, strings.Fields(l))
	}
	if r.code != 0 || len(rows) != 3 || strings.Join(rows[0], " ") != "ECOSYSTEM RECORDS WITHDRAWN NEWEST MODIFIED SIZE SHA256 UPDATED SOURCE" ||
		!slices.Equal(rows[1][:3], []string{"PyPI", "74", "1"}) || !slices.Equal(rows[1][len(rows[1])-2:], []string{"unknown", "unknown"}) ||
		!slices.Equal(rows[2][:3], []string{"npm", "63", "0"}) || !strings.HasSuffix(rows[2][len(rows[2])-1], "/npm/all.zip") {
		t.Errorf("table: exit %d\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	r = run(t, "db", "status", "--db", dir, "--format", "json")
	var doc struct {
		Ecosystems []map[string]any `json:"ecosystems"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); r.code != 0 || err != nil {
		t.Fatalf("json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	var names []string
	for _, e := range doc.Ecosystems {
		names = append(names, e["name"].(string))
		for _, k := range []string{"name", "records", "modified", "sha256", "updated", "source"} {
			if _, ok := e[k]; !ok {
				t.Errorf("%s: no %q", e["name"], k)
			}
		}
		b, _ := os.ReadFile(filepath.Join(dir, e["name"].(string), "all.zip"))
		if e["sha256"] != sha256Hex(b) {
			t.Errorf("%s: sha256 %v", e["name"], e["sha256"])
		}
		if _, err := time.Parse(time.RFC3339, e["modified"].(string)); err != nil {
			t.Errorf("%s: modified %v", e["name"], e["modified"])
		}
	}
	if diff := cmp.Diff([]string{"PyPI", "npm"}, names); diff != "" {
		t.Fatalf("ecosystems (-want +got):\n%s", diff)
	}
	pypi, npm := doc.Ecosystems[0], doc.Ecosystems[1]
	if pypi["updated"] != "unknown" || pypi["source"] != "unknown" || pypi["records"] != 74.0 {
		t.Errorf("PyPI, placed by hand: %v", pypi)
	}
	if _, err := time.Parse(time.RFC3339, npm["updated"].(string)); err != nil || npm["records"] != 63.0 ||
		!strings.HasSuffix(npm["source"].(string), "/npm/all.zip") {
		t.Errorf("npm, downloaded: %v", npm)
	}
}

// TestDBImportCommand imports a folder of records, then refuses an
// invalid one with exit 2.
func TestDBImportCommand(t *testing.T) {
	dir := copyDB(t, 0, "npm")
	feed := t.TempDir()
	rec := `{"id":"FNA-2026-0001","modified":"2026-11-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"versions":["1.3.0"]}]}`
	os.WriteFile(filepath.Join(feed, "FNA-2026-0001.json"), []byte(rec), 0o644)
	r := run(t, "db", "import", feed, "--db", dir)
	if r.code != 0 || r.stderr != "npm: 1 records imported (1 added, 0 replaced); 64 records in the archive\n" {
		t.Errorf("import: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	os.WriteFile(filepath.Join(feed, "bad.json"), []byte(`{"id":"X"}`), 0o644)
	if r = run(t, "db", "import", "--db", dir, feed); r.code != 2 || !strings.Contains(r.stderr, "bad.json: no affected[] entry") {
		t.Errorf("invalid record: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if r = run(t, "db", "import", "--db", dir, "--ecosystem", "npm", feed); r.code != 2 {
		t.Errorf("invalid record with --ecosystem: exit %d", r.code)
	}
}

// TestScanStaleDatabase: a scan on a database older than --max-db-age
// warns (stderr and the report's database warnings); with --fail-on it
// exits 2 saying to update; 0 or a larger age, or a fresh update, lift it.
func TestScanStaleDatabase(t *testing.T) {
	t.Setenv("FNAUDIT_MAX_DB_AGE", "7d")
	dir := copyDB(t, 30*24*time.Hour, "npm", "PyPI", "Go", "Maven", "crates.io")
	out := filepath.Join(t.TempDir(), "r.json")
	r := run(t, "scan", "--db", dir, "--format", "json="+out, demoZip)
	if r.code != 0 || !strings.Contains(r.stderr, "advisory database is stale: npm was last updated") {
		t.Errorf("no gate: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var doc struct {
		Database struct{ Warnings []string } `json:"database"`
	}
	b, _ := os.ReadFile(out)
	json.Unmarshal(b, &doc)
	if !slices.ContainsFunc(doc.Database.Warnings, func(w string) bool {
		return strings.Contains(w, "more than the maximum age of 7.0 days; run `fnaudit db update`")
	}) {
		t.Errorf("report warnings %q lack the stale database", doc.Database.Warnings)
	}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"stale with a gate", []string{"--fail-on", "high"}, 2, "the gate cannot pass on old advisories: run `fnaudit db update`"},
		{"stale with a policy", []string{"--policy", writePolicy(t)}, 2, "the advisory database is stale"},
		{"no limit", []string{"--fail-on", "high", "--max-db-age", "0"}, 1, ""},
		{"larger limit", []string{"--fail-on", "high", "--max-db-age", "60d"}, 1, ""},
		{"bad limit", []string{"--max-db-age", "soon"}, 2, `--max-db-age: "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, append(append([]string{"scan", "--db", dir, "-q"}, tt.args...), demoZip)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want %d and %q in stderr:\n%s", r.code, tt.code, tt.want, r.stderr)
			}
		})
	}

	t.Run("env", func(t *testing.T) {
		t.Setenv("FNAUDIT_MAX_DB_AGE", "0")
		if r := run(t, "scan", "--db", dir, "-q", "--fail-on", "high", demoZip); r.code != 1 {
			t.Errorf("FNAUDIT_MAX_DB_AGE=0: exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})
	t.Run("updated", func(t *testing.T) {
		// The demo only uses npm: updating it makes the database fresh
		// for this scan, although the other archives stay old.
		if r := run(t, "db", "update", "-q", "--db", dir, "--url", dbMirror(t), "--ecosystems", "npm"); r.code != 0 {
			t.Fatalf("update: exit %d\n%s", r.code, r.stderr)
		}
		if r := run(t, "scan", "--db", dir, "-q", "--fail-on", "high", demoZip); r.code != 1 {
			t.Errorf("after db update: exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// writePolicy writes a policy file that gates on critical findings.
func writePolicy(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "fnaudit.yaml")
	os.WriteFile(p, []byte("fail_on:\n  public: critical\n"), 0o644)
	return p
}

// TestParseAge reads --max-db-age values.
func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "0": 0, "36h": 36 * time.Hour, "1.5d": 36 * time.Hour, " 90m ": 90 * time.Minute} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-1d", "-5m", "d"} {
		if _, err := parseAge(bad); err == nil {
			t.Errorf("parseAge(%q) accepted", bad)
		}
	}
}

// TestDBProgressLine draws the download bar.
func TestDBProgressLine(t *testing.T) {
	tests := []struct {
		done, total int64
		want        string
	}{
		{0, 2 << 20, "npm        [                              ]   0%  0 B of 2.0 MiB"},
		{1 << 20, 2 << 20, "npm        [==============>               ]  50%  1.0 MiB of 2.0 MiB"},
		{2 << 20, 2 << 20, "npm        [==============================] 100%  2.0 MiB of 2.0 MiB"},
		{1500, -1, "npm        1.5 KiB"},
	}
	for _, tt := range tests {
		if got := progressLine("npm", tt.done, tt.total); got != tt.want {
			t.Errorf("progressLine(%d, %d) =\n%q, want\n%q", tt.done, tt.total, got, tt.want)
		}
	}
}
