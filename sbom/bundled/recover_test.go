package bundled

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/testfs"
)

// The fixtures are real esbuild, webpack and pnpm builds of
// testdata/project (see testdata/README.md and testdata/build.sh).
const (
	fixtures = "testdata/fixtures"
	project  = "testdata/project" // package.json and package-lock.json of the build
)

// pkg is a recovered package as the tests compare it.
type pkg struct{ Name, Version, Evidence, Location string }

func recoverPkgs(t *testing.T, dir string, h Hints) ([]pkg, Result) {
	t.Helper()
	res, err := Recover(context.Background(), dir, h)
	if err != nil {
		t.Fatalf("Recover(%s): %v", dir, err)
	}
	var out []pkg
	for _, p := range res.Packages {
		if p.Ecosystem != "npm" || p.PURL != purl(p.Name, p.Version) {
			t.Errorf("%s: ecosystem %q, purl %q", p.Name, p.Ecosystem, p.PURL)
		}
		out = append(out, pkg{p.Name, p.Version, p.Evidence, p.Location})
	}
	return out, res
}

// appPackages are what src/app.js bundles, at the versions
// project/package-lock.json pins: rc brings its own minimist 1.2.8 in
// node_modules/rc/node_modules beside the top-level 0.0.10.
func appPackages(evidence, location string) []pkg {
	var out []pkg
	for _, nv := range []string{"@tootallnate/once@1.1.2", "axios@0.21.0", "deep-extend@0.6.0", "follow-redirects@1.16.3",
		"ini@1.3.8", "lodash@4.17.15", "minimist@0.0.10", "minimist@1.2.8", "rc@1.2.8", "strip-json-comments@2.0.1"} {
		i := strings.LastIndexByte(nv, '@')
		out = append(out, pkg{nv[:i], nv[i+1:], evidence, location})
	}
	return out
}

// toolsPackages are what src/tools.js bundles.
func toolsPackages(evidence, location string) []pkg {
	var out []pkg
	for _, p := range appPackages(evidence, location) {
		switch p.Name {
		case "axios", "follow-redirects", "lodash":
		default:
			out = append(out, p)
		}
	}
	return out
}

// unversioned drops the versions and the nested duplicate of pkgs.
func unversioned(pkgs []pkg) []pkg {
	var out []pkg
	for _, p := range pkgs {
		if p.Name == "minimist" && p.Version == "1.2.8" {
			continue
		}
		p.Version = ""
		out = append(out, p)
	}
	return out
}

func TestRecoverFixtures(t *testing.T) {
	withLock := Hints{Dirs: []string{project}}
	noLock := "no lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml) in the artifact or beside the manifest"
	uncovered := "index.js: bundled code without a source map, esbuild metafile, webpack stats or build SBOM"
	tests := []struct {
		fixture string
		hints   Hints
		want    []pkg
		warns   []string // prefixes of the warnings, in order
	}{
		{"map", withLock, appPackages("sourcemap+lockfile", "index.js.map"), nil},
		{"map", Hints{}, unversioned(appPackages("sourcemap", "index.js.map")), []string{noLock}},
		{"metafile", withLock, appPackages("metafile+lockfile", "index.meta.json"), nil},
		{"metafile", Hints{}, unversioned(appPackages("metafile", "index.meta.json")), []string{noLock}},
		// Module comments name the packages, but nothing proves the list
		// complete: the bundle stays a gap.
		{"plain", withLock, toolsPackages("comment+lockfile", "index.js"), []string{uncovered}},
		// esbuild's licence list names moment and its banner the version;
		// minimist has no licence comment and no other evidence.
		{"legal", Hints{}, []pkg{{"moment", "2.29.1", "banner", "index.js"}}, []string{uncovered}},
		{"legal", withLock, []pkg{{"moment", "2.29.1", "banner", "index.js"}}, []string{uncovered}},
		// An inline banner names no file: its name is taken as written.
		{"legal-inline", Hints{}, []pkg{{"moment.js", "2.29.1", "banner", "index.js"}}, []string{uncovered}},
		// The inline map's sourcesContent holds minimist's package.json.
		{"inline", Hints{}, []pkg{{"minimist", "0.0.10", "sourcemap+package.json", "index.js"}}, nil},
		{"pnpm", Hints{}, toolsPackages("sourcemap+path", "index.js.map"), nil},
		{"webpack", withLock, []pkg{{"minimist", "0.0.10", "stats+lockfile", "stats.json"}, {"moment", "2.29.1", "stats+lockfile", "stats.json"}}, nil},
		{"webpack", Hints{}, []pkg{{"minimist", "", "stats", "stats.json"}, {"moment", "", "stats", "stats.json"}}, []string{noLock}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+strings.Join(tt.hints.Dirs, ","), func(t *testing.T) {
			got, res := recoverPkgs(t, filepath.Join(fixtures, tt.fixture), tt.hints)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			checkWarnings(t, res.Warnings, tt.warns)
		})
	}
}

func checkWarnings(t *testing.T, got, wantPrefixes []string) {
	t.Helper()
	if len(got) != len(wantPrefixes) {
		t.Fatalf("warnings %q, want %d starting %q", got, len(wantPrefixes), wantPrefixes)
	}
	for i, w := range got {
		if !strings.HasPrefix(w, wantPrefixes[i]) {
			t.Errorf("warning %d = %q, want it to start with %q", i, w, wantPrefixes[i])
		}
	}
}

