package markdown

import (
	"fmt"
	"io"
	"strings"

	"github.com/fnaudit/fnaudit/reports"
)

// Encode writes r as GitHub-flavoured Markdown of at most [MaxBytes] bytes.
func Encode(w io.Writer, r *reports.Report) error { return encode(w, r, MaxBytes) }

// encode writes r within limit bytes.
func encode(w io.Writer, r *reports.Report, limit int) error {
	_, err := io.WriteString(w, fit(blocks(r), limit))
	return err
}

// located is a finding with the function it was found in.
type located struct {
	fn *reports.Function
	f  *reports.Finding
}

// blocks lays out the comment, in order.
func blocks(r *reports.Report) []*block {
	var blockers, suppressed []located
	for _, fn := range byRisk(r.Functions) {
		for i := range fn.Findings {
			f := &fn.Findings[i]
			switch {
			case blocking(r, fn, f):
				blockers = append(blockers, located{fn, f})
			case f.Suppressed:
				suppressed = append(suppressed, located{fn, f})
			}
		}
	}
	all := []*block{
		header(r, len(blockers), len(suppressed)),
		functionTable(r),
		blockingTable(blockers),
		incompleteList(r),
		warningList(r),
		suppressedTable(suppressed),
		exceptionList(r),
		otherFindings(r),
		footer(r),
	}
	out := all[:0]
	for _, b := range all {
		if b != nil {
			out = append(out, b)
		}
	}
	return out
}

// header is the verdict line and the counts line; it is never cut.
func header(r *reports.Report, blockers, suppressed int) *block {
	var b strings.Builder
	g := r.Summary.Gate
	fmt.Fprintf(&b, "**fnaudit: gate %s** (exit %d) for %s (%s): %s; %s",
		verdict(g), g.ExitCode, text(r.Application.Name), text(string(r.Application.Kind)),
		why(r, blockers), failOn(r))
	if r.Policy != nil && r.Policy.File != "" {
		fmt.Fprintf(&b, " (policy %s)", code(r.Policy.File))
	}
	b.WriteString(".\n\n")
	s := r.Summary
	fmt.Fprintf(&b, "%d %s (%d incomplete) · %d %s", s.Functions, plural(s.Functions, "function", "functions"),
		s.Incomplete, s.Findings, plural(s.Findings, "finding", "findings"))
	if by := byLevel(s.ByRisk); by != "" {
		b.WriteString(": " + by)
	}
	fmt.Fprintf(&b, " · %d blocking · %d suppressed\n", blockers, suppressed)
	return &block{head: b.String()}
}

// why says in a few words what decided the verdict.
func why(r *reports.Report, blockers int) string {
	var parts []string
	if n := r.Summary.Incomplete; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s could not be audited", n, plural(n, "function", "functions")))
	}
	if blockers > 0 {
		parts = append(parts, fmt.Sprintf("%d %s at or above the threshold", blockers, plural(blockers, "finding", "findings")))
	}
	if len(parts) == 0 {
		return "nothing blocks"
	}
	return strings.Join(parts, " and ")
}

// byLevel lists the non-zero counts per risk level, highest first.
func byLevel(counts map[reports.Level]int) string {
	var parts []string
	for _, l := range reports.Levels {
		if n := counts[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, n))
		}
	}
	return strings.Join(parts, ", ")
}

// row writes the cells of one table row.
func row(cells ...string) string {
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// tableHead writes a table's header and delimiter rows.
func tableHead(cols ...string) string {
	return row(cols...) + strings.Repeat("|---", len(cols)) + "|\n"
}

// footer names the tool and the database, and ends with the marker a bot
// can look for to update its earlier comment.
func footer(r *reports.Report) *block {
	parts := []string{text(r.Tool.Name + " " + r.Tool.Version), text(r.Schema)}
	var dbs []string
	for _, e := range r.Database.Ecosystems {
		s := fmt.Sprintf("%s %d records", e.Name, e.Records)
		if !e.Modified.IsZero() {
			s += ", newest " + e.Modified.UTC().Format("2006-01-02")
		}
		dbs = append(dbs, s)
	}
	if len(dbs) > 0 {
		parts = append(parts, "database: "+text(strings.Join(dbs, "; ")))
	}
	return &block{head: "\n<sub>" + strings.Join(parts, " · ") + "</sub>\n\n<!-- fnaudit-report -->\n"}
}
