package reports

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fnaudit/fnaudit/bundle"
)

// Policy decides what fails the gate and which findings are accepted.
type Policy struct {
	// FailOn is the threshold for every exposure the file does not set
	// (--fail-on): the gate fails on an unsuppressed finding whose risk is
	// at or above it; none never fails on findings (an incomplete audit
	// still fails).
	FailOn Level
	// Rules are the policy file's thresholds per exposure.
	Rules map[bundle.Exposure]Level
	// Exceptions are the policy file's exceptions, in file order.
	Exceptions []Exception
	// File is the policy file ("" when there is none).
	File string
	// Today is the date exceptions expire against (YYYY-MM-DD, UTC).
	Today string
	// BundledUnknownVersions is what bundled code fnaudit cannot fully
	// audit (packages with no known version, bundles with no source map,
	// metafile or SBOM) does to a function: BundledFail ("" too) makes it
	// incomplete, BundledWarn only warns (docs/bundled-functions.md).
	BundledUnknownVersions string
}

// Values of the policy file's bundled_unknown_versions.
const (
	BundledFail = "fail"
	BundledWarn = "warn"
)

// Threshold is the gate threshold for a function of exposure e: the
// policy's rule for e, else for unknown exposure the public rule (an
// unknown trigger may be public), else FailOn.
func (p Policy) Threshold(e bundle.Exposure) Level {
	if l, ok := p.Rules[e]; ok {
		return l
	}
	if e == bundle.ExposureUnknown {
		if l, ok := p.Rules[bundle.ExposurePublic]; ok {
			return l
		}
	}
	if p.FailOn == "" {
		return LevelNone
	}
	return p.FailOn
}

// apply marks the findings the exceptions cover and reports what became of
// each exception: an exception past its date no longer suppresses
// (expired); one that matched no finding is stale.
func (p Policy) apply(r *Report) *PolicyReport {
	out := &PolicyReport{File: p.File, FailOn: map[bundle.Exposure]Level{}}
	for _, e := range []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown} {
		out.FailOn[e] = p.Threshold(e)
	}
	for i := range r.Functions {
		for j := range r.Functions[i].Findings {
			f := &r.Functions[i].Findings[j]
			f.Exception, f.Suppressed = nil, false
		}
	}
	for _, ex := range p.Exceptions {
		expired := ex.Expires != "" && p.Today != "" && p.Today > ex.Expires
		matched := false
		for i := range r.Functions {
			fn := &r.Functions[i]
			for j := range fn.Findings {
				f := &fn.Findings[j]
				if f.Exception != nil || !ex.matches(fn.Name, f) {
					continue // the first matching exception wins
				}
				matched = true
				e := ex
				f.Exception, f.Suppressed = &e, !expired
			}
		}
		switch {
		case expired:
			ex.Status = ExceptionExpired
		case matched:
			ex.Status = ExceptionActive
		default:
			ex.Status = ExceptionStale
		}
		for i := range r.Functions {
			for j := range r.Functions[i].Findings {
				if f := &r.Functions[i].Findings[j]; f.Exception != nil && f.Exception.Source == ex.Source {
					f.Exception.Status = ex.Status
				}
			}
		}
		out.Exceptions = append(out.Exceptions, ex)
	}
	return out
}

// matches says whether the exception covers finding f of function fn.
func (ex Exception) matches(fn string, f *Finding) bool {
	if ex.ID != "" && !strings.EqualFold(ex.ID, f.ID) &&
		!slices.ContainsFunc(f.Aliases, func(a string) bool { return strings.EqualFold(a, ex.ID) }) {
		return false
	}
	if ex.Package != "" && normalisedName(f.Ecosystem, ex.Package) != normalisedName(f.Ecosystem, f.Package) {
		return false
	}
	if ex.Function != "" {
		if ok, _ := path.Match(ex.Function, fn); !ok {
			return false
		}
	}
	return true
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// normalisedName compares PyPI names in PEP 503 form, others as written.
func normalisedName(eco, name string) string {
	if eco == "PyPI" {
		return strings.ToLower(pep503.ReplaceAllString(name, "-"))
	}
	return name
}

// maxPolicyBytes bounds a policy file.
const maxPolicyBytes = 4 << 20

// LoadPolicy reads a policy file (docs/policy.md). Unknown keys, wrong
// types, bad levels, dates or VEX values are errors naming the file and
// line. today is the date exceptions expire against (YYYY-MM-DD).
func LoadPolicy(file string, failOn Level, today string) (Policy, error) {
	p := Policy{FailOn: failOn, File: file, Today: today, Rules: map[bundle.Exposure]Level{}}
	data, err := os.ReadFile(file)
	if err != nil {
		return p, fmt.Errorf("reading policy: %w", err)
	}
	if len(data) > maxPolicyBytes {
		return p, fmt.Errorf("%s: policy file over %d bytes", file, maxPolicyBytes)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return p, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return p, nil // an empty file: the defaults
	}
	pr := policyReader{file: file, p: &p}
	return p, pr.root(doc.Content[0])
}

// policyReader reads one policy document, naming file and line in errors.
type policyReader struct {
	file string
	p    *Policy
}

func (pr policyReader) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", pr.file, n.Line, fmt.Sprintf(format, args...))
}

