package vuln

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/sbom"
)

// sharedManagedDB copies the shared database into a temp dir that fnaudit
// manages (a MetaDir: indexes are kept).
func sharedManagedDB(b *testing.B) string {
	b.Helper()
	shared := filepath.Join(requireShared(b), "osvdb")
	dir := b.TempDir()
	for _, eco := range sharedEcosystems {
		copyFile(b, filepath.Join(shared, eco, zipName), filepath.Join(dir, eco, zipName))
	}
	if err := os.MkdirAll(filepath.Join(dir, MetaDir), 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// allCorpusPackages returns every row of the dev corpus, Debian included
// (the database has no Debian archive: those become warnings).
func allCorpusPackages(b *testing.B) []sbom.Package {
	var out []sbom.Package
	for _, r := range readTSV(b, filepath.Join(requireShared(b), "corpus", "EXPECTED.tsv")) {
		out = append(out, sbom.Package{Ecosystem: r["ecosystem"], Name: r["package"], Version: r["version"], Location: r["location"]})
	}
	return out
}

// openMatch opens dir, matches pkgs and closes the database.
func openMatch(b *testing.B, dir string, pkgs []sbom.Package) {
	db, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := db.Match(context.Background(), pkgs); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDBOpenMatchWarmIndex: a scan's database part with warm indexes:
// Open, Match every package of the dev corpus, Close. Target: 200 ms.
func BenchmarkDBOpenMatchWarmIndex(b *testing.B) {
	dir := sharedManagedDB(b)
	pkgs := allCorpusPackages(b)
	openMatch(b, dir, pkgs) // builds the indexes
	b.ReportAllocs()
	for b.Loop() {
		openMatch(b, dir, pkgs)
	}
}

// BenchmarkDBOpenMatchNoIndex is the same on a database fnaudit does not
// manage: every archive used is pre-scanned in memory each time.
func BenchmarkDBOpenMatchNoIndex(b *testing.B) {
	dir := sharedManagedDB(b)
	os.Remove(filepath.Join(dir, MetaDir))
	pkgs := allCorpusPackages(b)
	b.ReportAllocs()
	for b.Loop() {
		openMatch(b, dir, pkgs)
	}
}

// BenchmarkDBIndexBuild builds the indexes of the whole shared database
// (what `fnaudit db update` does after a download). Target: 5 s.
func BenchmarkDBIndexBuild(b *testing.B) {
	dir := sharedManagedDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := os.RemoveAll(filepath.Join(dir, MetaDir, "index")); err != nil {
			b.Fatal(err)
		}
		db, err := Open(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		st, err := db.Status(context.Background())
		if err != nil || len(st) != len(sharedEcosystems) {
			b.Fatalf("status %d ecosystems, %v", len(st), err)
		}
		db.Close()
	}
}
