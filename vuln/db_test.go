package vuln

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	scalibrlog "github.com/google/osv-scalibr/log"

	"github.com/fnaudit/fnaudit/sbom"
)

// TestOpenLayouts checks each accepted layout, and which wins when several
// hold the same ecosystem.
func TestOpenLayouts(t *testing.T) {
	npmZip := filepath.Join(testDB, "npm", zipName)
	tests := []struct {
		name    string
		put     []string // folders (relative to the db dir) to copy npm/all.zip into
		wantZip string   // folder of the archive used
	}{
		{"OSV bucket layout", []string{"npm"}, "npm"},
		{"osv-scanner 2.x cache", []string{"osv-scalibr/npm"}, "osv-scalibr/npm"},
		{"older osv-scanner cache", []string{"osv-scanner/npm"}, "osv-scanner/npm"},
		{"bucket layout wins", []string{"osv-scanner/npm", "npm", "osv-scalibr/npm"}, "npm"},
		{"osv-scalibr wins over osv-scanner", []string{"osv-scanner/npm", "osv-scalibr/npm"}, "osv-scalibr/npm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, p := range tt.put {
				copyFile(t, npmZip, filepath.Join(dir, p, zipName))
			}
			db, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := matchOne(t, db, "npm", "lodash", "4.17.20")
			if diff := cmp.Diff([]string{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm"}, findingIDs(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			infos := db.Ecosystems()
			if len(infos) != 1 || infos[0].Path != filepath.Join(dir, tt.wantZip, zipName) {
				t.Errorf("Ecosystems() = %+v, want the archive in %s", infos, tt.wantZip)
			}
		})
	}
}

