package server

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keysOf lists the keys of a JSON object.
func keysOf(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return slices.Sorted(maps.Keys(m))
}

// TestAPIShapes pins the JSON shapes docs/api.md documents: the keys of
// every object the read endpoints answer with, and their values for the
// sample application.
func TestAPIShapes(t *testing.T) {
	f := newFixture(t, nil)
	first := f.record(t, sample(), map[string]string{"env": "prod"})
	f.record(t, awkwardSample(), nil)

	var apps struct {
		Applications []json.RawMessage `json:"applications"`
	}
	f.getJSON(t, "/api/v1/applications", &apps)
	if len(apps.Applications) != 2 {
		t.Fatalf("%d applications, want 2", len(apps.Applications))
	}
	if diff := cmp.Diff([]string{"entries", "latest", "name"}, keysOf(t, apps.Applications[0])); diff != "" {
		t.Errorf("application keys (-want +got):\n%s", diff)
	}
	var app struct {
		Name   string          `json:"name"`
		Latest json.RawMessage `json:"latest"`
	}
	json.Unmarshal(apps.Applications[0], &app)
	if app.Name != "billing sync" {
		t.Errorf("applications not by name: first is %q", app.Name)
	}
	wantEntry := []string{"application", "by_risk", "exit_code", "findings", "functions", "id", "incomplete", "labels", "links", "recorded_at", "tool_version", "kind"}
	slices.Sort(wantEntry)
	if diff := cmp.Diff(wantEntry, keysOf(t, app.Latest)); diff != "" {
		t.Errorf("entry keys (-want +got):\n%s", diff)
	}

	var one struct {
		Application map[string]any    `json:"application"`
		Entry       apiEntry          `json:"entry"`
		Functions   []json.RawMessage `json:"functions"`
		LayerFixes  []json.RawMessage `json:"layer_fixes"`
	}
	f.getJSON(t, "/api/v1/applications/orders-api", &one)
	if one.Entry.ID != first.ID || one.Entry.Labels["env"] != "prod" || len(one.Functions) != 3 || len(one.LayerFixes) == 0 {
		t.Errorf("application: entry %+v, %d functions, %d layer fixes", one.Entry, len(one.Functions), len(one.LayerFixes))
	}
	wantFn := []string{"artifacts", "by_risk", "errors", "exposure", "findings", "handler", "links", "name", "new", "package_type",
		"packages", "privilege", "privilege_reasons", "risk", "runtime", "source", "status", "triggers"}
	slices.Sort(wantFn)
	if diff := cmp.Diff(wantFn, keysOf(t, one.Functions[0])); diff != "" {
		t.Errorf("function keys (-want +got):\n%s", diff)
	}
	var fn apiFunction
	json.Unmarshal(one.Functions[0], &fn)
	r := sample()
	want := r.Functions[0]
	if fn.Name != want.Name || fn.Exposure != want.Exposure || fn.Privilege != want.Privilege || fn.Risk.Level != want.Risk.Level ||
		fn.Risk.Score != want.Risk.Score || len(fn.Triggers) != len(want.Triggers) || fn.Packages != len(want.Packages) {
		t.Errorf("function %+v\ndoes not match the report's %s", fn, want.Name)
	}
}