// TestRecoverSBOM: npm's own CycloneDX and SPDX documents are the
// inventory, without the development dependencies (esbuild and its
// platform package) and without the project itself.
func TestRecoverSBOM(t *testing.T) {
	var want []pkg
	for _, p := range appPackages("sbom", "") {
		want = append(want, p)
		if p.Name == "minimist" && p.Version == "1.2.8" {
			want = append(want, pkg{"moment", "2.29.1", "sbom", ""})
		}
	}
	for _, tt := range []struct{ fixture, file string }{{"sbom-cdx", "sbom.cdx.json"}, {"sbom-spdx", "bom.spdx.json"}} {
		t.Run(tt.fixture, func(t *testing.T) {
			got, res := recoverPkgs(t, filepath.Join(fixtures, tt.fixture), Hints{})
			for i := range want {
				want[i].Location = tt.file
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			checkWarnings(t, res.Warnings, nil)
		})
	}
}

// TestRecoverCDK: an asset folder of a cloud assembly finds the project's
// lockfile by walking up from the assembly (the manifest's folder).
func TestRecoverCDK(t *testing.T) {
	asm := "testdata/cdk/cdk.out"
	matches, err := filepath.Glob(filepath.Join(asm, "asset.*"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("asset folders %v, %v", matches, err)
	}
	h := Hints{Dirs: []string{asm}}
	if got, want := h.Lockfile(), filepath.Join("testdata/cdk/package-lock.json"); !strings.HasSuffix(got, want) {
		t.Fatalf("Lockfile() = %q, want .../%s", got, want)
	}
	got, res := recoverPkgs(t, matches[0], h)
	if diff := cmp.Diff(toolsPackages("sourcemap+lockfile", "index.js.map"), got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	checkWarnings(t, res.Warnings, nil)
}

func TestDetect(t *testing.T) {
	for _, f := range []string{"map", "metafile", "plain", "legal", "legal-inline", "inline", "sbom-cdx", "sbom-spdx", "pnpm", "webpack"} {
		if !Detect(filepath.Join(fixtures, f)) {
			t.Errorf("Detect(%s) = false, want true", f)
		}
	}
	plain := testfs.Dir(t, map[string]string{
		"handler.js":                          "const _ = require('lodash');\nexports.handler = async () => _.VERSION;\n",
		"package.json":                        `{"name":"fn","dependencies":{"lodash":"4.17.15"}}`,
		"node_modules/lodash/package.json":    `{"name":"lodash","version":"4.17.15"}`,
		"node_modules/lodash/lodash.js":       "/*! bundled? */ __commonJS(",
		"node_modules/lodash/lodash.js.map":   `{"version":3,"sources":[]}`,
		"node_modules/lodash/dist/stats.json": `{"modules":[],"chunks":[]}`,
	})
	if Detect(plain) {
		t.Error("Detect(unbundled function with node_modules) = true, want false")
	}
	if Detect(t.TempDir()) {
		t.Error("Detect(empty) = true")
	}
	if Detect(filepath.Join(t.TempDir(), "missing")) {
		t.Error("Detect(missing) = true")
	}
}

// TestRecoverFirstPartyMap: a TypeScript function compiled with source
// maps is detected but has nothing bundled and no gap.
func TestRecoverFirstPartyMap(t *testing.T) {
	dir := testfs.Dir(t, map[string]string{
		"index.js":     "exports.handler = async () => 1;\n//# sourceMappingURL=index.js.map\n",
		"index.js.map": `{"version":3,"file":"index.js","sources":["../src/index.ts"],"mappings":"AAAA"}`,
	})
	if !Detect(dir) {
		t.Fatal("Detect = false")
	}
	got, res := recoverPkgs(t, dir, Hints{})
	if len(got) != 0 || len(res.Warnings) != 0 {
		t.Errorf("packages %v, warnings %q: want none", got, res.Warnings)
	}
}

// TestRecoverVendoredLibrary: a library's own minified file shipped as
// first-party code (jquery.min.js under public/) is named by its opening
// banner, and its banner is its inventory (no gap).
func TestRecoverVendoredLibrary(t *testing.T) {
	code := "!function(e,t){" + strings.Repeat("var a=e.x||t.y;", 4000) + "}(window);"
	dir := testfs.Dir(t, map[string]string{
		"index.js":                "exports.handler = async () => ({ statusCode: 200 });\n",
		"public/jquery.min.js":    "/*! jQuery v3.4.1 | (c) JS Foundation and other contributors | jquery.org/license */\n" + code,
		"public/unknown.min.js":   code,
		"node_modules/x/index.js": code,
	})
	if !Detect(dir) {
		t.Fatal("Detect = false")
	}
	got, res := recoverPkgs(t, dir, Hints{})
	if diff := cmp.Diff([]pkg{{"jquery", "3.4.1", "banner", "public/jquery.min.js"}}, got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	// The anonymous minified file is a gap; node_modules is the
	// cataloguer's.
	checkWarnings(t, res.Warnings, []string{"public/unknown.min.js: bundled code without"})
}
