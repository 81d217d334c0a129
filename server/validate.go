package server

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/fnaudit/fnaudit/reports"
)

// maxProblems bounds the problems an upload's answer lists.
const maxProblems = 20

// maxLabels bounds the labels of an upload.
const maxLabels = 64

var labelKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$`)

// The report vocabularies (DESIGN.md, "Vocabularies").
var (
	kindWords      = []string{"serverless", "sam", "cloudformation", "cdk", "terraform", "azure", "bundle"}
	privilegeWords = []string{"admin", "broad", "scoped", "unknown"}
	severityWords  = []string{"critical", "high", "medium", "low", "unknown"}
	statusWords    = []string{reports.StatusOK, reports.StatusIncomplete}
	roleWords      = []string{"code", "layer", "image"}
)

// problems collects what is wrong with an upload, up to maxProblems.
type problems []string

func (p *problems) add(format string, args ...any) {
	if len(*p) < maxProblems {
		*p = append(*p, fmt.Sprintf(format, args...))
	}
}

// word checks that value is one of words.
func (p *problems) word(where, value string, words []string) {
	if !slices.Contains(words, value) {
		p.add("%s: %q is not one of %s", where, clip(value), strings.Join(words, ", "))
	}
}

// checkUpload lists what is wrong with an uploaded scan: its report, its
// SBOMs (one CycloneDX 1.6 document per function, naming it, with its
// packages) and its labels.
func checkUpload(r *reports.Report, sboms map[string]json.RawMessage, labels map[string]string) []string {
	var p problems
	checkReport(&p, r)
	checkSBOMs(&p, r, sboms)
	checkLabels(&p, labels)
	return p
}

func checkReport(p *problems, r *reports.Report) {
	if r.Tool.Name != "fnaudit" {
		p.add("report.tool.name: %q is not fnaudit", clip(r.Tool.Name))
	}
	if err := checkName("application", r.Application.Name); err != nil {
		p.add("report.application.name: %v", err)
	}
	p.word("report.application.kind", string(r.Application.Kind), kindWords)
	if r.Rescan != nil || r.Summary.Changes != nil {
		p.add("report: this is a rescan's report; upload scans only (rescans are made from the store)")
	}
	if r.Summary.Functions != len(r.Functions) {
		p.add("report.summary.functions: %d, but the report has %d functions", r.Summary.Functions, len(r.Functions))
	}
	seen := map[string]bool{}
	for i := range r.Functions {
		fn := &r.Functions[i]
		where := fmt.Sprintf("report.functions[%d]", i)
		if err := checkName("function", fn.Name); err != nil {
			p.add("%s.name: %v", where, err)
		} else if seen[fn.Name] {
			p.add("%s.name: %q is the name of another function", where, clip(fn.Name))
		}
		seen[fn.Name] = true
		checkFunction(p, where, fn)
	}
}

func checkFunction(p *problems, where string, fn *reports.Function) {
	p.word(where+".status", fn.Status, statusWords)
	p.word(where+".exposure", string(fn.Exposure), exposureWords)
	p.word(where+".privilege", string(fn.Privilege), privilegeWords)
	p.word(where+".risk.level", string(fn.Risk.Level), riskWords)
	for j, t := range fn.Triggers {
		p.word(fmt.Sprintf("%s.triggers[%d].exposure", where, j), string(t.Exposure), exposureWords)
	}
	for j, a := range fn.Artifacts {
		p.word(fmt.Sprintf("%s.artifacts[%d].role", where, j), string(a.Role), roleWords)
	}
	for j, f := range fn.Findings {
		fw := fmt.Sprintf("%s.findings[%d]", where, j)
		if err := checkName("advisory", f.ID); err != nil {
			p.add("%s.id: %v", fw, err)
		}
		p.word(fw+".risk", string(f.Risk), riskWords)
		p.word(fw+".severity", string(f.Severity), severityWords)
		if f.Change != "" {
			p.add("%s.change: a scan's findings have no change (only rescans mark them)", fw)
		}
	}
}

// sbomDoc is what an upload's SBOM must show: a CycloneDX 1.6 document
// about the function, with one component per package.
type sbomDoc struct {
	BOMFormat   string `json:"bomFormat"`
	SpecVersion string `json:"specVersion"`
	Metadata    *struct {
		Component *struct {
			Name string `json:"name"`
		} `json:"component"`
	} `json:"metadata"`
	Components []sbomComponent `json:"components"`
}

type sbomComponent struct {
	Properties []struct {
		Name string `json:"name"`
	} `json:"properties"`
	Components []sbomComponent `json:"components"`
}

// packages counts the components that are packages (they carry the
// fnaudit:ecosystem property a rescan reads back).
func (c sbomComponent) packages() int {
	n := 0
	for _, pr := range c.Properties {
		if pr.Name == "fnaudit:ecosystem" {
			n++
			break
		}
	}
	for _, sub := range c.Components {
		n += sub.packages()
	}
	return n
}

func checkSBOMs(p *problems, r *reports.Report, sboms map[string]json.RawMessage) {
	names := map[string]*reports.Function{}
	for i := range r.Functions {
		names[r.Functions[i].Name] = &r.Functions[i]
		if _, ok := sboms[r.Functions[i].Name]; !ok {
			p.add("sboms: no document for function %q", clip(r.Functions[i].Name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sboms)) {
		fn, ok := names[name]
		if !ok {
			p.add("sboms: %q is not a function of the report", clip(name))
			continue
		}
		checkSBOM(p, "sboms["+clip(name)+"]", fn, sboms[name])
	}
}

func checkSBOM(p *problems, where string, fn *reports.Function, raw json.RawMessage) {
	var doc sbomDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		p.add("%s: not a JSON object: %v", where, err)
		return
	}
	if doc.BOMFormat != "CycloneDX" || doc.SpecVersion != "1.6" {
		p.add("%s: not a CycloneDX 1.6 document (bomFormat %q, specVersion %q)", where, clip(doc.BOMFormat), clip(doc.SpecVersion))
		return
	}
	if doc.Metadata == nil || doc.Metadata.Component == nil || doc.Metadata.Component.Name != fn.Name {
		p.add("%s: metadata.component does not name the function", where)
	}
	n := 0
	for _, c := range doc.Components {
		n += c.packages()
	}
	if n != len(fn.Packages) {
		p.add("%s: %d package components, but the report lists %d packages for the function", where, n, len(fn.Packages))
	}
}

func checkLabels(p *problems, labels map[string]string) {
	if len(labels) > maxLabels {
		p.add("labels: %d labels, at most %d", len(labels), maxLabels)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		v := labels[k]
		if !labelKey.MatchString(k) {
			p.add("labels: key %q: use letters, digits and . _ / - (at most 128)", clip(k))
		}
		if len(v) > maxName || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			p.add("labels[%s]: the value is longer than %d bytes or has a control character", clip(k), maxName)
		}
	}
}

// cutLabel reads KEY=VALUE.
func cutLabel(s string) (string, string, bool) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	return k, v, ok && k != ""
}
