package cyclonedx

import (
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// analysis is the VEX statement of a finding a policy exception matched:
// the exception's state, justification and responses while it suppresses
// the finding; in_triage, saying so, once it has expired (or for any other
// reason no longer suppresses). A finding no exception matched has none.
func analysis(f reports.Finding) *cdx.VulnerabilityAnalysis {
	ex := f.Exception
	if ex == nil {
		return nil
	}
	if !f.Suppressed || ex.Status == reports.ExceptionExpired {
		return &cdx.VulnerabilityAnalysis{State: cdx.IASInTriage, Detail: lapsedDetail(ex)}
	}
	a := &cdx.VulnerabilityAnalysis{State: impactState(ex.State), Detail: exceptionDetail(ex, true)}
	if a.State == cdx.IASNotAffected {
		a.Justification = justification(ex.Justification)
	}
	a.Response = responses(ex.Response)
	return a
}

// impactState maps an exception's state onto CycloneDX's; an exception
// without one asserts not_affected, and one CycloneDX does not know leaves
// the finding in triage.
func impactState(s string) cdx.ImpactAnalysisState {
	switch st := cdx.ImpactAnalysisState(s); st {
	case "":
		return cdx.IASNotAffected
	case cdx.IASResolved, cdx.IASResolvedWithPedigree, cdx.IASExploitable,
		cdx.IASInTriage, cdx.IASFalsePositive, cdx.IASNotAffected:
		return st
	}
	return cdx.IASInTriage
}

// justification maps an exception's justification onto CycloneDX's ("" for
// none or one CycloneDX does not know).
func justification(s string) cdx.ImpactAnalysisJustification {
	switch j := cdx.ImpactAnalysisJustification(s); j {
	case cdx.IAJCodeNotPresent, cdx.IAJCodeNotReachable, cdx.IAJRequiresConfiguration,
		cdx.IAJRequiresDependency, cdx.IAJRequiresEnvironment, cdx.IAJProtectedByCompiler,
		cdx.IAJProtectedAtRuntime, cdx.IAJProtectedAtPerimeter, cdx.IAJProtectedByMitigatingControl:
		return j
	}
	return ""
}

// responses maps an exception's responses onto CycloneDX's, in order,
// dropping unknown and repeated ones.
func responses(in []string) *[]cdx.ImpactAnalysisResponse {
	var out []cdx.ImpactAnalysisResponse
	seen := map[cdx.ImpactAnalysisResponse]bool{}
	for _, s := range in {
		r := cdx.ImpactAnalysisResponse(s)
		switch r {
		case cdx.IARCanNotFix, cdx.IARWillNotFix, cdx.IARUpdate, cdx.IARRollback, cdx.IARWorkaroundAvailable:
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return ptr(out)
}

// exceptionDetail is "<reason> — owner <owner>, expires <date>", leaving
// out what the exception does not say (and the date when expiry is false).
func exceptionDetail(ex *reports.Exception, expiry bool) string {
	var extra []string
	if ex.Owner != "" {
		extra = append(extra, "owner "+ex.Owner)
	}
	if expiry && ex.Expires != "" {
		extra = append(extra, "expires "+ex.Expires)
	}
	switch {
	case len(extra) == 0:
		return ex.Reason
	case ex.Reason == "":
		return strings.Join(extra, ", ")
	}
	return ex.Reason + " — " + strings.Join(extra, ", ")
}

// lapsedDetail says that an exception no longer suppresses the finding, and
// what it said.
func lapsedDetail(ex *reports.Exception) string {
	s := "policy exception"
	if loc := location(ex.Source); loc != "" {
		s += " (" + loc + ")"
	}
	if ex.Expires != "" {
		s += " expired on " + ex.Expires + " and"
	}
	s += " no longer suppresses this finding"
	if d := exceptionDetail(ex, false); d != "" {
		s += "; it said: " + d
	}
	return s
}

// location formats a manifest or policy location as "file:line" ("file"
// when the line is unknown).
func location(l bundle.Location) string {
	if l.File == "" || l.Line <= 0 {
		return l.File
	}
	return l.File + ":" + strconv.Itoa(l.Line)
}