func (pr policyReader) root(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return pr.errorf(n, "a policy is a mapping with fail_on, exceptions and bundled_unknown_versions")
	}
	return pr.mapping(n, map[string]func(*yaml.Node) error{
		"fail_on":                  pr.failOn,
		"exceptions":               pr.exceptions,
		"bundled_unknown_versions": pr.bundledUnknownVersions,
	})
}

// bundledUnknownVersions reads `bundled_unknown_versions: fail | warn`.
func (pr policyReader) bundledUnknownVersions(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || (n.Value != BundledFail && n.Value != BundledWarn) {
		return pr.errorf(n, "bundled_unknown_versions %q: want fail or warn", n.Value)
	}
	pr.p.BundledUnknownVersions = n.Value
	return nil
}

// mapping calls the reader of each key of n, and fails on a key it does not
// know (a misspelt key must not be silently ignored).
func (pr policyReader) mapping(n *yaml.Node, readers map[string]func(*yaml.Node) error) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		read, ok := readers[k.Value]
		if !ok {
			known := make([]string, 0, len(readers))
			for name := range readers {
				known = append(known, name)
			}
			slices.Sort(known)
			return pr.errorf(k, "unknown key %q (known: %s)", k.Value, strings.Join(known, ", "))
		}
		if err := read(v); err != nil {
			return err
		}
	}
	return nil
}

// failOn reads `fail_on: high` (every exposure) or a mapping per exposure.
func (pr policyReader) failOn(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		l, err := ParseLevel(n.Value)
		if err != nil {
			return pr.errorf(n, "fail_on: %v", err)
		}
		for _, e := range []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown} {
			pr.p.Rules[e] = l
		}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return pr.errorf(n, "fail_on is a level or a mapping of exposure to level")
	}
	readers := map[string]func(*yaml.Node) error{}
	for _, e := range []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown} {
		readers[string(e)] = func(v *yaml.Node) error {
			l, err := ParseLevel(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				return pr.errorf(v, "fail_on.%s: want one of critical, high, medium, low, none", e)
			}
			pr.p.Rules[e] = l
			return nil
		}
	}
	return pr.mapping(n, readers)
}

func (pr policyReader) exceptions(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return pr.errorf(n, "exceptions is a list")
	}
	for _, item := range n.Content {
		ex, err := pr.exception(item)
		if err != nil {
			return err
		}
		pr.p.Exceptions = append(pr.p.Exceptions, ex)
	}
	return nil
}

// VEX vocabularies (CycloneDX 1.6 vulnerability.analysis).
var (
	vexStates         = []string{"not_affected", "false_positive", "exploitable", "in_triage", "resolved", "resolved_with_pedigree"}
	vexJustifications = []string{"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency",
		"requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"}
	vexResponses = []string{"can_not_fix", "will_not_fix", "update", "rollback", "workaround_available"}
)

func (pr policyReader) exception(n *yaml.Node) (Exception, error) {
	ex := Exception{State: "not_affected", Source: bundle.Location{File: pr.file, Line: n.Line}}
	if n.Kind != yaml.MappingNode {
		return ex, pr.errorf(n, "an exception is a mapping (id, package, function, reason, owner, expires, state, justification, response)")
	}
	str := func(dst *string) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			if v.Kind != yaml.ScalarNode {
				return pr.errorf(v, "want a string")
			}
			*dst = v.Value
			return nil
		}
	}
	oneOf := func(dst *string, allowed []string) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			if v.Kind != yaml.ScalarNode || !slices.Contains(allowed, v.Value) {
				return pr.errorf(v, "%q: want one of %s", v.Value, strings.Join(allowed, ", "))
			}
			*dst = v.Value
			return nil
		}
	}
	err := pr.mapping(n, map[string]func(*yaml.Node) error{
		"id": str(&ex.ID), "package": str(&ex.Package), "function": str(&ex.Function),
		"reason": str(&ex.Reason), "owner": str(&ex.Owner),
		"expires":       func(v *yaml.Node) error { return pr.date(v, &ex.Expires) },
		"state":         oneOf(&ex.State, vexStates),
		"justification": oneOf(&ex.Justification, vexJustifications),
		"response":      func(v *yaml.Node) error { return pr.responses(v, &ex.Response) },
	})
	if err != nil {
		return ex, err
	}
	return ex, pr.check(n, ex)
}

// check enforces what every exception needs: something to match and a reason.
func (pr policyReader) check(n *yaml.Node, ex Exception) error {
	switch {
	case ex.ID == "" && ex.Package == "":
		return pr.errorf(n, "an exception needs an id (advisory or alias) or a package")
	case strings.TrimSpace(ex.Reason) == "":
		return pr.errorf(n, "an exception needs a reason")
	case ex.Function != "":
		if _, err := path.Match(ex.Function, ""); err != nil {
			return pr.errorf(n, "function %q is not a valid glob", ex.Function)
		}
	}
	return nil
}

func (pr policyReader) date(v *yaml.Node, dst *string) error {
	t, err := time.Parse("2006-01-02", v.Value)
	if v.Kind != yaml.ScalarNode || err != nil {
		return pr.errorf(v, "expires %q: want a date as YYYY-MM-DD", v.Value)
	}
	*dst = t.Format("2006-01-02")
	return nil
}

func (pr policyReader) responses(v *yaml.Node, dst *[]string) error {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || !slices.Contains(vexResponses, it.Value) {
			return pr.errorf(it, "response %q: want one of %s", it.Value, strings.Join(vexResponses, ", "))
		}
		*dst = append(*dst, it.Value)
	}
	return nil
}
