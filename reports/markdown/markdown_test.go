package markdown

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/golden"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

func encodeString(t *testing.T, r *reports.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestGoldenSample encodes the shared sample report twice, expects the same
// bytes, checks the structure every comment must keep, and compares it with
// its reviewed golden file.
func TestGoldenSample(t *testing.T) {
	got := encodeString(t, reportstest.Sample())
	if again := encodeString(t, reportstest.Sample()); again != got {
		t.Fatal("two encodings of the same report differ")
	}
	checkInert(t, got)
	golden.Check(t, filepath.Join("testdata", "sample.md.golden"), []byte(got))
}

// TestSections checks the verdict and what each section holds for the
// sample: three blocking findings, the incomplete function, the suppressed
// finding and the stale exception, and the one finding left for <details>.
func TestSections(t *testing.T) {
	got := encodeString(t, reportstest.Sample())
	first, _, _ := strings.Cut(got, "\n")
	wantFirst := "**fnaudit: gate incomplete** (exit 3) for orders-api (serverless): 1 function could not be audited and 3 findings at or above the threshold; fail on public ≥ high, authenticated ≥ high, internal ≥ critical, unknown ≥ high (policy `fnaudit.yaml`)."
	if first != wantFirst {
		t.Errorf("verdict line:\n got %s\nwant %s", first, wantFirst)
	}
	blockingIDs := idsIn(section(got, "### Blocking findings", "### "))
	if diff := cmp.Diff([]string{"GHSA-2gwj-7jmv-h26r", "GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9"}, blockingIDs); diff != "" {
		t.Errorf("blocking findings (-want +got):\n%s", diff)
	}
	if ids := idsIn(section(got, "### Suppressed findings", "### ")); !cmp.Equal(ids, []string{"GHSA-wc69-rhjr-hc9g"}) {
		t.Errorf("suppressed findings = %v", ids)
	}
	if ids := idsIn(section(got, "<details>", "</details>")); !cmp.Equal(ids, []string{"DSA-5000-1"}) {
		t.Errorf("other findings = %v", ids)
	}
	for _, want := range []string{
		"- **processPayment**: unpacking orders-api/.serverless/processPayment.zip: corrupt",
		"- **stale** fnaudit.yaml:14: the exception for GHSA-xxxx-old0-0000",
		"| thumbnail | critical (93) | internal: s3 bucket uploads s3:ObjectCreated:\\*, auth aws | admin: \\* on \\* | 2 (1 blocking) | ok |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestVerdicts checks the first line for each gate outcome and threshold
// shape.
func TestVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*reports.Report)
		prefix string
		suffix string
	}{
		{"passed without policy", func(r *reports.Report) {
			r.Policy = nil
			r.Summary.Incomplete = 0
			r.Summary.Gate = reports.Gate{FailOn: reports.LevelNone, Passed: true}
		}, "**fnaudit: gate passed** (exit 0)", ": nothing blocks; fail on none (findings never fail the gate)."},
		{"failed with one threshold", func(r *reports.Report) {
			r.Policy = nil
			r.Summary.Incomplete = 0
			r.Summary.Gate = reports.Gate{FailOn: reports.LevelHigh, ExitCode: reports.ExitFailed}
		}, "**fnaudit: gate failed** (exit 1)", ": 3 findings at or above the threshold; fail on high."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reportstest.Sample()
			tt.edit(r)
			first, _, _ := strings.Cut(encodeString(t, r), "\n")
			if !strings.HasPrefix(first, tt.prefix) || !strings.HasSuffix(first, tt.suffix) {
				t.Errorf("verdict line %q, want %q … %q", first, tt.prefix, tt.suffix)
			}
		})
	}
}

// hostile is the payload every report value gets in TestEscaping.
const hostile = "<script>alert(1)</script> | `rm -rf` *bold* _it_ [x](javascript:alert(1)) ](javascript:alert(2)) @admins #1 $x$ &lt; ~~s~~ https://evil.example/x www.evil.example \\"

