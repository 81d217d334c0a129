package dbupdate

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/vuln"
)

// feed writes an internal advisory feed as a folder: a new npm record, a
// replacement of a real lodash record, a record naming npm and Debian:12,
// in nested folders, and a file that is not JSON.
func feed(t *testing.T, npmZip string) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	lodash := readZip(t, npmZip)["GHSA-35jh-r3h4-6jhm.json"]
	replaced := bytes.Replace(lodash, []byte(`"summary": "`), []byte(`"summary": "REVIEWED: `), 1)
	if bytes.Equal(replaced, lodash) {
		t.Fatal("the lodash record has no summary to change")
	}
	writeFile(t, filepath.Join(dir, "2026", "FNA-2026-0001.json"), osvRecord("FNA-2026-0001", "npm", "left-pad", "1.3.1"))
	writeFile(t, filepath.Join(dir, "2026", "GHSA-35jh-r3h4-6jhm.json"), replaced)
	writeFile(t, filepath.Join(dir, "multi.json"), []byte(`{"id":"FNA-2026-0002","modified":"2026-11-01T00:00:00Z",
		"affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"versions":["1.0.0"]},
		{"package":{"ecosystem":"Debian:12","name":"left-pad"},"versions":["1.0-1"]}]}`))
	writeFile(t, filepath.Join(dir, "README.md"), []byte("not a record"))
	return dir, replaced
}

// TestImportDir merges a folder into a database: new records are added,
// same-id records replaced, a record naming two ecosystems goes into both,
// the archive is deterministic and sorted, and matching sees it all.
func TestImportDir(t *testing.T) {
	db := t.TempDir()
	copyFile(t, filepath.Join(testDB, "npm", zipName), filepath.Join(db, "npm", zipName))
	src, replaced := feed(t, filepath.Join(db, "npm", zipName))
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return now }
	results, err := Import(context.Background(), db, src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Eco                      string
		Records, Added, Replaced int
		Status                   Status
	}
	var got []row
	for _, r := range results {
		got = append(got, row{r.Ecosystem, r.Records, r.Added, r.Replaced, r.Status})
	}
	want := []row{{"Debian", 1, 1, 0, Updated}, {"npm", 65, 2, 1, Updated}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	npm := filepath.Join(db, "npm", zipName)
	if !bytes.Equal(readZip(t, npm)["GHSA-35jh-r3h4-6jhm.json"], replaced) {
		t.Error("the lodash record was not replaced")
	}
	checkDeterministic(t, npm)
	if diff := cmp.Diff([]string{"FNA-2026-0001", "FNA-2026-0002"}, matchIDs(t, db, "npm", "left-pad", "1.0.0")); diff != "" {
		t.Errorf("left-pad (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"FNA-2026-0002"}, matchIDs(t, db, "Debian:12", "left-pad", "1.0-1")); diff != "" {
		t.Errorf("Debian:12 left-pad (-want +got):\n%s", diff)
	}
	st, _ := vuln.ReadState(db)
	abs, _ := filepath.Abs(src)
	if a := st.Ecosystems["npm"]; a.Source != "import "+abs || !a.Updated.Equal(now) || a.ETag != "" || !a.Describes(npm) {
		t.Errorf("npm state %+v", a)
	}
}

// checkDeterministic checks that the archive's entries are sorted by id
// and dated 1980-01-01, with no extra fields.
func checkDeterministic(t *testing.T, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var ids []string
	for _, f := range zr.File {
		ids = append(ids, strings.TrimSuffix(f.Name, ".json"))
		if !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) || len(f.Extra) != 0 || f.Method != zip.Deflate {
			t.Errorf("%s: modified %v, extra %d bytes, method %d", f.Name, f.Modified, len(f.Extra), f.Method)
		}
	}
	if !slices.IsSorted(ids) {
		t.Errorf("entries not sorted by id: %v", ids)
	}
}

