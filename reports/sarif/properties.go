package sarif

import (
	"slices"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/reports"
)

// resultProperties carries the finding's rating and its context for tools
// that read more than the message: risk, severity, CVSS, the function's
// exposure and privilege, the package and the artifact it came from, the
// fixed versions and what became of a matching policy exception.
func resultProperties(o occurrence) *gosarif.PropertyBag {
	f, fn := o.f, o.fn
	p := gosarif.NewPropertyBag()
	p.Add("risk", string(f.Risk))
	p.Add("severity", string(f.Severity))
	if f.CVSS > 0 {
		p.Add("cvss", f.CVSS)
	}
	if f.CVSSVector != "" {
		p.Add("cvssVector", f.CVSSVector)
	}
	p.Add("exposure", string(fn.Exposure))
	p.Add("privilege", string(fn.Privilege))
	p.Add("ecosystem", f.Ecosystem)
	p.Add("package", f.Package)
	p.Add("version", f.Version)
	if purl := purlOf(fn, f); purl != "" {
		p.Add("purl", purl)
	}
	p.Add("artifact", f.Artifact)
	if a, ok := artifactOf(fn, f.Artifact); ok {
		p.Add("artifactRole", string(a.Role))
	}
	p.Add("fixedVersions", nonNil(f.Fixed))
	p.Add("suppressed", f.Suppressed)
	addException(p, f.Exception)
	return p
}

// addException records the policy exception that matched the finding, live
// or expired.
func addException(p *gosarif.PropertyBag, x *reports.Exception) {
	if x == nil {
		return
	}
	p.Add("exceptionStatus", x.Status)
	if x.Expires != "" {
		p.Add("exceptionExpires", x.Expires)
	}
}

// purlOf finds the package URL of the finding's package occurrence, else of
// any occurrence of the same package version.
func purlOf(fn *reports.Function, f *reports.Finding) string {
	fallback := ""
	for _, p := range fn.Packages {
		if p.Ecosystem != f.Ecosystem || p.Name != f.Package || p.Version != f.Version || p.PURL == "" {
			continue
		}
		if p.Artifact == f.Artifact && p.Location == f.Location {
			return p.PURL
		}
		if fallback == "" {
			fallback = p.PURL
		}
	}
	return fallback
}

// suppression is the external, accepted suppression a live policy exception
// makes, located in the policy file.
func suppression(f *reports.Finding) *gosarif.Suppression {
	s := gosarif.NewSuppression().WithKind("external").WithStatus("accepted")
	x := f.Exception
	if x == nil {
		return s.WithJustification("suppressed by a policy exception")
	}
	s.WithJustification(justification(x))
	if x.Source.File != "" {
		s.WithLocation(gosarif.NewLocationWithPhysicalLocation(physicalLocation(x.Source.File, x.Source.Line)))
	}
	p := gosarif.NewPropertyBag()
	p.Add("exceptionStatus", x.Status)
	p.Add("vexState", x.State)
	if x.Justification != "" {
		p.Add("vexJustification", x.Justification)
	}
	if len(x.Response) > 0 {
		p.Add("vexResponse", slices.Clone(x.Response))
	}
	return s.WithProperties(p)
}

// nonNil returns s, or an empty slice for nil, so that it encodes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
