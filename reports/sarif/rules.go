package sarif

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/vuln"
)

// Precision is every rule's "precision" property. A finding is an installed
// package whose version an advisory's ranges name, not a heuristic guess, so
// false positives are rare: "very-high", as Trivy writes for the same kind of
// result.
const Precision = "very-high"

// osvURL is where an advisory is described.
const osvURL = "https://osv.dev/vulnerability/"

// occurrence is one finding of one function: one result.
type occurrence struct {
	fn *reports.Function
	f  *reports.Finding
}

// occurrences lists the findings of every function in result order:
// function, risk (highest first), advisory, package, version, then the
// remaining fields so that the order is total.
func occurrences(r *reports.Report) []occurrence {
	var out []occurrence
	for i := range r.Functions {
		fn := &r.Functions[i]
		for j := range fn.Findings {
			out = append(out, occurrence{fn: fn, f: &fn.Findings[j]})
		}
	}
	slices.SortStableFunc(out, compareOccurrences)
	return out
}

func compareOccurrences(a, b occurrence) int {
	return cmp.Or(
		cmp.Compare(a.fn.Name, b.fn.Name),
		-cmp.Compare(a.f.Risk.Rank(), b.f.Risk.Rank()),
		cmp.Compare(a.f.ID, b.f.ID),
		cmp.Compare(a.f.Package, b.f.Package),
		cmp.Compare(a.f.Version, b.f.Version),
		cmp.Compare(a.f.Ecosystem, b.f.Ecosystem),
		cmp.Compare(a.f.Artifact, b.f.Artifact),
		cmp.Compare(a.f.Location, b.f.Location),
	)
}

// ruleSet is the run's rules, sorted by ID, and each ID's index.
type ruleSet struct {
	descriptors []*gosarif.ReportingDescriptor
	index       map[string]int
}

// advisory gathers what the findings of one advisory say about it.
type advisory struct {
	id string
	// rep is the finding that rates the advisory: the highest CVSS score,
	// then the highest severity, then the first in result order.
	rep *reports.Finding
	// risk is the highest risk of any of its findings.
	risk       reports.Level
	aliases    []string
	ecosystems []string
	// affected lists "ecosystem package version: fixed in ..." lines.
	affected []string
}

// buildRules makes one rule per advisory found, sorted by ID.
func buildRules(occs []occurrence) ruleSet {
	advs := gatherAdvisories(occs)
	set := ruleSet{descriptors: make([]*gosarif.ReportingDescriptor, 0, len(advs)), index: map[string]int{}}
	for i, a := range advs {
		set.index[a.id] = i
		set.descriptors = append(set.descriptors, buildRule(a))
	}
	return set
}

// gatherAdvisories groups the findings by advisory ID, sorted by ID.
func gatherAdvisories(occs []occurrence) []*advisory {
	byID := map[string]*advisory{}
	for _, o := range occs {
		a, ok := byID[o.f.ID]
		if !ok {
			a = &advisory{id: o.f.ID, rep: o.f, risk: o.f.Risk}
			byID[o.f.ID] = a
		}
		a.add(o.f)
	}
	out := make([]*advisory, 0, len(byID))
	for _, a := range byID {
		a.aliases = sortedUnique(a.aliases)
		a.ecosystems = sortedUnique(a.ecosystems)
		a.affected = sortedUnique(a.affected)
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y *advisory) int { return cmp.Compare(x.id, y.id) })
	return out
}

// add folds one finding of the advisory in.
func (a *advisory) add(f *reports.Finding) {
	if rates := cmp.Or(cmp.Compare(f.CVSS, a.rep.CVSS), cmp.Compare(f.Severity.Rank(), a.rep.Severity.Rank())); rates > 0 {
		a.rep = f
	}
	if f.Risk.Rank() > a.risk.Rank() {
		a.risk = f.Risk
	}
	a.aliases = append(a.aliases, f.Aliases...)
	a.ecosystems = append(a.ecosystems, f.Ecosystem)
	a.affected = append(a.affected, affectedLine(&f.Finding))
}

