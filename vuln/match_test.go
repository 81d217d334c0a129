package vuln

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"

	"github.com/fnaudit/fnaudit/sbom"
)

// TestMatch checks which advisories real records yield for one package.
func TestMatch(t *testing.T) {
	db := openTestDB(t)
	tests := []struct {
		name              string
		eco, pkg, version string
		want              []string
	}{
		{"introduced/fixed", "npm", "lodash", "4.17.15",
			[]string{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}},
		{"fixed version itself is not affected", "npm", "lodash", "4.17.21", []string{}},
		{"near miss: handlebars 4.5.3 is the fix of two records", "npm", "handlebars", "4.5.3",
			[]string{"GHSA-f2jv-r9rf-7988"}},
		{"just below the fix", "npm", "handlebars", "4.5.2",
			[]string{"GHSA-f2jv-r9rf-7988", "GHSA-g9r4-xpmj-mj65", "GHSA-q2c6-c6pm-g3gh"}},
		{"last_affected is inclusive", "npm", "lodash.template", "4.5.0", []string{"GHSA-35jh-r3h4-6jhm"}},
		{"after last_affected", "npm", "lodash.template", "4.5.1", []string{}},
		{"several ranges of one package", "npm", "ws", "7.4.5",
			[]string{"GHSA-3h5v-q93c-6h6q", "GHSA-6fc8-4gx4-v693"}},
		{"between ranges", "npm", "ws", "6.2.3", []string{}},
		{"npm prerelease inside a range", "npm", "@xmldom/xmldom", "0.9.0-beta.1",
			[]string{"GHSA-9pgh-qqpf-7wqj", "GHSA-crh6-fp67-6883"}},
		{"versions list only", "Maven", "com.liferay:com.liferay.sass.compiler.jsass", "1.0.1",
			[]string{"GHSA-gwrp-pvrq-jmwv"}},
		{"versions list only, other version", "Maven", "com.liferay:com.liferay.sass.compiler.jsass", "1.0.2", []string{}},
		{"near miss: log4j-core 2.19.0 vs log4shell", "Maven", "org.apache.logging.log4j:log4j-core", "2.19.0", []string{}},
		{"log4j-core 2.14.1", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1",
			[]string{"GHSA-7rjr-3q55-vv33", "GHSA-jfh8-c2jp-5v3q", "GHSA-p6xc-xr62-6r2g"}},
		{"Maven: 31.1-jre is before 32.0.0-android", "Maven", "com.google.guava:guava", "31.1-jre",
			[]string{"GHSA-5mg8-w23w-74h3", "GHSA-7g45-4rm6-3mm3"}},
		{"Maven: 32.0.0-jre is after 32.0.0-android", "Maven", "com.google.guava:guava", "32.0.0-jre", []string{}},
		{"Maven: the fix itself", "Maven", "com.google.guava:guava", "32.0.0-android", []string{}},
		{"Maven qualifier rc", "Maven", "com.fasterxml.jackson.core:jackson-databind", "2.4.0-rc2",
			[]string{"GHSA-57j2-w4cx-62h2", "GHSA-jjjh-jjxp-wpff"}},
		{"Maven entry of a multi-ecosystem record", "Maven", "org.webjars:handlebars", "4.0.0",
			[]string{"GHSA-f2jv-r9rf-7988"}},
		{"npm name that only a Maven entry uses", "npm", "org.webjars:handlebars", "4.0.0", []string{}},
		{"PyPI: Jinja2 as installed", "PyPI", "Jinja2", "3.1.2",
			[]string{"PYSEC-2026-1471", "PYSEC-2026-1472", "PYSEC-2026-1473", "PYSEC-2026-1474", "PYSEC-2026-1475"}},
		{"PyPI: PyYAML as installed", "PyPI", "PyYAML", "5.3",
			[]string{"PYSEC-2020-96", "PYSEC-2021-142"}},
		{"PyPI: lower case", "PyPI", "pyyaml", "5.3",
			[]string{"PYSEC-2020-96", "PYSEC-2021-142"}},
		{"PyPI: legacy (non PEP 440) version sorts before all others", "PyPI", "PyYAML", "not a version",
			[]string{"PYSEC-2018-49", "PYSEC-2021-142"}},
		{"PyPI: GIT range before ECOSYSTEM range, version not listed", "PyPI", "sqlparse", "0.4.1.post1",
			[]string{"PYSEC-2021-333", "PYSEC-2023-87", "PYSEC-2026-1940"}},
		{"PyPI: last_affected", "PyPI", "PyJWT", "2.10.1",
			[]string{"PYSEC-2025-183", "PYSEC-2026-120", "PYSEC-2026-175", "PYSEC-2026-176", "PYSEC-2026-177", "PYSEC-2026-178", "PYSEC-2026-179"}},
		{"Go stdlib 1.26.0", "Go", "stdlib", "1.26.0",
			[]string{"GO-2026-4599", "GO-2026-4600", "GO-2026-4601", "GO-2026-4864", "GO-2026-4866", "GO-2026-4918", "GO-2026-5026", "GO-2026-5942", "GO-2026-6088", "GO-2026-6218"}},
		{"Go stdlib 1.26.8", "Go", "stdlib", "1.26.8", []string{}},
		{"Go stdlib 1.21.5", "Go", "stdlib", "1.21.5",
			[]string{"GO-2024-2687", "GO-2025-3503", "GO-2025-4155", "GO-2025-4175", "GO-2026-4337", "GO-2026-4601", "GO-2026-4864", "GO-2026-4918", "GO-2026-5026", "GO-2026-6088", "GO-2026-6218"}},
		{"Go module", "Go", "golang.org/x/text", "0.3.5",
			[]string{"GO-2021-0113", "GO-2022-1059", "GO-2026-5970"}},
		{"Go +incompatible, range without fix", "Go", "github.com/golang-jwt/jwt", "3.2.0+incompatible",
			[]string{"GO-2025-3553"}},
		{"Go major version path", "Go", "github.com/golang-jwt/jwt/v4", "4.5.0",
			[]string{"GO-2024-3250", "GO-2025-3553"}},
		{"crates.io", "crates.io", "smallvec", "0.6.9",
			[]string{"RUSTSEC-2018-0018", "RUSTSEC-2019-0009", "RUSTSEC-2019-0012", "RUSTSEC-2021-0003"}},
		{"crates.io pre-release lower bound", "crates.io", "time", "0.2.22", []string{"RUSTSEC-2020-0071"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings := matchOne(t, db, tt.eco, tt.pkg, tt.version)
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
			if diff := cmp.Diff(tt.want, findingIDs(got)); diff != "" {
				t.Errorf("%s %s@%s (-want +got):\n%s", tt.eco, tt.pkg, tt.version, diff)
			}
		})
	}
}

