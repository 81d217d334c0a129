package html

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	xhtml "golang.org/x/net/html"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/golden"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

func encodeBytes(t *testing.T, r *reports.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parse(t *testing.T, page []byte) *xhtml.Node {
	t.Helper()
	doc, err := xhtml.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestGoldenSample encodes the shared sample report twice, expects the same
// bytes, and compares them with the reviewed golden file.
func TestGoldenSample(t *testing.T) {
	got := encodeBytes(t, reportstest.Sample())
	if again := encodeBytes(t, reportstest.Sample()); !bytes.Equal(got, again) {
		t.Fatal("two encodings of the same report differ")
	}
	golden.Check(t, filepath.Join("testdata", "sample.html.golden"), got)
}

// TestStructure checks the parsed page: one section per function, one
// overview row per function in risk order, every finding linked once.
func TestStructure(t *testing.T) {
	r := reportstest.Sample()
	doc := parse(t, encodeBytes(t, r))
	var sections, rows []string
	links := map[string]int{}
	for n := range doc.Descendants() {
		switch {
		case is(n, "section") && hasClass(n, "function"):
			sections = append(sections, attr(n, "data-function"))
		case is(n, "tr") && is(n.Parent, "tbody") && hasClass(n.Parent.Parent, "overview"):
			rows = append(rows, textOf(n.FirstChild))
		case is(n, "a") && strings.HasPrefix(attr(n, "href"), osvPrefix):
			links[textOf(n)]++
		}
	}
	want := []string{"thumbnail", "listOrders", "processPayment"}
	if diff := cmp.Diff(want, sections); diff != "" {
		t.Errorf("function sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("overview rows (-want +got):\n%s", diff)
	}
	for _, fn := range r.Functions {
		for _, f := range fn.Findings {
			if links[f.ID] != 1 {
				t.Errorf("%s is linked %d times, want once", f.ID, links[f.ID])
			}
		}
	}
}

// TestSelfContained checks that nothing in the page loads anything: no
// element has a src, srcset, action, data or poster; the only href are
// in-page anchors and osv.dev advisory pages on <a>; the only style and
// script are the embedded ones, allowed by their hashes in a CSP that
// denies everything else.
func TestSelfContained(t *testing.T) {
	for name, r := range map[string]*reports.Report{"sample": reportstest.Sample(), "hostile": hostileReport()} {
		t.Run(name, func(t *testing.T) {
			checkSelfContained(t, parse(t, encodeBytes(t, r)))
		})
	}
}

const osvPrefix = "https://osv.dev/vulnerability/"

// loading are the attributes through which an element can fetch something
// or run script.
var loading = []string{"src", "srcset", "action", "formaction", "data", "poster", "background", "ping", "manifest", "codebase", "xlink:href", "style"}

func checkSelfContained(t *testing.T, doc *xhtml.Node) {
	t.Helper()
	var styles, scripts []string
	csp := ""
	for n := range doc.Descendants() {
		if n.Type != xhtml.ElementNode {
			continue
		}
		switch n.Data {
		case "link", "img", "iframe", "frame", "object", "embed", "source", "video", "audio", "base", "form", "svg", "math", "template":
			t.Errorf("<%s> element", n.Data)
		case "style":
			styles = append(styles, textOf(n))
		case "script":
			scripts = append(scripts, textOf(n))
		case "meta":
			if strings.EqualFold(attr(n, "http-equiv"), "Content-Security-Policy") {
				csp = attr(n, "content")
			} else if attr(n, "http-equiv") != "" {
				t.Errorf("<meta http-equiv=%q>", attr(n, "http-equiv"))
			}
		}
		checkAttributes(t, n)
	}
	if !cmp.Equal(styles, []string{styleCSS}) || !cmp.Equal(scripts, []string{sortJS}) {
		t.Errorf("want exactly the embedded style and script, got %d styles, %d scripts", len(styles), len(scripts))
	}
	for _, bad := range []string{"url(", "@import", "@font-face"} {
		if strings.Contains(styleCSS, bad) {
			t.Errorf("the stylesheet uses %s", bad)
		}
	}
	wantCSP := "default-src 'none'; style-src '" + hash(styleCSS) + "'; script-src '" + hash(sortJS) + "'; base-uri 'none'; form-action 'none'"
	if csp != wantCSP {
		t.Errorf("CSP %q, want %q", csp, wantCSP)
	}
}

func checkAttributes(t *testing.T, n *xhtml.Node) {
	t.Helper()
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case strings.HasPrefix(key, "on"):
			t.Errorf("<%s %s> event handler", n.Data, a.Key)
		case key == "href":
			if n.Data != "a" || !(strings.HasPrefix(a.Val, osvPrefix) || strings.HasPrefix(a.Val, "#fn-")) {
				t.Errorf("<%s href=%q>", n.Data, a.Val)
			}
		case slices.Contains(loading, key):
			t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
		}
	}
}

// hostile is the payload every report value gets in the escaping tests.
const hostile = `<script>alert(1)</script> | ` + "`x`" + ` ](javascript:alert(1)) " onmouseover="alert(2) ' <img src=https://evil.example/x>`

// hostileReport puts the payload into every value the page shows, and into
// the vocabulary fields that become badge classes.
func hostileReport() *reports.Report {
	r := reportstest.Sample()
	r.Tool.Version = hostile
	r.Application.Name, r.Application.Manifest = hostile, hostile
	r.Application.Warnings = []string{hostile}
	r.Database.Warnings = []string{hostile}
	r.Database.Ecosystems[0].Path = hostile
	r.Policy.File = hostile
	for i := range r.Policy.Exceptions {
		e := &r.Policy.Exceptions[i]
		e.ID, e.Reason, e.Owner, e.Source.File = hostile, hostile, hostile, hostile
	}
	for i := range r.Functions {
		hostileFunction(&r.Functions[i])
	}
	r.Functions[0].Exposure = bundle.Exposure(hostile)
	r.Functions[0].Risk.Level = reports.Level(hostile)
	return r
}

func hostileFunction(fn *reports.Function) {
	fn.Name += hostile
	fn.Handler, fn.Source.File = hostile, hostile
	fn.Errors = append(fn.Errors, hostile)
	fn.PrivilegeReasons = append(fn.PrivilegeReasons, hostile)
	fn.Risk.Reasons = append(fn.Risk.Reasons, hostile)
	for j := range fn.Triggers {
		fn.Triggers[j].Detail, fn.Triggers[j].Auth = hostile, hostile
	}
	for j := range fn.Artifacts {
		fn.Artifacts[j].Path, fn.Artifacts[j].SHA256 = hostile, hostile
	}
	for j := range fn.Packages {
		p := &fn.Packages[j]
		p.Name, p.PURL, p.Location = hostile, hostile, hostile
	}
	for j := range fn.Findings {
		f := &fn.Findings[j]
		f.ID += hostile
		f.Package, f.Summary, f.CVSSVector = hostile, hostile, hostile
		f.Aliases = append(f.Aliases, hostile)
		f.Fixed = []string{hostile}
		if f.Exception != nil {
			f.Exception.Reason = hostile
		}
	}
}

// TestEscaping checks that the payload comes out as text: no element,
// attribute or link of its own, and shown verbatim where it was put.
func TestEscaping(t *testing.T) {
	page := encodeBytes(t, hostileReport())
	if bytes.Contains(page, []byte("<script>alert")) || bytes.Contains(page, []byte("<img")) {
		t.Error("the payload's markup reached the page unescaped")
	}
	doc := parse(t, page)
	var texts int
	for n := range doc.Descendants() {
		if n.Type == xhtml.TextNode && strings.Contains(n.Data, hostile) && !is(n.Parent, "script") && !is(n.Parent, "style") {
			texts++
		}
		if n.Type == xhtml.ElementNode && strings.Contains(attr(n, "class"), "alert") {
			t.Errorf("class attribute took the payload: %q", attr(n, "class"))
		}
	}
	if texts < 20 {
		t.Errorf("the payload is shown as text %d times, want it everywhere it was put (20 or more)", texts)
	}
	for n := range doc.Descendants() {
		if is(n, "a") && strings.HasPrefix(attr(n, "href"), osvPrefix) {
			if strings.ContainsAny(attr(n, "href")[len(osvPrefix):], "/<>\"' ()") {
				t.Errorf("advisory link not confined to one osv.dev path segment: %q", attr(n, "href"))
			}
		}
	}
}

// TestBadgeVocabulary checks that badge classes come from a fixed list.
func TestBadgeVocabulary(t *testing.T) {
	tests := []struct{ kind, value, want string }{
		{"risk", "critical", "badge risk-critical"},
		{"exposure", "public", "badge exposure-public"},
		{"privilege", "scoped", "badge privilege-scoped"},
		{"exposure", "public extra", "badge other"},
		{"risk", `" onclick="x`, "badge other"},
		{"nonsense", "critical", "badge other"},
	}
	for _, tt := range tests {
		if got := badge(tt.kind, tt.value); got != tt.want {
			t.Errorf("badge(%q, %q) = %q, want %q", tt.kind, tt.value, got, tt.want)
		}
	}
	if rank("exposure", "public") <= rank("exposure", "unknown") || rank("exposure", "unknown") <= rank("exposure", "authenticated") {
		t.Error("exposure ranks do not follow widest first")
	}
}

func is(n *xhtml.Node, tag string) bool {
	return n != nil && n.Type == xhtml.ElementNode && n.Data == tag
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *xhtml.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

func textOf(n *xhtml.Node) string {
	var b strings.Builder
	if n.Type == xhtml.TextNode {
		b.WriteString(n.Data)
	}
	for d := range n.Descendants() {
		if d.Type == xhtml.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// TestGateWithoutPolicy checks the header when only --fail-on was given:
// one threshold, and no policy exceptions section.
func TestGateWithoutPolicy(t *testing.T) {
	r := reportstest.Sample()
	r.Policy = nil
	doc := parse(t, encodeBytes(t, r))
	var gate string
	for n := range doc.Descendants() {
		if is(n, "dt") && textOf(n) == "Gate" {
			gate = textOf(n.NextSibling)
		}
		if is(n, "section") && attr(n, "id") == "policy" {
			t.Error("policy section without a policy")
		}
	}
	if gate != "fail on high" {
		t.Errorf("gate = %q, want %q", gate, "fail on high")
	}
}

// TestExpiredException checks that a finding whose exception has expired
// blocks, says so, and that the exception is listed as expired.
func TestExpiredException(t *testing.T) {
	r := reportstest.Sample()
	r.Policy.Exceptions[0].Status = reports.ExceptionExpired
	for i := range r.Functions[0].Findings {
		if f := &r.Functions[0].Findings[i]; f.Exception != nil {
			f.Suppressed = false
			f.Exception.Status, f.Exception.Expires = reports.ExceptionExpired, "2024-06-30"
		}
	}
	doc := parse(t, encodeBytes(t, r))
	var gateCell, status string
	for n := range doc.Descendants() {
		if is(n, "a") && textOf(n) == "GHSA-wc69-rhjr-hc9g" && is(n.Parent.Parent, "tr") && hasClass(n.Parent.Parent, "blocking") {
			gateCell = textOf(n.Parent.Parent.LastChild)
		}
		if is(n, "span") && hasClass(n, "exception-expired") {
			status = textOf(n)
		}
	}
	if gateCell != "blocksexception expired 2024-06-30 fnaudit.yaml:6" {
		t.Errorf("gate cell = %q", gateCell)
	}
	if status != "expired" {
		t.Errorf("exception status badge = %q", status)
	}
}
