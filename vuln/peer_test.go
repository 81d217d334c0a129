package vuln

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"

	"github.com/fnaudit/fnaudit/sbom"
)

// sharedDir is the project's shared data, beside the repository.
const sharedDir = "../../shared"

// requireShared returns the shared directory, skipping the test when it is
// absent unless FNAUDIT_REQUIRE_SHARED=1.
func requireShared(tb testing.TB) string {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(sharedDir, "osvdb")); err != nil {
		if os.Getenv("FNAUDIT_REQUIRE_SHARED") == "1" {
			tb.Fatalf("shared data required (FNAUDIT_REQUIRE_SHARED=1) but %s/osvdb is missing: %v", sharedDir, err)
		}
		tb.Skipf("shared data not found at %s/osvdb (the shared/ folder beside the repository); skipping", sharedDir)
	}
	return sharedDir
}

// readTSV reads a tab-separated file with a header row into maps.
func readTSV(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// peerKey is one (app, function, ecosystem, package, version, advisory).
type peerKey struct{ App, Function, Ecosystem, Package, Version, ID string }

// fnKey names one function of the corpus.
type fnKey struct{ app, function string }

// corpusPackages reads each function's packages from EXPECTED.tsv, Debian
// rows left out (the database has no Debian records).
func corpusPackages(t *testing.T, shared string) ([]fnKey, map[fnKey][]sbom.Package) {
	t.Helper()
	var fns []fnKey
	pkgs := map[fnKey][]sbom.Package{}
	for _, r := range readTSV(t, filepath.Join(shared, "corpus", "EXPECTED.tsv")) {
		if strings.HasPrefix(r["ecosystem"], "Debian") {
			continue
		}
		k := fnKey{r["app"], r["function"]}
		if _, ok := pkgs[k]; !ok {
			fns = append(fns, k)
		}
		pkgs[k] = append(pkgs[k], sbom.Package{Ecosystem: r["ecosystem"], Name: r["package"],
			Version: r["version"], Location: r["location"]})
	}
	return fns, pkgs
}

// TestPeerAgreement matches every function of the dev corpus against the
// shared database and compares with osv-scanner 2.6.0's verdict
// (PEER-FINDINGS.tsv). A peer row is matched by a finding whose ID or one of
// whose aliases is the row's id.
func TestPeerAgreement(t *testing.T) {
	shared := requireShared(t)
	db, err := Open(t.Context(), filepath.Join(shared, "osvdb"))
	if err != nil {
		t.Fatal(err)
	}
	fns, pkgs := corpusPackages(t, shared)
	// byPkg indexes the findings by function and package; matched marks
	// the findings a peer row named.
	type pkgKey struct {
		fn                 fnKey
		eco, name, version string
	}
	byPkg := map[pkgKey][]Finding{}
	matched := map[peerKey]bool{}
	for _, k := range fns {
		findings, warnings, err := db.Match(context.Background(), pkgs[k])
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) > 0 {
			t.Errorf("%s/%s: warnings %v", k.app, k.function, warnings)
		}
		for _, f := range findings {
			pk := pkgKey{k, f.Ecosystem, peerName(f.Ecosystem, f.Package), f.Version}
			byPkg[pk] = append(byPkg[pk], f)
		}
	}
	var missing []peerKey
	for _, r := range readTSV(t, filepath.Join(shared, "corpus", "PEER-FINDINGS.tsv")) {
		pk := pkgKey{fnKey{r["app"], r["function"]}, r["ecosystem"], peerName(r["ecosystem"], r["package"]), r["version"]}
		i := slices.IndexFunc(byPkg[pk], func(f Finding) bool { return f.ID == r["id"] || slices.Contains(f.Aliases, r["id"]) })
		if i < 0 {
			missing = append(missing, peerKey{pk.fn.app, pk.fn.function, pk.eco, pk.name, pk.version, r["id"]})
			continue
		}
		matched[peerKey{pk.fn.app, pk.fn.function, pk.eco, pk.name, pk.version, byPkg[pk][i].ID}] = true
	}
	var extra []peerKey
	for pk, list := range byPkg {
		for _, f := range list {
			if k := (peerKey{pk.fn.app, pk.fn.function, pk.eco, pk.name, pk.version, f.ID}); !matched[k] {
				extra = append(extra, k)
			}
		}
	}
	slices.SortFunc(extra, comparePeerKey)
	t.Logf("%d functions, %d findings matched peer rows, %d missing, %d extra", len(fns), len(matched), len(missing), len(extra))
	if diff := cmp.Diff([]peerKey(nil), missing); diff != "" {
		t.Errorf("peer findings fnaudit misses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]peerKey(nil), extra); diff != "" {
		t.Errorf("fnaudit findings the peer does not report (-want +got):\n%s", diff)
	}
}

// peerName is the name osv-scanner prints: PyPI names normalised.
func peerName(eco, name string) string {
	return normaliseName(osvconstants.Ecosystem(eco), name)
}

func comparePeerKey(a, b peerKey) int {
	return strings.Compare(strings.Join([]string{a.App, a.Function, a.Ecosystem, a.Package, a.Version, a.ID}, "\t"),
		strings.Join([]string{b.App, b.Function, b.Ecosystem, b.Package, b.Version, b.ID}, "\t"))
}
