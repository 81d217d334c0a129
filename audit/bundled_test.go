package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/testfs"
	"github.com/fnaudit/fnaudit/reports"
)

// The bundles are real esbuild builds of sbom/bundled/testdata/project
// (see its README): lodash 4.17.15, axios 0.21.0, minimist 0.0.10 and
// moment 2.29.1 have advisories in testdata/osvdb.
const (
	bundledFixtures = "../sbom/bundled/testdata/fixtures"
	bundledLock     = "../sbom/bundled/testdata/project/package-lock.json"
)

// zipFixture zips a fixture folder as dir/name.zip (a function's
// deployment package) and, when lock is set, puts the build's lockfile
// beside it, where the audit looks for it.
func zipFixture(t *testing.T, fixture, name string, lock bool) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, name+".zip")
	files, _ := filepath.Glob(filepath.Join(bundledFixtures, fixture, "*"))
	testfs.ZipFiles(t, out, files...)
	if lock {
		testfs.CopyFile(t, bundledLock, filepath.Join(dir, "package-lock.json"))
	}
	return out
}

// findingIDs lists a function's findings as "package@version id".
func findingIDs(f reports.Function) []string {
	var out []string
	for _, x := range f.Findings {
		out = append(out, x.Package+"@"+x.Version+" "+x.ID)
	}
	slices.Sort(out)
	return out
}

var (
	appFindings = []string{
		"axios@0.21.0 GHSA-4w2v-q235-vp99", "axios@0.21.0 GHSA-cph5-m8f7-6c5x", "axios@0.21.0 GHSA-wf5p-g6vw-rhxx",
		"lodash@4.17.15 GHSA-29mw-wpgm-hmr9", "lodash@4.17.15 GHSA-35jh-r3h4-6jhm", "lodash@4.17.15 GHSA-p6mc-m468-83gw",
		"minimist@0.0.10 GHSA-vh95-rmgr-6w4m", "minimist@0.0.10 GHSA-xvch-5gv4-984h",
	}
	momentFindings   = []string{"moment@2.29.1 GHSA-8hfj-j24r-96c4", "moment@2.29.1 GHSA-wc69-rhjr-hc9g"}
	minimistFindings = []string{"minimist@0.0.10 GHSA-vh95-rmgr-6w4m", "minimist@0.0.10 GHSA-xvch-5gv4-984h"}
)

// TestBundledFunctions audits zipped bundles: with the build's lockfile
// beside the zip the bundled packages are matched; without it the function
// is incomplete (exit 3) unless the policy says bundled_unknown_versions:
// warn, which turns the errors into database warnings naming the function.
func TestBundledFunctions(t *testing.T) {
	tests := []struct {
		name, fixture string
		lock          bool
		mode          string // bundled_unknown_versions
		status        string
		findings      []string
		errors        []string // substrings, one per error
		warnings      []string // substrings of database warnings
		exit          int
	}{
		{name: "map and lockfile", fixture: "map", lock: true, status: reports.StatusOK, findings: appFindings, exit: reports.ExitFailed},
		{name: "map without lockfile", fixture: "map", status: reports.StatusIncomplete, exit: reports.ExitIncomplete,
			errors: []string{"orders.zip: no lockfile", "bundled packages with no known version, not matched against advisories: @tootallnate/once, axios, deep-extend"}},
		{name: "map without lockfile, warn", fixture: "map", mode: reports.BundledWarn, status: reports.StatusOK, exit: reports.ExitPassed,
			warnings: []string{"function orders: bundled packages with no known version", "orders.zip: no lockfile"}},
		{name: "metafile and lockfile", fixture: "metafile", lock: true, status: reports.StatusOK, findings: appFindings, exit: reports.ExitFailed},
		{name: "inline map pins from package.json", fixture: "inline", status: reports.StatusOK, findings: minimistFindings, exit: reports.ExitFailed},
		{name: "sbom", fixture: "sbom-cdx", status: reports.StatusOK, findings: append(slices.Clone(appFindings), momentFindings...), exit: reports.ExitFailed},
		// Licence comments only: moment is found and matched, but the bundle
		// has no inventory.
		{name: "licence comments only", fixture: "legal", lock: true, status: reports.StatusIncomplete, findings: momentFindings,
			exit: reports.ExitIncomplete, errors: []string{"orders.zip: index.js: bundled code without a source map"}},
		{name: "licence comments only, warn", fixture: "legal", lock: true, mode: reports.BundledWarn, status: reports.StatusOK,
			findings: momentFindings, exit: reports.ExitFailed, warnings: []string{"orders.zip: index.js: bundled code without"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.DBDir = "../testdata/osvdb"
			cfg.Policy = reports.Policy{FailOn: reports.LevelHigh, BundledUnknownVersions: tt.mode}
			r, err := Run(context.Background(), cfg, zipFixture(t, tt.fixture, "orders", tt.lock))
			if err != nil {
				t.Fatal(err)
			}
			f := r.Functions[0]
			if f.Status != tt.status || r.Summary.Gate.ExitCode != tt.exit {
				t.Errorf("status %s, exit %d; want %s, %d (errors %q)", f.Status, r.Summary.Gate.ExitCode, tt.status, tt.exit, f.Errors)
			}
			if diff := cmp.Diff(tt.findings, findingIDs(f)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			checkContains(t, "errors", f.Errors, tt.errors, true)
			checkContains(t, "database warnings", r.Database.Warnings, tt.warnings, false)
			for _, w := range r.Database.Warnings {
				if !strings.HasPrefix(w, "function orders: ") {
					t.Errorf("warning %q does not name the function", w)
				}
			}
			for _, p := range f.Packages {
				if p.Evidence == "" || p.Artifact != "orders" {
					t.Errorf("package %+v: no evidence or artifact", p)
				}
			}
		})
	}
}

// checkContains checks that each want is a substring of one of got (and,
// when exact, that there are as many of got).
func checkContains(t *testing.T, what string, got, want []string, exact bool) {
	t.Helper()
	if exact && len(got) != len(want) {
		t.Errorf("%s %q, want %d", what, got, len(want))
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
			t.Errorf("%s %q lack %q", what, got, w)
		}
	}
}

