package reports

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/fnaudit/fnaudit/bundle"
)

// writeTable writes one block per function: what it is, how it is reached,
// how many packages it ships, and its findings by risk with the version that
// fixes each; then the summary and the gate verdict.
func writeTable(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Application %s (%s)", r.Application.Name, r.Application.Kind)
	if r.Application.Manifest != "" {
		fmt.Fprintf(bw, " from %s", r.Application.Manifest)
	}
	fmt.Fprintln(bw)
	for _, warn := range r.Application.Warnings {
		fmt.Fprintf(bw, "warning: %s\n", warn)
	}
	for _, warn := range r.Database.Warnings {
		fmt.Fprintf(bw, "warning: %s\n", warn)
	}
	for i := range r.Functions {
		fmt.Fprintln(bw)
		writeFunctionBlock(bw, &r.Functions[i])
	}
	fmt.Fprintln(bw)
	writeLayerFixes(bw, r.LayerFixes)
	writePolicy(bw, r.Policy)
	writeSummary(bw, r.Summary, r.Policy != nil)
	return bw.Flush()
}

// writePolicy says which thresholds applied and what became of the
// exceptions that did not simply do their job.
func writePolicy(w io.Writer, p *PolicyReport) {
	if p == nil {
		return
	}
	var rules []string
	for _, e := range []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown} {
		rules = append(rules, fmt.Sprintf("%s %s", e, p.FailOn[e]))
	}
	fmt.Fprintf(w, "Policy %s: fail on %s\n", p.File, strings.Join(rules, ", "))
	for _, ex := range p.Exceptions {
		what := cmp.Or(ex.ID, ex.Package)
		switch ex.Status {
		case ExceptionExpired:
			fmt.Fprintf(w, "  exception %s (%s:%d) expired on %s: it no longer suppresses; owner %s\n", what, ex.Source.File, ex.Source.Line, ex.Expires, cmp.Or(ex.Owner, "unknown"))
		case ExceptionStale:
			fmt.Fprintf(w, "  exception %s (%s:%d) matched nothing: remove it if the finding is gone\n", what, ex.Source.File, ex.Source.Line)
		}
	}
}