// TestMatchFinding checks every field of one finding (the DESIGN example).
func TestMatchFinding(t *testing.T) {
	db := openTestDB(t)
	pkg := sbom.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15",
		Artifact: "commonLibs", Location: "nodejs/node_modules/lodash/package.json"}
	got, _, err := db.Match(context.Background(), []sbom.Package{pkg})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(got, func(f Finding) bool { return f.ID == "GHSA-35jh-r3h4-6jhm" })
	if i < 0 {
		t.Fatalf("GHSA-35jh-r3h4-6jhm not found in %v", findingIDs(got))
	}
	f := got[i]
	f.Published, f.Modified, f.References = f.Published.UTC(), f.Modified.UTC(), nil
	want := Finding{
		ID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"},
		Ecosystem: "npm", Package: "lodash", Version: "4.17.15",
		Artifact: "commonLibs", Location: "nodejs/node_modules/lodash/package.json",
		Summary: "Command Injection in lodash", Severity: SeverityHigh, CVSS: 7.2,
		CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
		Fixed:      []string{"4.17.21"},
		Published:  f.Published, Modified: f.Modified,
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("finding (-want +got):\n%s", diff)
	}
	if f.Published.IsZero() || f.Modified.IsZero() {
		t.Errorf("published %v / modified %v should be set", f.Published, f.Modified)
	}
}