// TestBundledCDK audits a cloud assembly whose NodejsFunction asset is a
// bundle with its map: the project's lockfile, found by walking up from
// cdk.out, pins the versions.
func TestBundledCDK(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DBDir = "../testdata/osvdb"
	r, err := Run(context.Background(), cfg, "../sbom/bundled/testdata/cdk")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Functions) != 1 {
		t.Fatalf("%d functions", len(r.Functions))
	}
	f := r.Functions[0]
	if f.Status != reports.StatusOK || f.Exposure != "public" {
		t.Errorf("status %s exposure %s errors %q", f.Status, f.Exposure, f.Errors)
	}
	if diff := cmp.Diff(minimistFindings, findingIDs(f)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	var pkgs []string
	for _, p := range f.Packages {
		pkgs = append(pkgs, p.Name+"@"+p.Version+" "+p.Evidence)
	}
	want := []string{"@tootallnate/once@1.1.2 sourcemap+lockfile", "deep-extend@0.6.0 sourcemap+lockfile", "ini@1.3.8 sourcemap+lockfile",
		"minimist@0.0.10 sourcemap+lockfile", "minimist@1.2.8 sourcemap+lockfile", "rc@1.2.8 sourcemap+lockfile", "strip-json-comments@2.0.1 sourcemap+lockfile"}
	if diff := cmp.Diff(want, pkgs); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}

// TestBundledCache: the cache keeps the recovered packages and the
// recovery's warnings, and a lockfile appearing beside the zip is a new
// key (the versions it pins are not served from the old entry).
func TestBundledCache(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DBDir = "../testdata/osvdb"
	cfg.CacheDir = t.TempDir()
	zipPath := zipFixture(t, "map", "orders", false)
	first, err := Run(context.Background(), cfg, zipPath)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(cfg.CacheDir, "*", "*.json"))
	if len(entries) != 1 {
		t.Fatalf("%d cache entries", len(entries))
	}
	var e cacheEntry
	b, _ := os.ReadFile(entries[0])
	if err := json.Unmarshal(b, &e); err != nil || len(e.Bundled) != 1 || len(e.Packages) != 9 {
		t.Fatalf("cache entry %+v, %v", e, err)
	}
	second, err := Run(context.Background(), cfg, zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first.Functions, second.Functions); diff != "" {
		t.Errorf("from cache (-first +second):\n%s", diff)
	}
	testfs.CopyFile(t, bundledLock, filepath.Join(filepath.Dir(zipPath), "package-lock.json"))
	third, err := Run(context.Background(), cfg, zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if f := third.Functions[0]; f.Status != reports.StatusOK || len(f.Findings) != len(appFindings) {
		t.Errorf("with a lockfile: status %s, %d findings (cache key ignores the lockfile?)", f.Status, len(f.Findings))
	}
}
