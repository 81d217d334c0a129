package markdown

import (
	"fmt"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// suppressedTable lists the findings a live policy exception suppresses.
func suppressedTable(suppressed []located) *block {
	if len(suppressed) == 0 {
		return nil
	}
	b := &block{
		head: fmt.Sprintf("\n### Suppressed findings (%d)\n\nA live policy exception covers each; they do not fail the gate.\n\n", len(suppressed)) +
			tableHead("Risk", "ID", "Package", "Function", "Exception"),
		cut: cutNotes,
	}
	sortByRisk(suppressed)
	for _, l := range suppressed {
		f := l.f
		b.rows = append(b.rows, row(text(string(f.Risk)), osvLink(f.ID), code(f.Package+"@"+f.Version),
			text(l.fn.Name), text(exceptionText(f.Exception))))
	}
	return b
}

// exceptionText says what an exception asserts, until when, who owns it,
// why, and where it is written.
func exceptionText(e *reports.Exception) string {
	if e == nil {
		return "suppressed (no exception recorded)"
	}
	s := e.State
	var detail []string
	if e.Justification != "" {
		detail = append(detail, e.Justification)
	}
	detail = append(detail, e.Response...)
	if len(detail) > 0 {
		s += " (" + strings.Join(detail, "; ") + ")"
	}
	if e.Expires != "" {
		s += " until " + e.Expires
	}
	if e.Owner != "" {
		s += ", owner " + e.Owner
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s + " — " + location(e.Source)
}

func location(l bundle.Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// exceptionList lists the policy's exceptions that need attention: expired
// ones (their findings count again) and stale ones (they match nothing).
func exceptionList(r *reports.Report) *block {
	if r.Policy == nil {
		return nil
	}
	b := &block{cut: cutNotes}
	for _, e := range r.Policy.Exceptions {
		switch e.Status {
		case reports.ExceptionExpired:
			b.rows = append(b.rows, fmt.Sprintf("- **expired** %s: %s no longer suppresses; %s.\n",
				text(location(e.Source)), text(scope(e)), countsAgain(r, e)))
		case reports.ExceptionStale:
			b.rows = append(b.rows, fmt.Sprintf("- **stale** %s: %s matched no finding; remove it or correct it.\n",
				text(location(e.Source)), text(scope(e))))
		}
	}
	if len(b.rows) == 0 {
		return nil
	}
	b.head = fmt.Sprintf("\n### Policy exceptions to review (%d)\n\n", len(b.rows))
	return b
}

// scope says which findings an exception was written for, with its reason,
// owner and expiry.
func scope(e reports.Exception) string {
	var what []string
	if e.ID != "" {
		what = append(what, e.ID)
	}
	if e.Package != "" {
		what = append(what, "package "+e.Package)
	}
	if e.Function != "" {
		what = append(what, "functions "+e.Function)
	}
	if len(what) == 0 {
		what = append(what, "any finding")
	}
	s := "the exception for " + strings.Join(what, ", ")
	var about []string
	for _, kv := range [][2]string{{"reason", e.Reason}, {"owner", e.Owner}, {"expires", e.Expires}} {
		if kv[1] != "" {
			about = append(about, kv[0]+" "+kv[1])
		}
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, ", ") + ")"
	}
	return s
}

// countsAgain says how many findings an expired exception no longer
// suppresses.
func countsAgain(r *reports.Report, e reports.Exception) string {
	n := 0
	for i := range r.Functions {
		for _, f := range r.Functions[i].Findings {
			if f.Exception != nil && !f.Suppressed && f.Exception.Source == e.Source {
				n++
			}
		}
	}
	return fmt.Sprintf("%d %s against the gate again", n, plural(n, "finding counts", "findings count"))
}

// otherFindings lists, per function, the findings neither blocking nor
// suppressed, folded in a <details> block. Its rows are the first to be left
// out when the comment is too long.
func otherFindings(r *reports.Report) *block {
	b := &block{cut: cutDetails}
	for _, fn := range byRisk(r.Functions) {
		first := true
		for i := range fn.Findings {
			f := &fn.Findings[i]
			if f.Suppressed || blocking(r, fn, f) {
				continue
			}
			line := row(riskCell(f), text(severity(f)), osvLink(f.ID), code(f.Package+"@"+f.Version),
				text(where(fn, f.Artifact)), text(fixed(f)), text(f.Summary))
			if first {
				line = "\n#### " + text(fn.Name) + "\n\n" +
					tableHead("Risk", "Severity", "ID", "Package", "Where", "Fixed in", "Summary") + line
				first = false
			}
			b.rows = append(b.rows, line)
		}
	}
	if len(b.rows) == 0 {
		return nil
	}
	b.head = fmt.Sprintf("\n<details>\n<summary>All other findings (%d)</summary>\n", len(b.rows))
	b.tail = "\n</details>\n"
	return b
}