// TestOpenErrors checks that Open names the directory and says how to get a
// database.
func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	noZip := t.TempDir()
	if err := os.MkdirAll(filepath.Join(noZip, "npm"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{
		"missing": filepath.Join(empty, "nope"), "empty": empty, "folder without zip": noZip, "file": file,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(context.Background(), dir)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			for _, want := range []string{dir, "fnaudit db update", "osv-scanner offline cache"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestMatchCorruptZip checks that a present but unreadable archive is an
// error naming it, while other ecosystems still open.
func TestMatchCorruptZip(t *testing.T) {
	tests := map[string]func(t *testing.T, path string){
		"not a zip": func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("this is not a zip"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"truncated": func(t *testing.T, path string) {
			b, err := os.ReadFile(filepath.Join(testDB, "npm", zipName))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"damaged entry data": func(t *testing.T, path string) {
			b, err := os.ReadFile(filepath.Join(testDB, "npm", zipName))
			if err != nil {
				t.Fatal(err)
			}
			for i := 200; i < 400; i++ { // inside the first entry's deflate data
				b[i] ^= 0x5a
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, corrupt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "npm", zipName)
			copyFile(t, filepath.Join(testDB, "npm", zipName), path)
			copyFile(t, filepath.Join(testDB, "Go", zipName), filepath.Join(dir, "Go", zipName))
			corrupt(t, path)
			db, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = db.Match(context.Background(), []sbom.Package{{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"}})
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("Match error = %v, want one naming %s", err, path)
			}
			if got, _ := matchOne(t, db, "Go", "golang.org/x/text", "0.3.5"); len(got) != 3 {
				t.Errorf("Go findings %v, want 3", findingIDs(got))
			}
		})
	}
}

// TestMatchUndecodable checks that broken records are warnings naming the
// archive and the entry, and are not counted as records.
func TestMatchUndecodable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "npm", zipName)
	writeZip(t, path, map[string][]byte{
		"GHSA-35jh-r3h4-6jhm.json": realRecord(t, "npm", "GHSA-35jh-r3h4-6jhm"),
		"BAD-1.json":               []byte(`{"id": "BAD-1", "affected": [`),
		"BAD-2.json": []byte(`{"id": "BAD-2", "summary": 42, "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
			"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`),
		"README.txt": []byte("not a record"),
	})
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, warnings := matchOne(t, db, "npm", "lodash", "4.17.15")
	if diff := cmp.Diff([]string{"GHSA-35jh-r3h4-6jhm"}, findingIDs(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings = %v, want one", warnings)
	}
	w := warnings[0].String()
	for _, want := range []string{filepath.Join("npm", zipName) + ": 2 records could not be decoded", "BAD-1.json: ", "BAD-2.json: "} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q does not contain %q", w, want)
		}
	}
	if info := db.Ecosystems()[0]; info.Records != 1 || info.Undecodable != 2 {
		t.Errorf("Records %d Undecodable %d, want 1 and 2", info.Records, info.Undecodable)
	}
}

// TestMatchWithdrawn checks that a withdrawn record is never reported.
func TestMatchWithdrawn(t *testing.T) {
	dir := t.TempDir()
	raw := realRecord(t, "npm", "GHSA-35jh-r3h4-6jhm")
	writeZip(t, filepath.Join(dir, "npm", zipName), map[string][]byte{
		"GHSA-35jh-r3h4-6jhm.json": editRecord(t, raw, func(m map[string]any) { m["withdrawn"] = "2024-01-02T03:04:05Z" }),
		"GHSA-29mw-wpgm-hmr9.json": realRecord(t, "npm", "GHSA-29mw-wpgm-hmr9"),
	})
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := matchOne(t, db, "npm", "lodash", "4.17.15")
	if diff := cmp.Diff([]string{"GHSA-29mw-wpgm-hmr9"}, findingIDs(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r := db.Ecosystems()[0].Records; r != 2 {
		t.Errorf("Records = %d, want 2 (withdrawn records are records)", r)
	}
}

// TestEcosystemInfo checks record counts, newest modified, the placeholder
// and future dates, and the digest.
func TestEcosystemInfo(t *testing.T) {
	dir := t.TempDir()
	raw := realRecord(t, "npm", "GHSA-35jh-r3h4-6jhm")
	writeZip(t, filepath.Join(dir, "npm", zipName), map[string][]byte{
		"A.json": editRecord(t, raw, func(m map[string]any) { m["id"], m["modified"] = "A", "2024-05-01T10:00:00.123456Z" }),
		"B.json": editRecord(t, raw, func(m map[string]any) { m["id"], m["modified"] = "B", "2027-07-09T15:54:00Z" }),
		"C.json": editRecord(t, raw, func(m map[string]any) { m["id"], m["modified"] = "C", "0001-01-01T00:00:00Z" }),
		"D.json": editRecord(t, raw, func(m map[string]any) { m["id"], m["modified"] = "D", "2024-05-02 08:00:00" }),
	})
	now := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	db, err := Open(context.Background(), dir, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	matchOne(t, db, "npm", "lodash", "4.17.15")
	b, err := os.ReadFile(filepath.Join(dir, "npm", zipName))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	want := []EcosystemInfo{{
		Name: "npm", Records: 4,
		Modified:       time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC),
		FutureModified: []RecordTime{{ID: "B", Time: time.Date(2027, 7, 9, 15, 54, 0, 0, time.UTC)}},
		Path:           filepath.Join(dir, "npm", zipName),
		SHA256:         hex.EncodeToString(sum[:]),
	}}
	if diff := cmp.Diff(want, db.Ecosystems()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEcosystemInfoGoPlaceholder checks that golang/vulndb's 0001-01-01
// modified dates give no Modified at all.
func TestEcosystemInfoGoPlaceholder(t *testing.T) {
	db := openTestDB(t)
	matchOne(t, db, "Go", "stdlib", "1.26.0")
	infos := db.Ecosystems()
	if len(infos) != 1 || infos[0].Name != "Go" || !infos[0].Modified.IsZero() || infos[0].Records != 50 {
		t.Errorf("Ecosystems() = %+v, want Go with 50 records and no Modified", infos)
	}
}

// TestMatchDebianSuffix checks that "Debian:12" matches entries for
// Debian:12 only, with Debian version order, from Debian/all.zip.
func TestMatchDebianSuffix(t *testing.T) {
	dir := t.TempDir()
	rec := []byte(`{"id": "DSA-0000-1", "modified": "2024-01-01T00:00:00Z", "affected": [
	  {"package": {"ecosystem": "Debian:11", "name": "openssl"},
	   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1w-0+deb11u2"}]}]},
	  {"package": {"ecosystem": "Debian:12", "name": "openssl"},
	   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}]}`)
	writeZip(t, filepath.Join(dir, "Debian", zipName), map[string][]byte{"DSA-0000-1.json": rec})
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		eco, version string
		want         []string
	}{
		{"Debian:12", "3.0.11-1~deb12u1", []string{"3.0.11-1~deb12u2"}},
		{"Debian:12", "3.0.11-1~deb12u2", nil},
		{"Debian:12", "3.0.11-1", nil}, // ~ sorts before the empty string
		{"Debian:11", "1.1.1n-0+deb11u5", []string{"1.1.1w-0+deb11u2"}},
		{"Debian:10", "1.1.1n-0+deb10u1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.version, func(t *testing.T) {
			got, warnings := matchOne(t, db, tt.eco, "openssl", tt.version)
			if len(warnings) > 0 {
				t.Errorf("warnings %v", warnings)
			}
			var fixed []string
			for _, f := range got {
				fixed = append(fixed, f.Fixed...)
			}
			if diff := cmp.Diff(tt.want, fixed); diff != "" {
				t.Errorf("fixed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMatchAliasMerge checks that records whose IDs and aliases intersect,
// transitively, are one finding with a GHSA primary ID and the highest
// severity.
func TestMatchAliasMerge(t *testing.T) {
	rec := func(id, aliases, severity string) []byte {
		return []byte(`{"id": "` + id + `", "aliases": [` + aliases + `], "summary": "summary of ` + id + `",
		  "database_specific": {"severity": "` + severity + `"},
		  "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"},
		    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}`)
	}
	dir := t.TempDir()
	writeZip(t, filepath.Join(dir, "PyPI", zipName), map[string][]byte{
		"PYSEC-1.json":             rec("PYSEC-1", `"CVE-1"`, "LOW"),
		"GHSA-zzzz-zzzz-zzzz.json": rec("GHSA-zzzz-zzzz-zzzz", `"CVE-1", "CVE-1"`, "MODERATE"),
		"OSV-1.json":               rec("OSV-1", `"PYSEC-1"`, "CRITICAL"), // joins through PYSEC-1
		"PYSEC-2.json":             rec("PYSEC-2", `"CVE-2"`, "HIGH"),
		"PYSEC-3.json":             rec("PYSEC-3", `"CVE-2"`, "LOW"),
		"PYSEC-4.json":             rec("PYSEC-4", ``, "LOW"),
	})
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := matchOne(t, db, "PyPI", "Demo", "1.0")
	type short struct {
		ID       string
		Aliases  []string
		Severity Severity
		Summary  string
	}
	var gotShort []short
	for _, f := range got {
		gotShort = append(gotShort, short{f.ID, f.Aliases, f.Severity, f.Summary})
	}
	want := []short{
		{"GHSA-zzzz-zzzz-zzzz", []string{"CVE-1", "OSV-1", "PYSEC-1"}, SeverityCritical, "summary of GHSA-zzzz-zzzz-zzzz"},
		{"PYSEC-2", []string{"CVE-2", "PYSEC-3"}, SeverityHigh, "summary of PYSEC-2"},
		{"PYSEC-4", []string{}, SeverityLow, "summary of PYSEC-4"},
	}
	if diff := cmp.Diff(want, gotShort); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDecodeRepair checks that records protojson rejects for a fixable
// reason are repaired, and others are not.
func TestDecodeRepair(t *testing.T) {
	tests := []struct {
		name          string
		json          string
		wantPublished time.Time
		wantErr       bool
	}{
		{"YAML-style timestamp", `{"id": "X-1", "published": "2021-07-22 10:11:12"}`, time.Date(2021, 7, 22, 10, 11, 12, 0, time.UTC), false},
		{"date only", `{"id": "X-1", "published": "2021-07-22"}`, time.Date(2021, 7, 22, 0, 0, 0, 0, time.UTC), false},
		{"offset", `{"id": "X-1", "published": "2021-07-22T10:11:12+02:00"}`, time.Date(2021, 7, 22, 8, 11, 12, 0, time.UTC), false},
		{"null field", `{"id": "X-1", "published": "2021-07-22T10:11:12Z", "severity": null, "database_specific": {"a": null}}`, time.Date(2021, 7, 22, 10, 11, 12, 0, time.UTC), false},
		{"unknown fields and blank-line arrays", "{\"id\": \"X-1\", \"new_field\": {\"x\": 1}, \"aliases\": [\n\n  ], \"published\": \"2021-07-22T10:11:12.5Z\"}", time.Date(2021, 7, 22, 10, 11, 12, 500000000, time.UTC), false},
		{"not a timestamp", `{"id": "X-1", "published": "yesterday"}`, time.Time{}, true},
		{"wrong type", `{"id": "X-1", "aliases": "CVE-1"}`, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := DecodeRecord([]byte(tt.json))
			if (err != nil) != tt.wantErr {
				t.Fatalf("DecodeRecord error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !v.GetPublished().AsTime().Equal(tt.wantPublished) {
				t.Errorf("published = %v, want %v", v.GetPublished().AsTime(), tt.wantPublished)
			}
		})
	}
}

// TestScalibrLogRouted checks that osv-scalibr's process-wide logger writes
// to the logger given to Open, not to stderr.
func TestScalibrLogRouted(t *testing.T) {
	var buf strings.Builder
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	openTestDB(t, WithLogger(l))
	scalibrlog.Infof("hello %s", "fnaudit")
	scalibrlog.Debug("debug", 1)
	if got := buf.String(); !strings.Contains(got, "hello fnaudit") || !strings.Contains(got, "debug1") || !strings.Contains(got, "source=osv-scalibr") {
		t.Errorf("log output %q", got)
	}
	openTestDB(t) // back to discarding
	buf.Reset()
	scalibrlog.Infof("dropped")
	if buf.Len() != 0 {
		t.Errorf("log output %q after Open without logger", buf.String())
	}
}

// TestFindingJSON checks the field names of the report contract.
func TestFindingJSON(t *testing.T) {
	got, _ := matchOne(t, openTestDB(t), "Go", "github.com/golang-jwt/jwt", "3.2.0+incompatible")
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"aliases", "artifact", "cvss", "ecosystem", "fixed", "id", "package", "references", "severity", "summary", "version"}
	if diff := cmp.Diff(want, slices.Sorted(maps.Keys(m))); diff != "" {
		t.Errorf("JSON keys (-want +got):\n%s\n%s", diff, b)
	}
	if !strings.Contains(string(b), `"fixed":[]`) || !strings.Contains(string(b), `"severity":"unknown"`) {
		t.Errorf("JSON %s", b)
	}
}
