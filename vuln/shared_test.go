package vuln

import (
	"archive/zip"
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/sbom"
)

// sharedEcosystems are the archives of the shared database.
var sharedEcosystems = []string{"Go", "Maven", "PyPI", "crates.io", "npm"}

// TestSharedDecodeAll decodes every record of the shared database in full
// and checks that Records counts them all.
func TestSharedDecodeAll(t *testing.T) {
	dir := filepath.Join(requireShared(t), "osvdb")
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, eco := range sharedEcosystems {
		t.Run(eco, func(t *testing.T) {
			path := filepath.Join(dir, eco, zipName)
			zr, err := zip.OpenReader(path)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			entries, decoded := 0, 0
			for _, f := range zr.File {
				if !strings.HasSuffix(f.Name, ".json") {
					continue
				}
				entries++
				data, err := readEntry(f)
				if err != nil {
					t.Fatal(err)
				}
				v, err := DecodeRecord(data)
				if err != nil {
					t.Errorf("%s: %v", f.Name, err)
					continue
				}
				if v.GetId()+".json" != f.Name {
					t.Errorf("%s: id %s", f.Name, v.GetId())
				}
				decoded++
			}
			if decoded != entries {
				t.Errorf("decoded %d of %d records", decoded, entries)
			}
			d, err := db.load(context.Background(), eco)
			if err != nil {
				t.Fatal(err)
			}
			// Decode every record through the index too.
			all := make([]int, len(d.entries))
			for i := range all {
				all[i] = i
			}
			if _, err := d.records(all); err != nil {
				t.Fatal(err)
			}
			if info := d.info(); info.Records != entries || info.Undecodable != 0 {
				t.Errorf("Records %d Undecodable %d, want %d and 0; problems %v", info.Records, info.Undecodable, entries, d.problems())
			}
		})
	}
}

// TestSharedEcosystemInfo checks the statistics of the shared database
// against its README and MANIFEST.tsv.
func TestSharedEcosystemInfo(t *testing.T) {
	shared := requireShared(t)
	db, err := Open(context.Background(), filepath.Join(shared, "osvdb"))
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []sbom.Package
	for _, eco := range sharedEcosystems {
		pkgs = append(pkgs, sbom.Package{Ecosystem: eco, Name: "x", Version: "1.0.0"})
	}
	if _, _, err := db.Match(context.Background(), pkgs); err != nil {
		t.Fatal(err)
	}
	type row struct{ Name, Records, SHA256, Modified, Future string }
	var got []row
	for _, e := range db.Ecosystems() {
		var future []string
		for _, f := range e.FutureModified {
			future = append(future, f.ID)
		}
		mod := ""
		if !e.Modified.IsZero() {
			mod = e.Modified.Format("2006-01-02")
		}
		got = append(got, row{e.Name, strconv.Itoa(e.Records), e.SHA256, mod, strings.Join(future, ",")})
	}
	var want []row
	for _, r := range readTSV(t, filepath.Join(shared, "osvdb", "MANIFEST.tsv")) {
		want = append(want, row{Name: r["ecosystem"], Records: r["records"], SHA256: r["sha256"]})
	}
	slices.SortFunc(want, func(a, b row) int { return strings.Compare(a.Name, b.Name) })
	dates := map[string][2]string{
		"Go":        {"", ""}, // all placeholders
		"Maven":     {"2024-10-03", ""},
		"PyPI":      {"2026-07-23", "PYSEC-2024-115,PYSEC-2025-19"}, // two 2027 typos
		"crates.io": {"2026-08-21", ""},
		"npm":       {"2024-10-04", ""},
	}
	for i := range want {
		want[i].Modified, want[i].Future = dates[want[i].Name][0], dates[want[i].Name][1]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// corpusEcosystem returns the corpus packages of one ecosystem, every
// function's packages together.
func corpusEcosystem(b *testing.B, shared, eco string) []sbom.Package {
	var out []sbom.Package
	for _, r := range readTSV(b, filepath.Join(shared, "corpus", "EXPECTED.tsv")) {
		if eco == "" && !strings.HasPrefix(r["ecosystem"], "Debian") || r["ecosystem"] == eco {
			out = append(out, sbom.Package{Ecosystem: r["ecosystem"], Name: r["package"], Version: r["version"], Location: r["location"]})
		}
	}
	return out
}

// benchmarkMatch measures Match of the corpus packages of eco ("" for all
// but Debian) on the shared database; cold opens a new DB each time, so
// that the archive is read, pre-scanned and indexed in every iteration.
func benchmarkMatch(b *testing.B, eco string, cold bool) {
	shared := requireShared(b)
	dir := filepath.Join(shared, "osvdb")
	pkgs := corpusEcosystem(b, shared, eco)
	db, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	if !cold {
		if _, _, err := db.Match(context.Background(), pkgs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if cold {
			if db, err = Open(context.Background(), dir); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := db.Match(context.Background(), pkgs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchPyPI: cold Open + Match of the corpus' PyPI packages.
func BenchmarkMatchPyPI(b *testing.B) { benchmarkMatch(b, "PyPI", true) }

// BenchmarkMatchPyPIWarm: Match on a DB that has PyPI loaded.
func BenchmarkMatchPyPIWarm(b *testing.B) { benchmarkMatch(b, "PyPI", false) }

// BenchmarkMatchGo: cold Open + Match of the corpus' Go packages.
func BenchmarkMatchGo(b *testing.B) { benchmarkMatch(b, "Go", true) }

// BenchmarkMatchAll: cold Open + Match of every non-Debian corpus package.
func BenchmarkMatchAll(b *testing.B) { benchmarkMatch(b, "", true) }

// BenchmarkMatchAllWarm: Match of every non-Debian corpus package, warm.
func BenchmarkMatchAllWarm(b *testing.B) { benchmarkMatch(b, "", false) }

// BenchmarkDecodeAllPyPI is the baseline the pre-scan avoids: protojson on
// every PyPI record.
func BenchmarkDecodeAllPyPI(b *testing.B) {
	path := filepath.Join(requireShared(b), "osvdb", "PyPI", zipName)
	b.ReportAllocs()
	for b.Loop() {
		zr, err := zip.OpenReader(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range zr.File {
			data, err := readEntry(f)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := DecodeRecord(data); err != nil {
				b.Fatal(err)
			}
		}
		zr.Close()
	}
}