// TestMatchFixed checks the fixed versions: those of the matched entries, in
// the ecosystem's order, deduplicated.
func TestMatchFixed(t *testing.T) {
	db := openTestDB(t)
	tests := []struct {
		name, eco, pkg, version, id string
		want                        []string
	}{
		{"Go: semver order across branches", "Go", "stdlib", "1.26.0", "GO-2026-5026", []string{"1.25.13", "1.26.6", "1.27.0-rc.3"}},
		{"PyPI: source lists 2.0.6 before 1.26.17", "PyPI", "urllib3", "1.26.12", "PYSEC-2023-192", []string{"1.26.17", "2.0.6"}},
		{"npm: only the matched entries", "npm", "ws", "7.4.5", "GHSA-3h5v-q93c-6h6q", []string{"7.5.10"}},
		{"no fix", "Go", "github.com/golang-jwt/jwt", "3.2.0+incompatible", "GO-2025-3553", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := matchOne(t, db, tt.eco, tt.pkg, tt.version)
			i := slices.IndexFunc(got, func(f Finding) bool { return f.ID == tt.id })
			if i < 0 {
				t.Fatalf("%s not found in %v", tt.id, findingIDs(got))
			}
			if diff := cmp.Diff(tt.want, got[i].Fixed); diff != "" {
				t.Errorf("fixed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSortVersions checks the ordering used for fixed versions.
func TestSortVersions(t *testing.T) {
	tests := []struct {
		eco  string
		in   []string
		want []string
	}{
		{"npm", []string{"4.20.0", "10.0.0", "4.3.0", "4.20.0", "5.0.0-beta.3"}, []string{"4.3.0", "4.20.0", "5.0.0-beta.3", "10.0.0"}},
		{"Maven", []string{"32.0.0-jre", "32.0.0-android", "31.1", "2.13.2.1"}, []string{"2.13.2.1", "31.1", "32.0.0-android", "32.0.0-jre"}},
		{"PyPI", []string{"2.0.0", "2.0.0rc1", "1.10", "1.9"}, []string{"1.9", "1.10", "2.0.0rc1", "2.0.0"}},
		{"PyPI", []string{"1.0", "not a version"}, []string{"not a version", "1.0"}},
		{"Cobol", []string{"b", "a", "b"}, []string{"a", "b"}},
		{"Debian", []string{"1:1.0-1", "2.0-1", "1.0-1"}, []string{"1.0-1", "2.0-1", "1:1.0-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.eco, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, sortVersions(tt.eco, tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMatchOrderAndOccurrences checks that every occurrence gets its
// findings, sorted, whatever the input order.
func TestMatchOrderAndOccurrences(t *testing.T) {
	db := openTestDB(t)
	pkgs := []sbom.Package{
		{Ecosystem: "npm", Name: "minimist", Version: "1.2.5", Artifact: "layer", Location: "b/package.json"},
		{Ecosystem: "Go", Name: "golang.org/x/text", Version: "0.3.5", Artifact: "code", Location: "bootstrap"},
		{Ecosystem: "npm", Name: "minimist", Version: "1.2.5", Artifact: "code", Location: "a/package.json"},
		{Ecosystem: "npm", Name: "axios", Version: "0.21.1", Artifact: "code", Location: "c/package.json"},
	}
	first, _, err := db.Match(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(pkgs)
	second, _, err := db.Match(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("order depends on input (-first +second):\n%s", diff)
	}
	var got []string
	for _, f := range first {
		got = append(got, strings.Join([]string{f.Ecosystem, f.Package, f.Artifact, f.ID}, " "))
	}
	want := []string{
		"Go golang.org/x/text code GO-2021-0113",
		"Go golang.org/x/text code GO-2022-1059",
		"Go golang.org/x/text code GO-2026-5970",
		"npm axios code GHSA-cph5-m8f7-6c5x",
		"npm axios code GHSA-wf5p-g6vw-rhxx",
		"npm minimist code GHSA-xvch-5gv4-984h",
		"npm minimist layer GHSA-xvch-5gv4-984h",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMatchWarnings checks what cannot be checked becomes a warning.
func TestMatchWarnings(t *testing.T) {
	db := openTestDB(t)
	pkgs := []sbom.Package{
		{Ecosystem: "RubyGems", Name: "uglifier", Version: "2.7.1"},
		{Ecosystem: "RubyGems", Name: "rack", Version: "2.0.0"},
		{Ecosystem: "RubyGems", Name: "rack", Version: "2.0.0", Artifact: "layer"},
		{Ecosystem: "npm", Name: "lodash", Version: ""},
		{Ecosystem: "Cobol", Name: "x", Version: "1"},
		{Ecosystem: "Red Hat", Name: "openssl", Version: "1:3.0.7-1.el9"},
	}
	findings, warnings, err := db.Match(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 0 {
		t.Errorf("findings %v, want none", findingIDs(findings))
	}
	var got []string
	for _, w := range warnings {
		got = append(got, w.String())
	}
	want := []string{
		`ecosystem "Cobol" is not supported: 1 packages not checked`,
		`ecosystem "Red Hat" is not supported: 1 packages not checked`,
		"no advisories for ecosystem RubyGems in ../testdata/osvdb: 3 packages not checked",
		"npm/lodash@: no name or version: not checked",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestMatchEmpty checks that nothing in gives nothing out.
func TestMatchEmpty(t *testing.T) {
	f, w, err := openTestDB(t).Match(context.Background(), nil)
	if err != nil || len(f) != 0 || len(w) != 0 {
		t.Errorf("Match(nil) = %v, %v, %v; want nothing", f, w, err)
	}
	if got := openTestDB(t).Ecosystems(); len(got) != 0 {
		t.Errorf("Ecosystems before use = %v, want none loaded", got)
	}
}

// TestMatchCancelled checks that a cancelled context stops Match.
func TestMatchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	db := openTestDB(t)
	if _, _, err := db.Match(ctx, []sbom.Package{{Ecosystem: "npm", Name: "lodash", Version: "1.0.0"}}); err == nil {
		t.Fatal("Match with a cancelled context succeeded")
	}
	// The cancelled load is not cached.
	if got, _ := matchOne(t, db, "npm", "lodash", "4.17.15"); len(got) == 0 {
		t.Error("no findings after a cancelled load")
	}
}

// TestMatchConcurrent runs matches in parallel on one DB (run with -race).
func TestMatchConcurrent(t *testing.T) {
	db := openTestDB(t)
	want, _ := matchOne(t, openTestDB(t), "npm", "handlebars", "4.5.2")
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, _, err := db.Match(context.Background(), []sbom.Package{{Ecosystem: "npm", Name: "handlebars", Version: "4.5.2", Artifact: "code"}})
			if err == nil && !cmp.Equal(want, got) {
				err = errMismatch
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

var errMismatch = errors.New("concurrent match differs")

// TestTestdataIDs checks that testdata/osvdb holds exactly the records
// listed in IDS.txt.
func TestTestdataIDs(t *testing.T) {
	db := openTestDB(t)
	want := map[string]int{"Go": 50, "Maven": 19, "PyPI": 74, "crates.io": 7, "npm": 63}
	for eco := range want {
		if _, _, err := db.Match(context.Background(), []sbom.Package{{Ecosystem: eco, Name: "x", Version: "1.0.0"}}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, e := range db.Ecosystems() {
		got[e.Name] = e.Records
		if e.Path != filepath.Join(testDB, e.Name, zipName) {
			t.Errorf("%s: path %s", e.Name, e.Path)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// TestNormaliseName checks PEP 503 normalisation, applied to PyPI only.
func TestNormaliseName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "PyYAML", "pyyaml"},
		{"PyPI", "Jinja2", "jinja2"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-._baz", "foo-bar-baz"},
		{"npm", "@Types/Node", "@Types/Node"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
	}
	for _, tt := range tests {
		if got := normaliseName(osvconstants.Ecosystem(tt.eco), tt.in); got != tt.want {
			t.Errorf("normaliseName(%s, %q) = %q, want %q", tt.eco, tt.in, got, tt.want)
		}
	}
}
