package audit

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/reports"
	htmlreport "github.com/fnaudit/fnaudit/reports/html"
	"github.com/fnaudit/fnaudit/reports/reportstest"
	"github.com/fnaudit/fnaudit/store"
	"github.com/fnaudit/fnaudit/vuln"
)

// TestLayerFixes attributes the sample's lodash findings to its layer,
// within the application and across the store's other applications, and
// checks that table and HTML say so.
func TestLayerFixes(t *testing.T) {
	r := reportstest.Sample()
	others := []store.LayerUse{
		{Application: "billing", Function: "charge", Layer: "libs", SHA256: "9a1b3c5d"},
		{Application: "billing", Function: "refund", Layer: "libs", SHA256: "9a1b3c5d"},
		{Application: "orders-api", Function: "stale", Layer: "commonLibs", SHA256: "9a1b3c5d"}, // the report itself wins
		{Application: "media", Function: "resize", Layer: "other", SHA256: "ffff"},
	}
	AttributeLayerFixes([]*reports.Report{r}, others)
	want := []reports.LayerFix{{
		Layer: "commonLibs", ArtifactSHA256: "9a1b3c5d", Ecosystem: "npm", Package: "lodash", Version: "4.17.15",
		Fixed: "4.17.21", Advisories: []string{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm"},
		Functions: []reports.LayerFunction{{Application: "billing", Function: "charge"}, {Application: "billing", Function: "refund"},
			{Application: "orders-api", Function: "listOrders"}},
		Applications: 2,
	}}
	if diff := cmp.Diff(want, r.LayerFixes); diff != "" {
		t.Fatalf("layer fixes (-want +got):\n%s", diff)
	}
	if got := LayerDigests([]*reports.Report{r}); !cmp.Equal(got, []string{"9a1b3c5d"}) {
		t.Errorf("layer digests %v", got)
	}
	var table bytes.Buffer
	if err := reports.WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	line := "rebuild layer commonLibs with lodash ≥ 4.17.21 → fixes 3 functions in 2 applications"
	if !strings.Contains(table.String(), line) {
		t.Errorf("table lacks %q:\n%s", line, table.String())
	}
	var page bytes.Buffer
	if err := htmlreport.Encode(&page, r); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`id="layer-fixes"`, "lodash ≥ 4.17.21", `title="billing/charge, billing/refund, orders-api/listOrders"`} {
		if !strings.Contains(page.String(), s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
}

// TestLowestFix picks, per advisory, the first fix above the installed
// version, and the highest of those.
func TestLowestFix(t *testing.T) {
	for _, tc := range []struct {
		name, eco, version string
		advisories         map[string][]string
		fixed              string
		unfixed            []string
	}{
		{"one", "npm", "4.17.15", map[string][]string{"A": {"4.17.21"}}, "4.17.21", nil},
		{"highest of the firsts", "npm", "4.17.15", map[string][]string{"A": {"4.17.16"}, "B": {"4.17.19", "5.0.0"}}, "4.17.19", nil},
		{"branch above", "npm", "2.0.5", map[string][]string{"A": {"1.16.0", "2.1.0"}}, "2.1.0", nil},
		{"semver not text", "npm", "1.9.0", map[string][]string{"A": {"1.10.0"}, "B": {"1.9.1"}}, "1.10.0", nil},
		{"pep440", "PyPI", "2.0", map[string][]string{"A": {"2.0.post1"}, "B": {"2.0rc1", "2.1"}}, "2.1", nil},
		{"unfixed", "crates.io", "0.1.0", map[string][]string{"A": {"0.2.0"}, "B": nil}, "", []string{"B"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids := slices.Sorted(maps.Keys(tc.advisories))
			fixed, unfixed := lowestFix(layerKey{ecosystem: tc.eco, version: tc.version}, tc.advisories, ids)
			if fixed != tc.fixed || !cmp.Equal(unfixed, tc.unfixed) {
				t.Errorf("lowestFix = %q, %v; want %q, %v", fixed, unfixed, tc.fixed, tc.unfixed)
			}
		})
	}
}

// TestMarkChanges: same occurrence and an ID or alias in common is
// unchanged; the rest is new or fixed; a finding fixed earlier is ignored.
func TestMarkChanges(t *testing.T) {
	f := func(id string, aliases []string, pkg, change string) reports.Finding {
		return reports.Finding{Finding: vuln.Finding{ID: id, Aliases: aliases, Ecosystem: "PyPI", Package: pkg,
			Version: "1.0", Artifact: "code", Location: "site-packages/" + pkg}, Change: change}
	}
	stored := []reports.Finding{
		f("PYSEC-1", []string{"CVE-1"}, "a", "unchanged"),
		f("PYSEC-2", nil, "a", ""),
		f("PYSEC-3", nil, "b", ""),
		f("PYSEC-9", nil, "c", reports.ChangeFixed),
	}
	current := []reports.Finding{
		f("GHSA-1", []string{"CVE-1", "PYSEC-1"}, "a", ""), // gained a GHSA primary ID
		f("PYSEC-3", nil, "a", ""),                         // same ID, other package
		f("PYSEC-9", nil, "c", ""),                         // back after being fixed
	}
	fixed := markChanges(current, stored)
	var got []string
	for _, c := range current {
		got = append(got, c.ID+" "+c.Change)
	}
	for _, c := range fixed {
		got = append(got, c.ID+"/"+c.Package+" "+c.Change)
	}
	want := []string{"GHSA-1 unchanged", "PYSEC-3 new", "PYSEC-9 new", "PYSEC-2/a fixed", "PYSEC-3/b fixed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestRescanGate: only new findings fail a rescan; a new one wins over an
// incomplete stored scan.
func TestRescanGate(t *testing.T) {
	r := reportstest.Sample() // fail on high; processPayment is incomplete
	p := reports.Policy{FailOn: reports.LevelHigh}
	for i := range r.Functions {
		for j := range r.Functions[i].Findings {
			r.Functions[i].Findings[j].Change = reports.ChangeUnchanged
		}
	}
	if g := rescanGate(r, p); g.ExitCode != reports.ExitIncomplete || g.Passed {
		t.Errorf("unchanged findings, incomplete scan: %+v, want exit 3", g)
	}
	for i := range r.Functions {
		for j := range r.Functions[i].Findings {
			if f := &r.Functions[i].Findings[j]; f.ID == "GHSA-2gwj-7jmv-h26r" { // sax, critical
				f.Change = reports.ChangeNew
			}
		}
	}
	if g := rescanGate(r, p); g.ExitCode != reports.ExitFailed {
		t.Errorf("new critical finding: %+v, want exit 1", g)
	}
}
