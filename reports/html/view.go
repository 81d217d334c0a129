package html

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom"
)

// view is what the template renders: the report, ordered and labelled.
// Everything in it is plain data; the template escapes all of it.
type view struct {
	Report     *reports.Report
	Verdict    string // passed, failed, incomplete
	Why        string
	Thresholds []threshold
	ByRisk     []count
	Blocking   int
	Suppressed int
	Functions  []function
	Exceptions []exception
}

// threshold is the gate's level for one exposure.
type threshold struct {
	Exposure bundle.Exposure
	Level    reports.Level
}

// count is how many findings have one risk level.
type count struct {
	Level reports.Level
	N     int
}

// function is one function's section and overview row.
type function struct {
	*reports.Function
	// Anchor is the id of its section ("fn-1" …, in overview order), safe
	// whatever the function is called.
	Anchor     string
	Widest     string // the trigger that gives the function its exposure
	Findings   []finding
	Artifacts  []artifact
	Blocking   int
	Suppressed int
	Shadowed   int
	Ecosystems string // package counts per ecosystem
}

// Where says which of the function's artifacts a package comes from.
func (f function) Where(artifact string) string { return where(f.Function, artifact) }

// finding is one row of a function's findings table.
type finding struct {
	*reports.Finding
	URL      string // its osv.dev page
	Where    string // code, image, layer NAME
	Blocking bool
	// Expired is set when an exception matched the finding but no longer
	// suppresses it.
	Expired bool
}

// artifact is an artifact with its position in load order.
type artifact struct {
	bundle.Artifact
	Order int
}

// exception is a policy exception with the findings it matched.
type exception struct {
	reports.Exception
	Matched int
}

// newView orders and labels r for the template.
func newView(r *reports.Report) *view {
	v := &view{Report: r, Verdict: verdict(r.Summary.Gate), Thresholds: thresholds(r)}
	for _, l := range reports.Levels {
		if n := r.Summary.ByRisk[l]; n > 0 {
			v.ByRisk = append(v.ByRisk, count{l, n})
		}
	}
	for i, fn := range byRisk(r.Functions) {
		f := newFunction(r, fn, i+1)
		v.Blocking += f.Blocking
		v.Suppressed += f.Suppressed
		v.Functions = append(v.Functions, f)
	}
	v.Why = why(r.Summary.Incomplete, v.Blocking)
	if r.Policy != nil {
		for _, e := range r.Policy.Exceptions {
			v.Exceptions = append(v.Exceptions, exception{e, matched(r, e)})
		}
	}
	return v
}

func newFunction(r *reports.Report, fn *reports.Function, n int) function {
	f := function{Function: fn, Anchor: fmt.Sprintf("fn-%d", n), Widest: widest(fn), Ecosystems: ecosystems(fn.Packages)}
	for i := range fn.Findings {
		x := &fn.Findings[i]
		row := finding{Finding: x, URL: osvURL(x.ID), Where: where(fn, x.Artifact),
			Blocking: blocking(r, fn, x), Expired: x.Exception != nil && !x.Suppressed}
		if row.Blocking {
			f.Blocking++
		}
		if x.Suppressed {
			f.Suppressed++
		}
		f.Findings = append(f.Findings, row)
	}
	for i, a := range fn.Artifacts {
		f.Artifacts = append(f.Artifacts, artifact{a, i + 1})
	}
	for _, p := range fn.Packages {
		if p.Shadowed {
			f.Shadowed++
		}
	}
	return f
}

// thresholdFor is the risk at or above which a finding of a function with
// exposure e fails the gate: the policy's level for e, else the gate's
// (none when the report was never assessed).
func thresholdFor(r *reports.Report, e bundle.Exposure) reports.Level {
	if r.Policy != nil {
		if l, ok := r.Policy.FailOn[e]; ok && l != "" {
			return l
		}
	}
	return cmp.Or(r.Summary.Gate.FailOn, reports.LevelNone)
}

