package vuln

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/internal/testfs"
	"github.com/fnaudit/fnaudit/sbom"
)

// testDB is the trimmed real OSV subset kept with the repository.
const testDB = "../testdata/osvdb"

// openTestDB opens testDB.
func openTestDB(t testing.TB, opts ...Option) *DB {
	t.Helper()
	db, err := Open(context.Background(), testDB, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// matchOne matches a single package and fails the test on error.
func matchOne(t testing.TB, db *DB, eco, name, version string) ([]Finding, []Warning) {
	t.Helper()
	f, w, err := db.Match(context.Background(), []sbom.Package{{Ecosystem: eco, Name: name, Version: version, Artifact: "code"}})
	if err != nil {
		t.Fatal(err)
	}
	return f, w
}

// findingIDs returns the IDs of findings, in order.
func findingIDs(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// realRecord returns the raw JSON of record id from the testdata zip of eco.
func realRecord(t testing.TB, eco, id string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join(testDB, eco, zipName))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == id+".json" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("record %s not in %s testdata", id, eco)
	return nil
}

// editRecord decodes raw JSON into a generic map, lets edit change it, and
// encodes it again.
func editRecord(t testing.TB, raw []byte, edit func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeZip writes records (file name to bytes) as a zip at path.
func writeZip(t testing.TB, path string, records map[string][]byte) {
	t.Helper()
	testfs.WriteZip(t, path, records)
}

// copyFile copies the file at from to to, creating to's directory.
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
