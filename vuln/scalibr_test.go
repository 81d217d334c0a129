package vuln

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/osv-scalibr/enricher/vulnmatch/osvlocal"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/purl"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/sbom"
)

// TestExtractorPackage checks that the osv-scalibr package built for each
// ecosystem has that ecosystem, so that its version order is used.
func TestExtractorPackage(t *testing.T) {
	tests := []struct{ eco, name, version, want string }{
		{"npm", "@types/node", "18.0.0", "npm"},
		{"PyPI", "pyyaml", "6.0", "PyPI"},
		{"Go", "stdlib", "1.26.8", "Go"},
		{"Go", "github.com/BurntSushi/toml", "1.2.0", "Go"},
		{"Maven", "com.google.guava:guava", "32.0.0-android", "Maven"},
		{"crates.io", "smallvec", "1.0.0", "crates.io"},
		{"RubyGems", "rack", "2.0.0", "RubyGems"},
		{"NuGet", "Newtonsoft.Json", "12.0.1", "NuGet"},
		{"Packagist", "symfony/http-kernel", "5.4.0", "Packagist"},
		{"Pub", "http", "0.13.0", "Pub"},
		{"Hex", "plug", "1.0.0", "Hex"},
		{"Debian:12", "openssl", "3.0.11-1~deb12u1", "Debian:12"},
		{"Debian", "openssl", "3.0.11-1~deb12u1", "Debian"},
		{"Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1", "Ubuntu"},
		{"Alpine:v3.19", "openssl", "3.1.4-r5", "Alpine:v3.19"},
	}
	for _, tt := range tests {
		t.Run(tt.eco, func(t *testing.T) {
			tg, err := newTarget(sbom.Key{Ecosystem: tt.eco, Name: tt.name, Version: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			got := tg.pkg.Ecosystem().String()
			if tt.eco == "Ubuntu:22.04:LTS" {
				got = string(tg.pkg.Ecosystem().Ecosystem) // the suffix is matched by fnaudit
			}
			if got != tt.want {
				t.Errorf("ecosystem %q, want %q", got, tt.want)
			}
			// osv-scalibr must see the name fnaudit compares.
			v := &osvpb.Vulnerability{Id: "X-1", Affected: []*osvpb.Affected{{
				Package:  &osvpb.Package{Ecosystem: tg.pkg.Ecosystem().String(), Name: tg.name},
				Versions: []string{tt.version},
			}}}
			if len(osvlocal.VulnerabilitiesAffectingPackage([]*osvpb.Vulnerability{v}, tg.pkg)) != 1 {
				t.Errorf("osv-scalibr does not match %s %s@%s by its own name", tt.eco, tg.name, tt.version)
			}
		})
	}
}

// TestScalibrGitRangeFirst shows an osv-scalibr v0.5.3 case that fnaudit
// handles on top: the range walk stops at the first range that is neither
// ECOSYSTEM nor SEMVER, so a PyPI entry with a GIT range before its
// ECOSYSTEM range only matches through its versions list. PYSEC-2021-333
// (sqlparse >= 0.4.0, < 0.4.2) lists the GIT range first; 0.4.1.post1 is in
// the range but not in the list.
func TestScalibrGitRangeFirst(t *testing.T) {
	v, err := DecodeRecord(realRecord(t, "PyPI", "PYSEC-2021-333"))
	if err != nil {
		t.Fatal(err)
	}
	if v.GetAffected()[0].GetRanges()[0].GetType() != osvpb.Range_GIT {
		t.Fatal("PYSEC-2021-333 no longer lists a GIT range first")
	}
	pkg := &extractor.Package{Name: "sqlparse", Version: "0.4.1.post1", PURLType: purl.TypePyPi}
	if got := osvlocal.VulnerabilitiesAffectingPackage([]*osvpb.Vulnerability{v}, pkg); len(got) != 0 {
		t.Error("osv-scalibr now evaluates ranges after a GIT range; the single-range workaround in affects can go")
	}
	got, _ := matchOne(t, openTestDB(t), "PyPI", "sqlparse", "0.4.1.post1")
	if len(got) == 0 || got[0].ID != "PYSEC-2021-333" {
		t.Errorf("fnaudit findings %v, want PYSEC-2021-333 first", findingIDs(got))
	}
}

// TestScalibrMixedCaseGoName shows why fnaudit passes osv-scalibr a package
// URL without namespace: built from PURLType alone, osv-scalibr lower-cases
// the Go namespace and then prefixes it to the mixed-case name
// ("github.com/burntsushi/github.com/BurntSushi/toml"), so the record for the
// module never matches.
func TestScalibrMixedCaseGoName(t *testing.T) {
	rec := []byte(`{"id": "GO-0000-0001", "affected": [{"package": {"ecosystem": "Go", "name": "github.com/BurntSushi/toml"},
	  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]}`)
	v, err := DecodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	plain := &extractor.Package{Name: "github.com/BurntSushi/toml", Version: "1.2.0", PURLType: purl.TypeGolang}
	if got := osvlocal.VulnerabilitiesAffectingPackage([]*osvpb.Vulnerability{v}, plain); len(got) != 0 {
		t.Error("osv-scalibr now matches mixed-case Go module paths built from PURLType; extractorPackage may simplify")
	}
	dir := t.TempDir()
	writeZip(t, filepath.Join(dir, "Go", zipName), map[string][]byte{"GO-0000-0001.json": rec})
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := matchOne(t, db, "Go", "github.com/BurntSushi/toml", "1.2.0")
	if diff := cmp.Diff([]string{"GO-0000-0001"}, findingIDs(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestScalibrEventsNotMutated checks that matching leaves the shared decoded
// records untouched: osv-scalibr sorts a range's events in place, and
// GHSA-r683-j2x4-v87g (node-fetch) lists "introduced 3.0.0" before
// "fixed 1.0.0".
func TestScalibrEventsNotMutated(t *testing.T) {
	db := openTestDB(t)
	got, _ := matchOne(t, db, "npm", "node-fetch", "3.0.0")
	if diff := cmp.Diff([]string{"GHSA-r683-j2x4-v87g"}, findingIDs(got)); diff != "" {
		t.Errorf("by OSV event order node-fetch 3.0.0 is affected (-want +got):\n%s", diff)
	}
	d, err := db.load(context.Background(), "npm")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := d.records(d.byName["node-fetch"])
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range recs {
		if v.GetId() != "GHSA-r683-j2x4-v87g" {
			continue
		}
		if got := v.GetAffected()[0].GetRanges()[0].GetEvents()[0].GetIntroduced(); got != "3.0.0" {
			t.Errorf("first event introduced %q, want the source order (3.0.0)", got)
		}
		return
	}
	t.Error("GHSA-r683-j2x4-v87g not decoded")
}
