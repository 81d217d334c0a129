package cyclonedx

import (
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// analyses returns the analysis of each vulnerability of a document, by
// "<id> <function>".
func analyses(b *cdx.BOM) map[string]*cdx.VulnerabilityAnalysis {
	out := map[string]*cdx.VulnerabilityAnalysis{}
	for _, v := range deref(b.Vulnerabilities) {
		fn := ""
		for _, p := range deref(v.Properties) {
			if p.Name == "fnaudit:function" {
				fn = p.Value
			}
		}
		out[v.ID+" "+fn] = v.Analysis
	}
	return out
}

// TestVEX checks the analysis of every finding of the sample, in the
// application document and in the function's own: the suppressed finding
// is a VEX statement, the others have none; once the exception expires the
// finding is back in triage.
func TestVEX(t *testing.T) {
	suppressed := &cdx.VulnerabilityAnalysis{
		State:         cdx.IASNotAffected,
		Justification: cdx.IAJCodeNotReachable,
		Response:      &[]cdx.ImpactAnalysisResponse{cdx.IARWillNotFix},
		Detail:        "moment's string parsing is never given user input in this function — owner orders-team@example.com, expires 2099-12-31",
	}
	expired := &cdx.VulnerabilityAnalysis{
		State:  cdx.IASInTriage,
		Detail: "policy exception (fnaudit.yaml:6) expired on 2024-01-31 and no longer suppresses this finding; it said: not reachable — owner orders-team@example.com",
	}
	unsuppressed := map[string]*cdx.VulnerabilityAnalysis{
		"GHSA-35jh-r3h4-6jhm listOrders": nil,
		"GHSA-29mw-wpgm-hmr9 listOrders": nil,
		"DSA-5000-1 thumbnail":           nil,
		"GHSA-2gwj-7jmv-h26r thumbnail":  nil,
	}
	with := func(id string, a *cdx.VulnerabilityAnalysis) map[string]*cdx.VulnerabilityAnalysis {
		m := map[string]*cdx.VulnerabilityAnalysis{id: a}
		for k, v := range unsuppressed {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		report func() *reports.Report
		want   map[string]*cdx.VulnerabilityAnalysis
	}{
		{"live exception", reportstest.Sample, with("GHSA-wc69-rhjr-hc9g listOrders", suppressed)},
		{"expired exception", expiredReport, with("GHSA-wc69-rhjr-hc9g listOrders", expired)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.report()
			if diff := cmp.Diff(tt.want, analyses(ApplicationBOM(r))); diff != "" {
				t.Errorf("application document analyses (-want +got):\n%s", diff)
			}
			got := map[string]*cdx.VulnerabilityAnalysis{}
			for i := range r.Functions {
				for k, v := range analyses(FunctionBOM(r, &r.Functions[i])) {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("function documents analyses (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAnalysis maps exceptions onto analyses.
func TestAnalysis(t *testing.T) {
	src := bundle.Location{File: "fnaudit.yaml", Line: 9}
	tests := []struct {
		name string
		f    reports.Finding
		want *cdx.VulnerabilityAnalysis
	}{
		{"no exception", reports.Finding{}, nil},
		{
			"state defaults to not_affected",
			reports.Finding{Suppressed: true, Exception: &reports.Exception{Reason: "dev only", Status: reports.ExceptionActive}},
			&cdx.VulnerabilityAnalysis{State: cdx.IASNotAffected, Detail: "dev only"},
		},
		{
			"justification only with not_affected, responses cleaned",
			reports.Finding{Suppressed: true, Exception: &reports.Exception{Reason: "r", Owner: "o", State: "exploitable", Justification: "code_not_present", Response: []string{"workaround_available", "bogus", "workaround_available", "update"}, Status: reports.ExceptionActive}},
			&cdx.VulnerabilityAnalysis{State: cdx.IASExploitable, Response: &[]cdx.ImpactAnalysisResponse{cdx.IARWorkaroundAvailable, cdx.IARUpdate}, Detail: "r — owner o"},
		},
		{
			"unknown state and justification",
			reports.Finding{Suppressed: true, Exception: &reports.Exception{Reason: "r", Expires: "2030-01-01", State: "meh", Justification: "because", Status: reports.ExceptionActive}},
			&cdx.VulnerabilityAnalysis{State: cdx.IASInTriage, Detail: "r — expires 2030-01-01"},
		},
		{
			"expired",
			reports.Finding{Suppressed: false, Exception: &reports.Exception{Reason: "r", Owner: "o", Expires: "2020-01-01", State: "not_affected", Justification: "code_not_present", Status: reports.ExceptionExpired, Source: src}},
			&cdx.VulnerabilityAnalysis{State: cdx.IASInTriage, Detail: "policy exception (fnaudit.yaml:9) expired on 2020-01-01 and no longer suppresses this finding; it said: r — owner o"},
		},
		{
			"not suppressing without a date",
			reports.Finding{Suppressed: false, Exception: &reports.Exception{Status: reports.ExceptionActive}},
			&cdx.VulnerabilityAnalysis{State: cdx.IASInTriage, Detail: "policy exception no longer suppresses this finding"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, analysis(tt.f)); diff != "" {
				t.Errorf("analysis (-want +got):\n%s", diff)
			}
		})
	}
}
