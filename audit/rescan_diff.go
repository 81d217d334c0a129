package audit

import (
	"slices"

	"github.com/fnaudit/fnaudit/reports"
)

// occurrence identifies where a finding is: the package occurrence.
type occurrence struct {
	ecosystem, name, version, artifact, location string
}

func occurrenceOf(f reports.Finding) occurrence {
	return occurrence{f.Ecosystem, f.Package, f.Version, f.Artifact, f.Location}
}

// sameAdvisory reports whether two findings are about the same flaw: their
// IDs and aliases intersect (an advisory whose primary ID changed between
// the scan and the rescan, say a PYSEC record that gained a GHSA alias, is
// still the same finding).
func sameAdvisory(a, b reports.Finding) bool {
	ids := append([]string{a.ID}, a.Aliases...)
	if slices.Contains(ids, b.ID) {
		return true
	}
	for _, id := range b.Aliases {
		if slices.Contains(ids, id) {
			return true
		}
	}
	return false
}

// markChanges marks each current finding of a function new or unchanged
// against the stored ones (a stored finding marked fixed by an earlier
// rescan is no longer a finding and is ignored), and returns the stored
// findings that are no longer matched, marked fixed.
func markChanges(current []reports.Finding, stored []reports.Finding) []reports.Finding {
	byOcc := map[occurrence][]int{}
	for i, f := range stored {
		if f.Change != reports.ChangeFixed {
			byOcc[occurrenceOf(f)] = append(byOcc[occurrenceOf(f)], i)
		}
	}
	used := make([]bool, len(stored))
	for i := range current {
		c := &current[i]
		c.Change = reports.ChangeNew
		for _, j := range byOcc[occurrenceOf(*c)] {
			if !used[j] && sameAdvisory(*c, stored[j]) {
				used[j], c.Change = true, reports.ChangeUnchanged
				break
			}
		}
	}
	var fixed []reports.Finding
	for i, f := range stored {
		if !used[i] && f.Change != reports.ChangeFixed {
			f.Change = reports.ChangeFixed
			fixed = append(fixed, f)
		}
	}
	return fixed
}

// rescanGate is a rescan's verdict: it fails (exit 1) when a new,
// unsuppressed finding is at or above the policy's threshold for its
// function's exposure; unchanged findings were there at the last scan and
// do not fail a rescan. Otherwise a stored scan that was incomplete fails
// closed (exit 3). A new finding wins over incompleteness: it is what a
// scheduled rescan exists to report.
func rescanGate(r *reports.Report, p reports.Policy) reports.Gate {
	failed := false
	for _, fn := range r.Functions {
		threshold := p.Threshold(fn.Exposure)
		for _, f := range fn.Findings {
			if f.Change == reports.ChangeNew && !f.Suppressed && threshold != reports.LevelNone && f.Risk.Rank() >= threshold.Rank() {
				failed = true
			}
		}
	}
	g := reports.Gate{FailOn: p.FailOn, ExitCode: reports.ExitPassed}
	switch {
	case failed:
		g.ExitCode = reports.ExitFailed
	case r.Summary.Incomplete > 0:
		g.ExitCode = reports.ExitIncomplete
	}
	g.Passed = g.ExitCode == reports.ExitPassed
	return g
}

// countChanges counts the findings of r by change.
func countChanges(r *reports.Report) *reports.Changes {
	c := &reports.Changes{}
	for _, fn := range r.Functions {
		for _, f := range fn.Findings {
			switch f.Change {
			case reports.ChangeNew:
				c.New++
			case reports.ChangeUnchanged:
				c.Unchanged++
			case reports.ChangeFixed:
				c.Fixed++
			}
		}
	}
	return c
}