// thresholds lists the gate's level per exposure, widest exposure first,
// when a policy sets them; nil when only --fail-on was given.
func thresholds(r *reports.Report) []threshold {
	if r.Policy == nil {
		return nil
	}
	var out []threshold
	for _, e := range []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown} {
		out = append(out, threshold{e, thresholdFor(r, e)})
	}
	return out
}

// blocking says whether f, a finding of fn, fails the gate.
func blocking(r *reports.Report, fn *reports.Function, f *reports.Finding) bool {
	t := thresholdFor(r, fn.Exposure)
	if f.Change != "" && f.Change != reports.ChangeNew {
		return false // a rescan's gate fails on new findings only
	}
	return !f.Suppressed && t.Rank() > 0 && f.Risk.Rank() >= t.Rank()
}

// verdict is the gate's outcome in one word.
func verdict(g reports.Gate) string {
	switch {
	case g.ExitCode == reports.ExitIncomplete:
		return "incomplete"
	case !g.Passed:
		return "failed"
	}
	return "passed"
}

// why says in a few words what decided the verdict.
func why(incomplete, blockers int) string {
	var parts []string
	if incomplete > 0 {
		parts = append(parts, fmt.Sprintf("%d %s could not be audited", incomplete, plural(incomplete, "function", "functions")))
	}
	if blockers > 0 {
		parts = append(parts, fmt.Sprintf("%d %s at or above the threshold", blockers, plural(blockers, "finding", "findings")))
	}
	if len(parts) == 0 {
		return "nothing blocks"
	}
	return strings.Join(parts, " and ")
}

// byRisk returns the functions from the riskiest down: risk level, score,
// incomplete before complete, then name.
func byRisk(fns []reports.Function) []*reports.Function {
	out := make([]*reports.Function, len(fns))
	for i := range fns {
		out[i] = &fns[i]
	}
	slices.SortStableFunc(out, func(a, b *reports.Function) int {
		return cmp.Or(
			-cmp.Compare(a.Risk.Level.Rank(), b.Risk.Level.Rank()),
			-cmp.Compare(a.Risk.Score, b.Risk.Score),
			-cmp.Compare(boolRank(a.Status == reports.StatusIncomplete), boolRank(b.Status == reports.StatusIncomplete)),
			cmp.Compare(a.Name, b.Name),
		)
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// widest describes the first trigger that gives the function its exposure.
func widest(fn *reports.Function) string {
	for _, t := range fn.Triggers {
		if t.Exposure == fn.Exposure {
			return strings.TrimSpace(t.Type + " " + t.Detail)
		}
	}
	if len(fn.Triggers) == 0 && fn.Exposure == bundle.ExposureInternal {
		return "no trigger"
	}
	return ""
}

// where says which of the function's artifacts a package comes from:
// "code", "image", or "layer NAME".
func where(fn *reports.Function, name string) string {
	for _, a := range fn.Artifacts {
		if a.Name != name {
			continue
		}
		if a.Role == bundle.RoleLayer {
			return "layer " + a.Name
		}
		return string(a.Role)
	}
	return name
}

// ecosystems counts packages per ecosystem: "npm 3, PyPI 1".
func ecosystems(pkgs []sbom.Package) string {
	per := map[string]int{}
	for _, p := range pkgs {
		per[p.Ecosystem]++
	}
	var parts []string
	for _, eco := range slices.Sorted(maps.Keys(per)) {
		parts = append(parts, fmt.Sprintf("%s %d", eco, per[eco]))
	}
	return strings.Join(parts, ", ")
}

// matched counts the findings an exception matched (suppressed or, once
// expired, no longer).
func matched(r *reports.Report, e reports.Exception) int {
	n := 0
	for i := range r.Functions {
		for _, f := range r.Functions[i].Findings {
			if f.Exception != nil && f.Exception.Source == e.Source {
				n++
			}
		}
	}
	return n
}

// osvURL is the advisory's osv.dev page, the ID percent-encoded so that it
// stays one path segment of osv.dev.
func osvURL(id string) string {
	var b strings.Builder
	b.WriteString("https://osv.dev/vulnerability/")
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-.:", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
