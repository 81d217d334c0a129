package markdown

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// exposures lists the exposures in the order thresholds are shown.
func exposures() []bundle.Exposure {
	return []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown}
}

// threshold is the risk at or above which a finding of a function with
// exposure e fails the gate: the policy's level for e, else the gate's
// (none when the report was never assessed).
func threshold(r *reports.Report, e bundle.Exposure) reports.Level {
	if r.Policy != nil {
		if l, ok := r.Policy.FailOn[e]; ok && l != "" {
			return l
		}
	}
	return cmp.Or(r.Summary.Gate.FailOn, reports.LevelNone)
}

// blocking says whether f, a finding of fn, fails the gate.
func blocking(r *reports.Report, fn *reports.Function, f *reports.Finding) bool {
	t := threshold(r, fn.Exposure)
	return !f.Suppressed && t.Rank() > 0 && f.Risk.Rank() >= t.Rank()
}

// verdict is the gate's outcome in one word.
func verdict(g reports.Gate) string {
	switch {
	case g.ExitCode == reports.ExitIncomplete:
		return "incomplete"
	case !g.Passed:
		return "failed"
	}
	return "passed"
}

// failOn describes the gate's thresholds: one level, or one per exposure
// when a policy sets them and they differ.
func failOn(r *reports.Report) string {
	exps := exposures()
	levels := make([]string, len(exps))
	same := true
	for i, e := range exps {
		levels[i] = string(threshold(r, e))
		same = same && levels[i] == levels[0]
	}
	if same {
		if levels[0] == string(reports.LevelNone) {
			return "fail on none (findings never fail the gate)"
		}
		return "fail on " + levels[0]
	}
	parts := make([]string, len(exps))
	for i, e := range exps {
		parts[i] = fmt.Sprintf("%s ≥ %s", e, levels[i])
	}
	return "fail on " + strings.Join(parts, ", ")
}

// byRisk returns the functions from the riskiest down: risk level, score,
// incomplete before complete, then name.
func byRisk(fns []reports.Function) []*reports.Function {
	out := make([]*reports.Function, len(fns))
	for i := range fns {
		out[i] = &fns[i]
	}
	slices.SortStableFunc(out, func(a, b *reports.Function) int {
		return cmp.Or(
			-cmp.Compare(a.Risk.Level.Rank(), b.Risk.Level.Rank()),
			-cmp.Compare(a.Risk.Score, b.Risk.Score),
			-cmp.Compare(incomplete(a), incomplete(b)),
			cmp.Compare(a.Name, b.Name),
		)
	})
	return out
}

// incomplete is 1 for an incomplete function, else 0.
func incomplete(fn *reports.Function) int {
	if fn.Status == reports.StatusIncomplete {
		return 1
	}
	return 0
}

// widestTrigger is the first trigger that gives the function its exposure.
func widestTrigger(fn *reports.Function) (bundle.Trigger, bool) {
	for _, t := range fn.Triggers {
		if t.Exposure == fn.Exposure {
			return t, true
		}
	}
	return bundle.Trigger{}, false
}

// where says which of the function's artifacts a package comes from:
// "code", "image", or "layer NAME".
func where(fn *reports.Function, artifact string) string {
	for _, a := range fn.Artifacts {
		if a.Name != artifact {
			continue
		}
		if a.Role == bundle.RoleLayer {
			return "layer " + a.Name
		}
		return string(a.Role)
	}
	return artifact
}

// severity is a finding's severity with its CVSS base score, if any.
func severity(f *reports.Finding) string {
	if f.CVSS > 0 {
		return fmt.Sprintf("%s %.1f", f.Severity, f.CVSS)
	}
	return string(f.Severity)
}

// fixed lists the fixing versions, or says there is none.
func fixed(f *reports.Finding) string {
	if len(f.Fixed) == 0 {
		return "no fix"
	}
	return strings.Join(f.Fixed, ", ")
}

// riskCell is a finding's risk, marked when an exception that matched it
// has expired.
func riskCell(f *reports.Finding) string {
	if f.Exception != nil && !f.Suppressed {
		return text(string(f.Risk)) + " (exception expired)"
	}
	return text(string(f.Risk))
}