// hostileReport puts the payload into every kind of value Markdown shows:
// names, package, version, summary, error, trigger, privilege reasons,
// exception fields and warnings.
func hostileReport() *reports.Report {
	r := reportstest.Sample()
	r.Application.Name = hostile
	r.Application.Warnings = []string{hostile}
	r.Database.Warnings = []string{hostile}
	for i := range r.Functions {
		fn := &r.Functions[i]
		fn.Name += hostile
		fn.Errors = append(fn.Errors, hostile)
		fn.Status = reports.StatusIncomplete
		fn.PrivilegeReasons = append(fn.PrivilegeReasons, hostile)
		for j := range fn.Triggers {
			fn.Triggers[j].Detail = hostile
		}
		for j := range fn.Findings {
			f := &fn.Findings[j]
			f.Package, f.Version, f.Summary = hostile, hostile, hostile
			f.Fixed = []string{hostile}
			f.ID += hostile
		}
	}
	r.Policy.File = hostile
	r.Policy.Exceptions[1].Reason = hostile
	for i := range r.Functions[0].Findings {
		if e := r.Functions[0].Findings[i].Exception; e != nil {
			e.Reason, e.Owner = hostile, hostile
		}
	}
	return r
}

// TestEscaping checks that no value of the report can open a tag, a link,
// a code span or a table cell, mention anyone, or reference an issue.
func TestEscaping(t *testing.T) {
	got := encodeString(t, hostileReport())
	checkInert(t, got)
	for _, want := range []string{
		`\<script\>alert(1)\</script\>`, "\\`rm -rf\\`", `\[x\](javascript:alert(1))`, "`@admins`", "`#1`", `\$x\$`, `\&lt;`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks the escaped form %q", want)
		}
	}
	if strings.Contains(got, "\n\n\n") {
		t.Error("a value broke a line")
	}
}