// affectedLine says which package version the advisory affects and what
// fixes it.
func affectedLine(f *vuln.Finding) string {
	return fmt.Sprintf("%s %s %s: %s", f.Ecosystem, f.Package, f.Version, fixedText(f.Fixed))
}

// fixedText is "fixed in 1.2.3, 2.0.1" or "no fixed version".
func fixedText(fixed []string) string {
	if len(fixed) == 0 {
		return "no fixed version"
	}
	return "fixed in " + strings.Join(fixed, ", ")
}

// buildRule makes the rule of one advisory.
func buildRule(a *advisory) *gosarif.ReportingDescriptor {
	rule := gosarif.NewRule(a.id).
		WithShortDescription(gosarif.NewMultiformatMessageString().WithText(shortDescription(a))).
		WithFullDescription(gosarif.NewMultiformatMessageString().WithText(fullDescription(a))).
		WithHelpURI(helpURI(a.id)).
		WithHelp(gosarif.NewMultiformatMessageString().WithText(helpText(a)).WithMarkdown(helpMarkdown(a))).
		WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(levelOf(a.risk)))
	return rule.WithProperties(ruleProperties(a))
}

// ruleProperties holds what GitHub reads from a rule: security-severity,
// tags and precision.
func ruleProperties(a *advisory) *gosarif.PropertyBag {
	p := gosarif.NewPropertyBag()
	if s, ok := securitySeverity(a.rep.CVSS, a.rep.Severity); ok {
		p.Add("security-severity", s)
	}
	p.Add("precision", Precision)
	return p.WithTags(append([]string{"security", "vulnerability"}, a.ecosystems...))
}

// securitySeverity is the rule's "security-severity": the CVSS base score
// with one decimal, else a score in the middle of the severity's band
// (critical 9.5, high 8.0, medium 5.5, low 2.0); none for an unknown
// severity, which GitHub then shows without one.
func securitySeverity(cvss float64, sev vuln.Severity) (string, bool) {
	if cvss > 0 {
		return formatScore(cvss), true
	}
	switch sev {
	case vuln.SeverityCritical:
		return "9.5", true
	case vuln.SeverityHigh:
		return "8.0", true
	case vuln.SeverityMedium:
		return "5.5", true
	case vuln.SeverityLow:
		return "2.0", true
	}
	return "", false
}

// levelOf maps a risk to a SARIF level: critical and high are errors,
// medium a warning, low and none notes.
func levelOf(risk reports.Level) string {
	switch risk {
	case reports.LevelCritical, reports.LevelHigh:
		return gosarif.LevelError
	case reports.LevelMedium:
		return gosarif.LevelWarning
	}
	return gosarif.LevelNote
}

// helpURI is the advisory's page on osv.dev.
func helpURI(id string) string {
	return osvURL + url.PathEscape(id)
}

// shortDescription is the advisory's summary, else its ID.
func shortDescription(a *advisory) string {
	return cmp.Or(strings.TrimSpace(a.rep.Summary), a.id)
}

// fullDescription is the summary with the advisory's IDs and rating.
func fullDescription(a *advisory) string {
	ids := strings.Join(append([]string{a.id}, a.aliases...), ", ")
	return fmt.Sprintf("%s (%s): %s.", shortDescription(a), ids, ratingText(&a.rep.Finding))
}

// ratingText is "high severity, CVSS 7.2" or "severity unknown".
func ratingText(f *vuln.Finding) string {
	s := "severity unknown"
	if name := severityName(f); name != string(vuln.SeverityUnknown) {
		s = name + " severity"
	}
	if f.CVSS > 0 {
		s += ", CVSS " + formatScore(f.CVSS)
	}
	return s
}

// sortedUnique sorts s and drops repeats.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// severityName is the finding's severity, "unknown" when it has none.
func severityName(f *vuln.Finding) string {
	if f.Severity == "" {
		return string(vuln.SeverityUnknown)
	}
	return string(f.Severity)
}

// formatScore writes a CVSS score with one decimal: "7.2", "8.0".
func formatScore(score float64) string {
	return strconv.FormatFloat(score, 'f', 1, 64)
}