func writeFunctionBlock(w io.Writer, fn *Function) {
	fmt.Fprintf(w, "Function %s", fn.Name)
	if fn.Runtime != "" {
		fmt.Fprintf(w, " [%s]", fn.Runtime)
	}
	fmt.Fprintf(w, "  risk %s, exposure %s, privilege %s\n", fn.Risk.Level, fn.Exposure, fn.Privilege)
	for _, t := range fn.Triggers {
		fmt.Fprintf(w, "  trigger  %s %s (auth %s): %s\n", t.Type, t.Detail, t.Auth, t.Exposure)
	}
	if len(fn.PrivilegeReasons) > 0 {
		fmt.Fprintf(w, "  role     %s: %s\n", fn.Privilege, strings.Join(fn.PrivilegeReasons, "; "))
	}
	for _, reason := range fn.Risk.Reasons {
		fmt.Fprintf(w, "  why      %s\n", reason)
	}
	if fn.Status == StatusIncomplete {
		fmt.Fprintln(w, "  INCOMPLETE: this function could not be fully audited")
		for _, e := range fn.Errors {
			fmt.Fprintf(w, "    - %s\n", e)
		}
	}
	fmt.Fprintf(w, "  %s\n", packageCounts(fn))
	if len(fn.Findings) == 0 {
		if fn.Status == StatusIncomplete {
			fmt.Fprintln(w, "  no known vulnerabilities in the packages that could be read")
		} else {
			fmt.Fprintln(w, "  no known vulnerabilities")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	change := hasChanges(fn)
	if change {
		fmt.Fprint(tw, "  CHANGE\t")
	}
	fmt.Fprintln(tw, "  RISK\tSEVERITY\tID\tPACKAGE\tVERSION\tFIXED IN\tARTIFACT\tSUMMARY")
	for _, f := range fn.Findings {
		if change {
			fmt.Fprintf(tw, "  %s\t", strings.ToUpper(f.Change))
		}
		fixed := strings.Join(f.Fixed, ", ")
		artifact := artifactLabel(fn, f.Artifact)
		if fixed == "" {
			fixed = "no fix"
		}
		risk := string(f.Risk)
		if f.Suppressed {
			risk += " (suppressed)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			risk, f.Severity, f.ID, f.Package, f.Version, fixed, artifact, truncate(f.Summary, 60))
	}
	tw.Flush()
}

// artifactLabel says where in the function a package comes from: "code",
// "image", or "layer NAME".
func artifactLabel(fn *Function, name string) string {
	for _, a := range fn.Artifacts {
		if a.Name != name {
			continue
		}
		if a.Role == bundle.RoleLayer {
			return "layer " + name
		}
		return string(a.Role)
	}
	return name
}

// packageCounts says how many packages the function ships, per ecosystem.
func packageCounts(fn *Function) string {
	if len(fn.Packages) == 0 {
		return "0 packages"
	}
	per := map[string]int{}
	for _, p := range fn.Packages {
		per[p.Ecosystem]++
	}
	parts := make([]string, 0, len(per))
	for _, eco := range slices.Sorted(maps.Keys(per)) {
		parts = append(parts, fmt.Sprintf("%s %d", eco, per[eco]))
	}
	shadowed := 0
	for _, p := range fn.Packages {
		if p.Shadowed {
			shadowed++
		}
	}
	s := fmt.Sprintf("%d packages (%s)", len(fn.Packages), strings.Join(parts, ", "))
	if shadowed > 0 {
		s += fmt.Sprintf(", %d shadowed by the code or a later layer", shadowed)
	}
	return s
}

// hasChanges reports whether a rescan marked the function's findings.
func hasChanges(fn *Function) bool {
	return slices.ContainsFunc(fn.Findings, func(f Finding) bool { return f.Change != "" })
}

// writeLayerFixes says which layer rebuilds fix which functions.
func writeLayerFixes(w io.Writer, fixes []LayerFix) {
	if len(fixes) == 0 {
		return
	}
	fmt.Fprintln(w, "Layer fixes")
	for _, f := range fixes {
		with := fmt.Sprintf("with %s ≥ %s", f.Package, f.Fixed)
		if f.Fixed == "" {
			with = fmt.Sprintf("without %s@%s (no fixed version for %s)", f.Package, f.Version, strings.Join(f.Unfixed, ", "))
		}
		fmt.Fprintf(w, "  rebuild layer %s %s → fixes %d %s in %d %s (%s@%s: %s)\n", f.Layer, with,
			len(f.Functions), plural(len(f.Functions), "function"), f.Applications, plural(f.Applications, "application"),
			f.Package, f.Version, strings.Join(f.Advisories, ", "))
	}
	fmt.Fprintln(w)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func writeSummary(w io.Writer, s Summary, policy bool) {
	fmt.Fprintf(w, "%d functions, %d incomplete, %d findings", s.Functions, s.Incomplete, s.Findings)
	var parts []string
	for _, l := range Levels {
		if n := s.ByRisk[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, n))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	if c := s.Changes; c != nil {
		fmt.Fprintf(w, "Since the stored scan: %d new, %d unchanged, %d fixed\n", c.New, c.Unchanged, c.Fixed)
	}
	verdict := "PASSED"
	if !s.Gate.Passed {
		verdict = "FAILED"
	}
	gate := fmt.Sprintf("fail on %s", s.Gate.FailOn)
	threshold := fmt.Sprintf("risk %s", s.Gate.FailOn)
	if policy {
		gate, threshold = "policy", "the policy's threshold for their function's exposure"
	}
	reason := map[int]string{
		ExitIncomplete: ": the audit is incomplete",
		ExitFailed:     ": unsuppressed findings at or above " + threshold,
	}[s.Gate.ExitCode]
	if s.Changes != nil && reason != "" {
		reason = map[int]string{ // a rescan: only new findings fail it
			ExitIncomplete: ": the stored scan was incomplete",
			ExitFailed:     ": new unsuppressed findings at or above " + threshold,
		}[s.Gate.ExitCode]
	}
	fmt.Fprintf(w, "Gate (%s): %s%s\n", gate, verdict, reason)
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
