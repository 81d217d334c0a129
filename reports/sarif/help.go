package sarif

import (
	"strings"

	"github.com/fnaudit/fnaudit/vuln"
)

// helpText is a rule's help as plain text: the summary, the advisory's IDs,
// its rating, the affected package versions with their fixes, and links.
func helpText(a *advisory) string {
	var b strings.Builder
	b.WriteString(oneLine(shortDescription(a)) + "\n\n")
	b.WriteString("Advisory: " + a.id + "\n")
	if len(a.aliases) > 0 {
		b.WriteString("Aliases: " + strings.Join(a.aliases, ", ") + "\n")
	}
	b.WriteString("Severity: " + severityLine(&a.rep.Finding) + "\n")
	b.WriteString("Affected packages in this application:\n")
	for _, line := range a.affected {
		b.WriteString("- " + line + "\n")
	}
	b.WriteString("Details: " + helpURI(a.id) + "\n")
	if len(a.rep.References) > 0 {
		b.WriteString("References:\n")
		for _, u := range a.rep.References {
			b.WriteString("- " + u + "\n")
		}
	}
	return b.String()
}

// helpMarkdown is helpText in GitHub-flavoured Markdown, with the
// advisory's own words escaped so that they render as written.
func helpMarkdown(a *advisory) string {
	var b strings.Builder
	b.WriteString("**" + escapeMarkdown(oneLine(shortDescription(a))) + "**\n\n")
	b.WriteString("- Advisory: [" + escapeMarkdown(a.id) + "](" + helpURI(a.id) + ")\n")
	if len(a.aliases) > 0 {
		b.WriteString("- Aliases: " + escapeMarkdown(strings.Join(a.aliases, ", ")) + "\n")
	}
	b.WriteString("- Severity: " + severityMarkdown(&a.rep.Finding) + "\n")
	b.WriteString("- Affected packages in this application:\n")
	for _, line := range a.affected {
		b.WriteString("  - " + escapeMarkdown(line) + "\n")
	}
	if len(a.rep.References) > 0 {
		b.WriteString("- References:\n")
		for _, u := range a.rep.References {
			b.WriteString("  - " + markdownLink(u) + "\n")
		}
	}
	return b.String()
}

// severityLine is "high, CVSS 7.2 (CVSS:3.1/...)" or "unknown".
func severityLine(f *vuln.Finding) string {
	s := severityName(f)
	if f.CVSS > 0 {
		s += ", CVSS " + formatScore(f.CVSS)
	}
	if f.CVSSVector != "" {
		s += " (" + f.CVSSVector + ")"
	}
	return s
}

// severityMarkdown is severityLine with the vector as code.
func severityMarkdown(f *vuln.Finding) string {
	g := *f
	g.CVSSVector = ""
	s := escapeMarkdown(severityLine(&g))
	if v := f.CVSSVector; v != "" && !strings.Contains(v, "`") {
		s += " (`" + v + "`)"
	}
	return s
}

// markdownLink is an autolink for a plain URL, else the escaped text.
func markdownLink(u string) string {
	if u == "" || strings.ContainsAny(u, "<> \t\r\n") {
		return escapeMarkdown(u)
	}
	return "<" + u + ">"
}

// escapeMarkdown makes s render as written inside a Markdown line: it
// backslash-escapes the punctuation that means something there (CommonMark
// allows a backslash before any ASCII punctuation), including the ampersand
// of HTML entities.
func escapeMarkdown(s string) string {
	return strings.NewReplacer(
		`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
		"<", `\<`, ">", `\>`, "&", `\&`, "~", `\~`, "|", `\|`,
	).Replace(s)
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