// TestImportZipDeterministic imports the same records as a zip into two
// databases: the archives are byte-identical, and equal to importing the
// folder; importing again changes nothing.
func TestImportZipDeterministic(t *testing.T) {
	npm := filepath.Join(testDB, "npm", zipName)
	src, _ := feed(t, npm)
	z := filepath.Join(t.TempDir(), "feed.zip")
	entries := map[string][]byte{}
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(src, p)
			entries[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	writeZip(t, z, entries)
	var sums []string
	for i, from := range []string{z, z, src} {
		db := t.TempDir()
		copyFile(t, npm, filepath.Join(db, "npm", zipName))
		if _, err := Import(context.Background(), db, from, DefaultConfig()); err != nil {
			t.Fatalf("import %d: %v", i, err)
		}
		b, _ := os.ReadFile(filepath.Join(db, "npm", zipName))
		sums = append(sums, sha256hex(b))
		if i == 0 {
			if _, err := Import(context.Background(), db, from, DefaultConfig()); err != nil {
				t.Fatal(err)
			}
			if again, _ := os.ReadFile(filepath.Join(db, "npm", zipName)); sha256hex(again) != sums[0] {
				t.Error("importing the same records twice changed the archive")
			}
		}
	}
	if sums[0] != sums[1] || sums[0] != sums[2] {
		t.Errorf("archives differ: %v", sums)
	}
}

// TestImportEcosystemFilter imports only the records of one ecosystem.
func TestImportEcosystemFilter(t *testing.T) {
	db := t.TempDir()
	copyFile(t, filepath.Join(testDB, "npm", zipName), filepath.Join(db, "npm", zipName))
	before := snapshot(t, db)
	src, _ := feed(t, filepath.Join(db, "npm", zipName))
	cfg := DefaultConfig()
	cfg.Ecosystems = []string{"Debian"}
	results, err := Import(context.Background(), db, src, cfg)
	if err != nil || len(results) != 1 || results[0].Ecosystem != "Debian" || results[0].Added != 1 {
		t.Fatalf("Import = %+v, %v", results, err)
	}
	if snapshot(t, db)["npm/all.zip"] != before["npm/all.zip"] {
		t.Error("npm changed although only Debian was asked for")
	}
	cfg.Ecosystems = []string{"PyPI"}
	if _, err := Import(context.Background(), db, src, cfg); !errors.Is(err, ErrInvalidRecords) {
		t.Errorf("no PyPI record: %v, want ErrInvalidRecords", err)
	}
}

// TestImportInvalid: any invalid record stops the import before anything
// changes, and the error names the file.
func TestImportInvalid(t *testing.T) {
	tests := map[string]struct {
		file, data, want string
	}{
		"not JSON":          {"bad.json", `{`, "bad.json: not an OSV record"},
		"no id":             {"noid.json", `{"affected":[{"package":{"ecosystem":"npm","name":"a"}}]}`, "record has no id"},
		"id not a filename": {"slash.json", `{"id":"A/B","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}`, `id "A/B" cannot name a file`},
		"no affected":       {"none.json", `{"id":"A-1"}`, "no affected[] entry"},
		"no ecosystem":      {"noeco.json", `{"id":"A-2","affected":[{"package":{"name":"a"}}]}`, "affected[0].package.ecosystem is missing"},
		"bad ecosystem":     {"dots.json", `{"id":"A-3","affected":[{"package":{"ecosystem":"../x","name":"a"}}]}`, `ecosystem name "../x" is not valid`},
		"duplicate id":      {"dup.json", string(osvRecord("FNA-2026-0001", "npm", "x", "1")), "record FNA-2026-0001 is also in"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			db := t.TempDir()
			copyFile(t, filepath.Join(testDB, "npm", zipName), filepath.Join(db, "npm", zipName))
			before := snapshot(t, db)
			src, _ := feed(t, filepath.Join(db, "npm", zipName))
			writeFile(t, filepath.Join(src, tt.file), []byte(tt.data))
			_, err := Import(context.Background(), db, src, DefaultConfig())
			if !errors.Is(err, ErrInvalidRecords) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %v, want ErrInvalidRecords naming %s with %q", err, tt.file, tt.want)
			}
			assertSnapshot(t, db, before)
		})
	}
}

// TestImportSources: a missing path, a file that is not a zip, an empty
// folder.
func TestImportSources(t *testing.T) {
	db := t.TempDir()
	notZip := filepath.Join(t.TempDir(), "x.zip")
	writeFile(t, notZip, []byte("nope"))
	for path, want := range map[string]string{
		filepath.Join(db, "missing"): "no such file",
		notZip:                       "not a folder or a readable zip",
		t.TempDir():                  "holds no *.json record",
	} {
		if _, err := Import(context.Background(), db, path, DefaultConfig()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Import(%s) = %v, want %q", path, err, want)
		}
	}
	if left, _ := os.ReadDir(db); len(left) != 0 {
		t.Errorf("failed imports wrote %d files", len(left))
	}
}