// TestAPIScansAndFindings lists entries (with filters) and findings (with
// filters), and answers 400 to filters it does not know.
func TestAPIScansAndFindings(t *testing.T) {
	f := newFixture(t, nil)
	a := f.record(t, sample(), map[string]string{"env": "prod"})
	b := f.record(t, awkwardSample(), map[string]string{"env": "dev"})

	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"", []int64{a.ID, b.ID}},
		{"?application=orders-api", []int64{a.ID}},
		{"?label=env=dev", []int64{b.ID}},
		{"?label=env=qa", nil},
		{"?limit=1", []int64{a.ID}},
		{"?offset=1&limit=5", []int64{b.ID}},
		{"?offset=9223372036854775807", nil},
	} {
		var got struct {
			Total int        `json:"total"`
			Scans []apiEntry `json:"scans"`
		}
		f.getJSON(t, "/api/v1/scans"+tc.query, &got)
		var ids []int64
		for _, e := range got.Scans {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("scans%s: %v, want %v", tc.query, ids, tc.want)
		}
		if strings.Contains(tc.query, "offset") || strings.Contains(tc.query, "limit") {
			if got.Total != 2 {
				t.Errorf("scans%s: total %d, want 2", tc.query, got.Total)
			}
		}
	}

	var scan struct {
		Scan      apiEntry          `json:"scan"`
		Functions []json.RawMessage `json:"functions"`
	}
	f.getJSON(t, "/api/v1/scans/"+strconv.FormatInt(b.ID, 10), &scan)
	if scan.Scan.Application != "billing sync" || len(scan.Functions) != 3 || scan.Scan.Links["cyclonedx"] == "" {
		t.Errorf("scan %d: %+v", b.ID, scan.Scan)
	}

	var all, critical, public struct {
		Total    int          `json:"total"`
		Findings []findingRow `json:"findings"`
	}
	f.getJSON(t, "/api/v1/findings", &all)
	f.getJSON(t, "/api/v1/findings?risk=critical&application=orders-api", &critical)
	f.getJSON(t, "/api/v1/findings?exposure=public&exposure=authenticated&limit=2", &public)
	if all.Total == 0 || all.Total != len(all.Findings) || critical.Total == 0 || critical.Total >= all.Total/2 {
		t.Fatalf("findings: %d in all, %d critical in orders-api", all.Total, critical.Total)
	}
	for _, row := range critical.Findings {
		if row.Risk != "critical" || row.Application != "orders-api" || row.Entry != a.ID {
			t.Errorf("filtered finding %+v", row)
		}
	}
	if len(public.Findings) != 2 || public.Total <= 2 {
		t.Errorf("limit 2: %d findings of %d", len(public.Findings), public.Total)
	}
	var paged, beyond struct {
		Total    int          `json:"total"`
		Findings []findingRow `json:"findings"`
	}
	f.getJSON(t, "/api/v1/findings?offset=1&limit=2", &paged)
	key := func(r findingRow) string {
		return r.Application + "/" + r.Function + "/" + r.ID + "/" + r.Package + "@" + r.Version
	}
	if len(paged.Findings) != 2 || key(paged.Findings[0]) != key(all.Findings[1]) || key(paged.Findings[1]) != key(all.Findings[2]) {
		t.Errorf("offset 1, limit 2: %+v", paged.Findings)
	}
	f.getJSON(t, "/api/v1/findings?offset=9223372036854775807&limit=10", &beyond)
	if len(beyond.Findings) != 0 || beyond.Total != all.Total {
		t.Errorf("an offset beyond the end: %d findings of %d", len(beyond.Findings), beyond.Total)
	}
	for _, q := range []string{"risk=urgent", "exposure=everyone", "new=maybe", "limit=0", "offset=-1", "application=a%00b"} {
		if res := f.get(t, "/api/v1/findings?"+q); res.code != http.StatusBadRequest {
			t.Errorf("findings?%s: %d, want 400", q, res.code)
		}
	}
}

// TestHealth answers /healthz always and /readyz when the store answers
// (and, with a scheduler, when the database is there).
func TestHealth(t *testing.T) {
	f := newFixture(t, nil)
	if res := f.get(t, "/healthz"); res.code != http.StatusOK {
		t.Errorf("healthz: %d", res.code)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	f.getJSON(t, "/readyz", &ready)
	if ready.Status != "ready" || ready.Checks["store"] != "ok" {
		t.Errorf("readyz: %+v", ready)
	}
	g := newFixture(t, func(c *Config) { c.RescanEvery, c.DBDir = 24*60*60*1e9, t.TempDir() })
	res := g.get(t, "/readyz")
	if res.code != http.StatusServiceUnavailable || !json.Valid(res.body) {
		t.Errorf("readyz with an empty database: %d %s", res.code, res.body)
	}
	f.st.Close()
	if res := f.get(t, "/readyz"); res.code != http.StatusServiceUnavailable {
		t.Errorf("readyz with a closed store: %d %s", res.code, res.body)
	}
}
