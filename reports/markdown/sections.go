package markdown

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// Cut order: what gives way first when the comment is too long.
const (
	cutDetails = 1 + iota
	cutNotes
	cutFunctions
	cutIncomplete
	cutBlocking
)

// functionTable lists every function, riskiest first.
func functionTable(r *reports.Report) *block {
	if len(r.Functions) == 0 {
		return nil
	}
	b := &block{
		head: "\n### Functions\n\n" + tableHead("Function", "Risk", "Exposure", "Privilege", "Findings", "Status"),
		cut:  cutFunctions,
	}
	for _, fn := range byRisk(r.Functions) {
		status := text(fn.Status)
		if fn.Status == reports.StatusIncomplete {
			status = "**" + status + "**"
		}
		b.rows = append(b.rows, row(text(fn.Name), functionRisk(fn), exposure(fn),
			text(withReasons(string(fn.Privilege), fn.PrivilegeReasons)), findingCounts(r, fn), status))
	}
	return b
}

func functionRisk(fn *reports.Function) string {
	if fn.Risk.Score > 0 {
		return fmt.Sprintf("%s (%d)", text(string(fn.Risk.Level)), fn.Risk.Score)
	}
	return text(string(fn.Risk.Level))
}

// exposure is the function's exposure and the trigger that gives it.
func exposure(fn *reports.Function) string {
	t, ok := widestTrigger(fn)
	switch {
	case ok:
		return text(fmt.Sprintf("%s: %s %s, auth %s", fn.Exposure, t.Type, t.Detail, t.Auth))
	case len(fn.Triggers) == 0 && fn.Exposure == bundle.ExposureInternal:
		return "internal (no trigger)"
	}
	return text(string(fn.Exposure))
}

func withReasons(s string, reasons []string) string {
	if len(reasons) == 0 {
		return s
	}
	return s + ": " + strings.Join(reasons, "; ")
}

// findingCounts is the number of findings, with how many block and how many
// are suppressed.
func findingCounts(r *reports.Report, fn *reports.Function) string {
	var block, suppressed int
	for i := range fn.Findings {
		switch f := &fn.Findings[i]; {
		case blocking(r, fn, f):
			block++
		case f.Suppressed:
			suppressed++
		}
	}
	var parts []string
	if block > 0 {
		parts = append(parts, fmt.Sprintf("%d blocking", block))
	}
	if suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", suppressed))
	}
	if len(parts) == 0 {
		return fmt.Sprint(len(fn.Findings))
	}
	return fmt.Sprintf("%d (%s)", len(fn.Findings), strings.Join(parts, ", "))
}

// blockingTable lists the findings that fail the gate.
func blockingTable(blockers []located) *block {
	if len(blockers) == 0 {
		return nil
	}
	b := &block{
		head: fmt.Sprintf("\n### Blocking findings (%d)\n\n", len(blockers)) +
			tableHead("Risk", "Severity", "ID", "Package", "Where", "Fixed in", "Function", "Summary"),
		cut: cutBlocking,
	}
	sortByRisk(blockers)
	for _, l := range blockers {
		f := l.f
		b.rows = append(b.rows, row(riskCell(f), text(severity(f)), osvLink(f.ID),
			code(f.Package+"@"+f.Version), text(where(l.fn, f.Artifact)), text(fixed(f)),
			text(l.fn.Name), text(f.Summary)))
	}
	return b
}

// sortByRisk orders findings of several functions by risk, keeping the
// order of the functions and of their findings among equals.
func sortByRisk(ls []located) {
	slices.SortStableFunc(ls, func(a, b located) int { return -cmp.Compare(a.f.Risk.Rank(), b.f.Risk.Rank()) })
}

// incompleteList names the functions that could not be audited, one row
// per error.
func incompleteList(r *reports.Report) *block {
	b := &block{cut: cutIncomplete}
	n := 0
	for i := range r.Functions {
		fn := &r.Functions[i]
		if fn.Status != reports.StatusIncomplete {
			continue
		}
		n++
		errs := fn.Errors
		if len(errs) == 0 {
			errs = []string{"no reason recorded"}
		}
		for _, e := range errs {
			b.rows = append(b.rows, fmt.Sprintf("- **%s**: %s\n", text(fn.Name), text(e)))
		}
	}
	if n == 0 {
		return nil
	}
	b.head = fmt.Sprintf("\n### Incomplete functions (%d)\n\nThese could not be fully audited; the gate fails closed until they can.\n\n", n)
	return b
}

// warningList lists what the manifest loader and the database could not
// check.
func warningList(r *reports.Report) *block {
	b := &block{head: "\n### Warnings\n\n", cut: cutNotes}
	for _, w := range r.Application.Warnings {
		b.rows = append(b.rows, "- manifest: "+text(w)+"\n")
	}
	for _, w := range r.Database.Warnings {
		b.rows = append(b.rows, "- database: "+text(w)+"\n")
	}
	if len(b.rows) == 0 {
		return nil
	}
	return b
}