// TestEscapeFunctions pins the escaping of single values.
func TestEscapeFunctions(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"punctuation", text("a|b*c_d`e[f]g<h>i&j~k$l\\m"), `a\|b\*c\_d\` + "`" + `e\[f\]g\<h\>i\&j\~k\$l\\m`},
		{"newlines and controls", text("a\n\nb\r\tc\x00d"), "a b c d"},
		{"mention at start", text("@types/node is old"), "`@types/node` is old"},
		{"mention mid-text", text("in @babel/core."), "in `@babel/core.`"},
		{"email is no mention", text("ops@example.com"), "ops@example.com"},
		{"issue reference", text("see #42, not x#42"), "see `#42`, not x#42"},
		{"heading sign alone", text("# no"), "# no"},
		{"url is no link", text("see https://evil.example/x or WWW.evil.example, not awww.x"), `see https\://evil.example/x or WWW\.evil.example, not awww.x`},
		{"long value cut", text(strings.Repeat("é", 400)), strings.Repeat("é", maxText-1) + "…"},
		{"plain package code span", code("@types/node@1.0.0"), "`@types/node@1.0.0`"},
		{"debian version code span", code("openssl@3.0.11-1~deb12u2"), "`openssl@3.0.11-1~deb12u2`"},
		{"odd package falls back to text", code("a`b|c@1"), "a\\`b\\|c@1"},
		{"empty code", code(""), ""},
		{"osv link", osvLink("GHSA-35jh-r3h4-6jhm"), "[GHSA-35jh-r3h4-6jhm](https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm)"},
		{"osv link escapes the target", osvLink("x)](javascript:1)&amp;é"), `[x)\](javascript:1)\&amp;é](https://osv.dev/vulnerability/x%29%5D%28javascript:1%29%26amp%3B%C3%A9)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}

// TestSizeCap encodes a report with thousands of findings, a few of them
// blocking: the comment stays within GitHub's limit, keeps the verdict and
// every blocking finding, and says how many rows it left out.
func TestSizeCap(t *testing.T) {
	r := bigReport(40, 150)
	got := encodeString(t, r)
	if len(got) > MaxBytes {
		t.Fatalf("output is %d bytes, limit %d", len(got), MaxBytes)
	}
	if !strings.HasPrefix(got, "**fnaudit: gate failed** (exit 1) for big-app (sam): 40 findings at or above the threshold; fail on high.\n") {
		t.Errorf("verdict line damaged: %.200q", got)
	}
	blockers := idsIn(section(got, "### Blocking findings", "### "))
	if len(blockers) != 40 {
		t.Errorf("%d blocking findings kept, want all 40", len(blockers))
	}
	m := regexp.MustCompile(`_(\d+) more rows left out to stay within GitHub's comment limit`).FindStringSubmatch(got)
	if m == nil {
		t.Fatal("no left-out note")
	}
	kept := len(idsIn(section(got, "<details>", "</details>")))
	if want := fmt.Sprint(40*150 - 40 - kept); m[1] != want {
		t.Errorf("note says %s rows left out, want %s (kept %d)", m[1], want, kept)
	}
	if kept == 0 || !strings.HasSuffix(got, "<!-- fnaudit-report -->\n") {
		t.Error("details emptied or footer lost: cutting should stop once the comment fits")
	}
	checkInert(t, got)
}

// TestCutOrder checks, with a small limit, that the details give way
// before the notes, and the notes before the function table and the
// blocking findings.
func TestCutOrder(t *testing.T) {
	r := bigReport(5, 20)
	for i := range 30 {
		r.Application.Warnings = append(r.Application.Warnings, fmt.Sprintf("template.yaml:%d: %s", i+1, strings.Repeat("unresolved ", 8)))
	}
	var full bytes.Buffer
	if err := encode(&full, r, 1<<20); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(full.String(), "left out") {
		t.Fatal("nothing should be left out without a limit")
	}
	var buf bytes.Buffer
	limit := len(section(full.String(), "", "\n### Warnings")) + 1500
	if err := encode(&buf, r, limit); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	if len(got) > limit {
		t.Fatalf("%d bytes over a limit of %d", len(got), limit)
	}
	if n := len(idsIn(section(got, "### Blocking findings", "### "))); n != 5 {
		t.Errorf("%d blocking findings kept, want 5", n)
	}
	if n := strings.Count(section(got, "### Functions", "### "), "| fn0"); n != 5 {
		t.Errorf("%d function rows kept, want 5", n)
	}
	if ids := idsIn(section(got, "<details>", "</details>")); len(ids) != 0 {
		t.Errorf("details kept %d rows while notes were cut", len(ids))
	}
	kept := strings.Count(section(got, "### Warnings", "<details>"), "- manifest: ")
	if kept == 0 || kept == 30 || !strings.Contains(got, fmt.Sprintf("_%d more rows left out", 30-kept)) {
		t.Errorf("warnings should be cut, with a note; kept %d:\n%s", kept, got)
	}
}

// bigReport is an application of functions with many findings each: the
// first finding of each function is critical on a public endpoint (it
// blocks), the others low.
func bigReport(functions, perFunction int) *reports.Report {
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: "test"},
		Application: reports.Application{Name: "big-app", Kind: bundle.KindSAM, Manifest: "template.yaml"},
	}
	for i := range functions {
		fn := reports.Function{
			Name: fmt.Sprintf("fn%03d", i), Status: reports.StatusOK, PackageType: "zip",
			Artifacts: []bundle.Artifact{{Role: bundle.RoleCode, Name: fmt.Sprintf("fn%03d", i)}},
			Triggers:  []bundle.Trigger{{Type: "http", Detail: "GET /x", Auth: "none", Exposure: bundle.ExposurePublic}},
			Exposure:  bundle.ExposurePublic, Privilege: bundle.PrivilegeScoped,
		}
		for j := range perFunction {
			sev, cvss := vuln.SeverityLow, 1.0
			if j == 0 {
				sev, cvss = vuln.SeverityCritical, 9.8
			}
			pkg := fmt.Sprintf("package-%d", j)
			fn.Packages = append(fn.Packages, sbom.Package{Ecosystem: "npm", Name: pkg, Version: "1.0.0", Artifact: fn.Name})
			fn.Findings = append(fn.Findings, reports.Finding{Finding: vuln.Finding{
				ID: fmt.Sprintf("GHSA-%03d-%04d", i, j), Ecosystem: "npm", Package: pkg, Version: "1.0.0",
				Artifact: fn.Name, Summary: "a fairly long summary of an advisory, as they often are in OSV",
				Severity: sev, CVSS: cvss, Fixed: []string{"1.0.1"},
			}})
		}
		r.Functions = append(r.Functions, fn)
	}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

var osvID = regexp.MustCompile(`\]\(https://osv\.dev/vulnerability/([^)]*)\)`)

// idsIn returns the advisory IDs linked in s, in order.
func idsIn(s string) []string {
	var ids []string
	for _, m := range osvID.FindAllStringSubmatch(s, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// section returns the part of s from the first start up to the next end
// after it ("" start: from the beginning).
func section(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}

// ourTags are the only HTML the encoder writes itself.
var ourTags = []string{"<details>", "</details>", "<summary>", "</summary>", "<sub>", "</sub>", "<!-- fnaudit-report -->"}

// checkInert checks the raw Markdown: every '<' that is not escaped opens
// one of our own tags, every link target is an osv.dev page, and every
// table row has as many unescaped '|' cell delimiters as its header.
func checkInert(t *testing.T, md string) {
	t.Helper()
	for i := 0; i < len(md); i++ {
		switch {
		case md[i] == '\\':
			i++ // the next character is escaped
		case md[i] == '<' && !hasAnyPrefix(md[i:], ourTags):
			t.Errorf("unescaped '<' at %d: %.40q", i, md[i:])
		case strings.HasPrefix(md[i:], "](") && !strings.HasPrefix(md[i:], "](https://osv.dev/vulnerability/"):
			t.Errorf("link to something other than osv.dev at %d: %.60q", i, md[i:])
		}
	}
	header := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = -1
			continue
		}
		n := delimiters(line)
		if header < 0 {
			header = n
		} else if n != header {
			t.Errorf("row has %d cell delimiters, header %d: %.120q", n, header, line)
		}
	}
}

