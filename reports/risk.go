package reports

import (
	"fmt"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/vuln"
)

// Level is a risk level, and the threshold of the release gate.
type Level string

// Risk levels, highest first.
const (
	LevelCritical Level = "critical"
	LevelHigh     Level = "high"
	LevelMedium   Level = "medium"
	LevelLow      Level = "low"
	LevelNone     Level = "none"
)

// Levels lists the risk levels from highest to lowest.
var Levels = []Level{LevelCritical, LevelHigh, LevelMedium, LevelLow, LevelNone}

// Rank orders levels: critical 4 … none 0.
func (l Level) Rank() int {
	switch l {
	case LevelCritical:
		return 4
	case LevelHigh:
		return 3
	case LevelMedium:
		return 2
	case LevelLow:
		return 1
	}
	return 0
}

// ParseLevel reads a --fail-on value.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Levels {
		if l == known {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown level %q: use one of critical, high, medium, low, none", s)
}

// severityScore is the base score of a finding: its CVSS base score when the
// advisory has one, else the middle of its severity's CVSS band. An unknown
// severity counts as medium: an unrated advisory is not a harmless one.
func severityScore(f vuln.Finding) float64 {
	if f.CVSS > 0 {
		return f.CVSS * 10
	}
	switch f.Severity {
	case vuln.SeverityCritical:
		return 95
	case vuln.SeverityHigh:
		return 80
	case vuln.SeverityLow:
		return 20
	}
	return 55
}

// exposureWeight raises the risk of what anyone on the internet can reach and
// lowers it for functions only the platform's own event sources invoke.
func exposureWeight(e bundle.Exposure) float64 {
	switch e {
	case bundle.ExposurePublic:
		return 15
	case bundle.ExposureAuthenticated:
		return 5
	case bundle.ExposureInternal:
		return -15
	}
	return 0
}

// privilegeWeight raises the risk of a function whose role can do much harm
// once the function is compromised.
func privilegeWeight(p bundle.Privilege) float64 {
	switch p {
	case bundle.PrivilegeAdmin:
		return 10
	case bundle.PrivilegeBroad:
		return 5
	}
	return 0
}

// levelOf maps a 0–100 score to a risk level.
func levelOf(score int) Level {
	switch {
	case score >= 90:
		return LevelCritical
	case score >= 70:
		return LevelHigh
	case score >= 40:
		return LevelMedium
	case score > 0:
		return LevelLow
	}
	return LevelNone
}

// findingScore is a finding's risk score in a function's context.
func findingScore(f vuln.Finding, fn *Function) int {
	s := severityScore(f) + exposureWeight(fn.Exposure) + privilegeWeight(fn.Privilege)
	return int(min(max(s, 1), 100) + 0.5)
}

// Assess rates every finding, every function and the whole report, and sets
// the gate verdict.
func Assess(r *Report, p Policy) {
	if p.File != "" {
		r.Policy = p.apply(r)
	}
	r.Summary = Summary{Functions: len(r.Functions), ByRisk: map[Level]int{}}
	failed := false
	for i := range r.Functions {
		fn := &r.Functions[i]
		assessFunction(fn)
		if fn.Status == StatusIncomplete {
			r.Summary.Incomplete++
		}
		threshold := p.Threshold(fn.Exposure)
		for _, f := range fn.Findings {
			r.Summary.Findings++
			r.Summary.ByRisk[f.Risk]++
			if !f.Suppressed && threshold != LevelNone && f.Risk.Rank() >= threshold.Rank() {
				failed = true
			}
		}
	}
	g := Gate{FailOn: p.FailOn, Passed: !failed && r.Summary.Incomplete == 0, ExitCode: ExitPassed}
	switch {
	case r.Summary.Incomplete > 0:
		g.ExitCode = ExitIncomplete
	case failed:
		g.ExitCode = ExitFailed
	}
	r.Summary.Gate = g
	r.Normalize()
}

// assessFunction rates a function's findings and keeps the highest as the
// function's risk, with the reasons in words.
func assessFunction(fn *Function) {
	best, bestIdx := 0, -1
	for i := range fn.Findings {
		f := &fn.Findings[i]
		score := findingScore(f.Finding, fn)
		f.Risk = levelOf(score)
		if !f.Suppressed && score > best {
			best, bestIdx = score, i
		}
	}
	fn.Risk = FunctionRisk{Level: levelOf(best), Score: best, Reasons: []string{}}
	if fn.Status == StatusIncomplete {
		fn.Risk.Reasons = append(fn.Risk.Reasons, "audit incomplete: "+strings.Join(fn.Errors, "; "))
	}
	if bestIdx < 0 {
		return
	}
	f := fn.Findings[bestIdx]
	fn.Risk.Reasons = append(fn.Risk.Reasons, findingReason(f.Finding, artifactLabel(fn, f.Artifact)))
	if r := exposureReason(fn); r != "" {
		fn.Risk.Reasons = append(fn.Risk.Reasons, r)
	}
	if fn.Privilege == bundle.PrivilegeAdmin || fn.Privilege == bundle.PrivilegeBroad {
		fn.Risk.Reasons = append(fn.Risk.Reasons, privilegeReason(fn))
	}
}

func findingReason(f vuln.Finding, from string) string {
	s := fmt.Sprintf("%s %s in %s@%s", f.Severity, f.ID, f.Package, f.Version)
	if from != "" {
		s += fmt.Sprintf(" (%s)", from)
	}
	if len(f.Fixed) == 0 {
		s += ", no fixed version"
	} else {
		s += ", fixed in " + strings.Join(f.Fixed, ", ")
	}
	return s
}

func exposureReason(fn *Function) string {
	switch fn.Exposure {
	case bundle.ExposureUnknown:
		return "exposure unknown: no manifest says how the function is invoked"
	case bundle.ExposureInternal:
		return ""
	}
	for _, t := range fn.Triggers {
		if t.Exposure != fn.Exposure {
			continue
		}
		switch t.Exposure {
		case bundle.ExposurePublic:
			return fmt.Sprintf("reachable from the internet without authentication: %s %s", t.Type, t.Detail)
		case bundle.ExposureAuthenticated:
			return fmt.Sprintf("internet-facing behind %s authentication: %s %s", t.Auth, t.Type, t.Detail)
		default:
			return fmt.Sprintf("exposure unknown: %s %s (auth %s)", t.Type, t.Detail, t.Auth)
		}
	}
	return string(fn.Exposure) + " trigger"
}

func privilegeReason(fn *Function) string {
	if len(fn.PrivilegeReasons) == 0 {
		return fmt.Sprintf("%s role", fn.Privilege)
	}
	return fmt.Sprintf("%s role: allows %s", fn.Privilege, strings.Join(fn.PrivilegeReasons, "; "))
}
