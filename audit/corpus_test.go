package audit

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/sharedtest"
	"github.com/fnaudit/fnaudit/reports"
)

// pkgKey identifies a package across EXPECTED.tsv, PEER-FINDINGS.tsv and
// fnaudit's report; PyPI names are compared in PEP 503 form.
type pkgKey struct{ eco, name, version string }

var pep503 = regexp.MustCompile(`[-_.]+`)

func keyOf(eco, name, version string) pkgKey {
	if eco == "PyPI" {
		name = strings.ToLower(pep503.ReplaceAllString(name, "-"))
	}
	return pkgKey{eco, name, version}
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if !first && sc.Text() != "" {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// expectedByZip groups EXPECTED.tsv's packages by the zip whose location
// they are in ("orders-api/.serverless/createOrder.zip!/..."), with the
// location inside the zip.
func expectedByZip(t *testing.T, corpus string) map[string]map[pkgKey]string {
	out := map[string]map[pkgKey]string{}
	for _, row := range readTSV(t, filepath.Join(corpus, "EXPECTED.tsv")) {
		zipPath, inner, ok := strings.Cut(row[5], "!/")
		if !ok || !strings.HasSuffix(zipPath, ".zip") {
			continue // folders and images are audited through their manifests
		}
		if out[zipPath] == nil {
			out[zipPath] = map[pkgKey]string{}
		}
		out[zipPath][keyOf(row[2], row[3], row[4])] = inner
	}
	return out
}

// peerAdvisories is osv-scanner 2.6.0's verdict per package.
func peerAdvisories(t *testing.T, corpus string) map[pkgKey][]string {
	out := map[pkgKey][]string{}
	for _, row := range readTSV(t, filepath.Join(corpus, "PEER-FINDINGS.tsv")) {
		k := keyOf(row[2], row[3], row[4])
		if !slices.Contains(out[k], row[5]) {
			out[k] = append(out[k], row[5])
		}
	}
	return out
}

// TestCorpusZips scans every function and layer zip of the corpus on its
// own, as `fnaudit scan X.zip` does, and checks that fnaudit finds exactly
// the packages EXPECTED.tsv lists for that zip (no more, no fewer, at the
// same location) and exactly the advisories osv-scanner 2.6.0 reports for
// them on the same database.
func TestCorpusZips(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	db := sharedtest.Dir(t, "osvdb")
	expected := expectedByZip(t, corpus)
	peer := peerAdvisories(t, corpus)
	if len(expected) < 15 {
		t.Fatalf("only %d zips in EXPECTED.tsv: corpus layout changed?", len(expected))
	}
	cfg := DefaultConfig()
	cfg.DBDir = db
	for _, zipPath := range sortedZipPaths(expected) {
		t.Run(zipPath, func(t *testing.T) {
			r, err := Run(context.Background(), cfg, filepath.Join(corpus, zipPath))
			if err != nil {
				t.Fatal(err)
			}
			fn := r.Functions[0]
			if fn.Status != reports.StatusOK {
				t.Fatalf("status %s: %v", fn.Status, fn.Errors)
			}
			checkPackages(t, expected[zipPath], fn)
			checkAdvisories(t, expected[zipPath], peer, fn)
		})
	}
}

func sortedZipPaths(m map[string]map[pkgKey]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func checkPackages(t *testing.T, want map[pkgKey]string, fn reports.Function) {
	t.Helper()
	got := map[pkgKey]string{}
	for _, p := range fn.Packages {
		k := keyOf(p.Ecosystem, p.Name, p.Version)
		if _, dup := got[k]; dup {
			t.Errorf("package %v reported twice", k)
		}
		got[k] = p.Location
	}
	for k, loc := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("missing package %s %s %s (at %s)", k.eco, k.name, k.version, loc)
		case g != loc:
			t.Errorf("package %s %s %s at %q, want %q", k.eco, k.name, k.version, g, loc)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected package %s %s %s at %s", k.eco, k.name, k.version, got[k])
		}
	}
}

func checkAdvisories[V any](t *testing.T, pkgs map[pkgKey]V, peer map[pkgKey][]string, fn reports.Function) {
	t.Helper()
	ids := map[pkgKey][][]string{} // per package, each finding's ID and aliases
	for _, f := range fn.Findings {
		k := keyOf(f.Ecosystem, f.Package, f.Version)
		ids[k] = append(ids[k], append([]string{f.ID}, f.Aliases...))
	}
	for k := range pkgs {
		for _, want := range peer[k] {
			if !slices.ContainsFunc(ids[k], func(group []string) bool { return slices.Contains(group, want) }) {
				t.Errorf("%s %s %s: osv-scanner reports %s, fnaudit does not", k.eco, k.name, k.version, want)
			}
		}
		for _, group := range ids[k] {
			if !slices.ContainsFunc(peer[k], func(id string) bool { return slices.Contains(group, id) }) {
				t.Errorf("%s %s %s: fnaudit reports %s, osv-scanner does not", k.eco, k.name, k.version, group[0])
			}
		}
	}
}