// delimiters counts the unescaped '|' of a table row.
func delimiters(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestRenderedByCmarkGFM renders the sample and the hostile report with
// cmark-gfm, GitHub's own Markdown engine, when it is installed (Debian
// package cmark-gfm), and checks the HTML GitHub would show: no element
// but those of Markdown and our own, links only to osv.dev (and the
// mailto: GitHub makes of an e-mail address), every table row with as many
// cells as its header, and the payload shown as text.
func TestRenderedByCmarkGFM(t *testing.T) {
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		t.Skip("cmark-gfm not installed (apt-get install cmark-gfm): rendering check skipped")
	}
	for name, r := range map[string]*reports.Report{"sample": reportstest.Sample(), "hostile": hostileReport()} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, "--unsafe", "-e", "table", "-e", "autolink", "-e", "strikethrough", "-e", "tagfilter")
			cmd.Stdin = strings.NewReader(encodeString(t, r))
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("cmark-gfm: %v", err)
			}
			doc, err := html.Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			checkRendered(t, doc)
			if name == "hostile" && !strings.Contains(textOf(doc), hostile) {
				t.Error("the payload is not shown verbatim as text")
			}
		})
	}
}

// rendered are the elements cmark-gfm may make of our Markdown.
var rendered = map[string]bool{
	"html": true, "head": true, "body": true, "p": true, "h3": true, "h4": true, "ul": true, "li": true,
	"strong": true, "code": true, "a": true, "table": true, "thead": true, "tbody": true, "tr": true,
	"th": true, "td": true, "details": true, "summary": true, "sub": true,
}

func checkRendered(t *testing.T, doc *html.Node) {
	t.Helper()
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if !rendered[n.Data] {
			t.Errorf("unexpected <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			ok := n.Data == "a" && a.Key == "href" &&
				(strings.HasPrefix(a.Val, "https://osv.dev/vulnerability/") || strings.HasPrefix(a.Val, "mailto:"))
			if !ok && a.Key != "align" {
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "tr" && n.Parent.Data == "tbody" {
			if got, want := cells(n), cells(firstRow(n.Parent.Parent)); got != want {
				t.Errorf("row with %d cells under a header of %d", got, want)
			}
		}
	}
}

// firstRow is the header row of a table.
func firstRow(table *html.Node) *html.Node {
	for n := range table.Descendants() {
		if n.Type == html.ElementNode && n.Data == "tr" {
			return n
		}
	}
	return nil
}

func cells(tr *html.Node) int {
	n := 0
	for c := range tr.ChildNodes() {
		if c.Type == html.ElementNode {
			n++
		}
	}
	return n
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// TestExpiredException checks that an exception past its date is listed for
// review, with the finding it no longer suppresses marked where it is shown.
func TestExpiredException(t *testing.T) {
	r := expiredSample()
	got := encodeString(t, r)
	for _, want := range []string{
		"- **expired** fnaudit.yaml:6: the exception for GHSA-wc69-rhjr-hc9g, package moment, functions list\\* (reason moment's string parsing is never given user input in this function, owner orders-team@example.com, expires 2024-06-30) no longer suppresses; 1 finding counts against the gate again.",
		"| critical (exception expired) | high 7.5 | [GHSA-wc69-rhjr-hc9g]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(got, "### Suppressed findings") {
		t.Error("an expired exception still shows as suppressing")
	}
}

// expiredSample is the sample with the moment exception expired, as
// reports.Assess leaves it: the finding unsuppressed, its exception kept.
func expiredSample() *reports.Report {
	r := reportstest.Sample()
	r.Policy.Exceptions[0].Status, r.Policy.Exceptions[0].Expires = reports.ExceptionExpired, "2024-06-30"
	for i := range r.Functions[0].Findings {
		if f := &r.Functions[0].Findings[i]; f.Exception != nil {
			f.Suppressed = false
			f.Exception.Status, f.Exception.Expires = reports.ExceptionExpired, "2024-06-30"
		}
	}
	return r
}
