package cyclonedx

import (
	"net/url"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/vuln"
)

// osvURL is where osv.dev shows a record; fnaudit's advisories come from
// OSV, so every ID (and every alias) is looked up there.
const osvURL = "https://osv.dev/vulnerability/"

// vulnerability describes one finding of function fn, affecting the package
// component affected, or, when the function lists no such package
// (isPackage false), the function component, with the package named in
// properties instead.
func vulnerability(fn string, f reports.Finding, affected string, isPackage bool) cdx.Vulnerability {
	v := cdx.Vulnerability{
		ID:             f.ID,
		Source:         source(f.ID),
		References:     aliasReferences(f.ID, f.Aliases),
		Ratings:        ratings(f.Finding),
		Description:    f.Summary,
		Recommendation: recommendation(f.Package, f.Fixed),
		Advisories:     advisories(f.References),
		Published:      timestamp(f.Published),
		Updated:        timestamp(f.Modified),
		Analysis:       analysis(f),
		Affects:        affects(affected, f.Version, isPackage),
	}
	var p props
	p.add("function", fn)
	if !isPackage {
		p.add("ecosystem", f.Ecosystem)
		p.add("package", f.Package)
		p.add("version", f.Version)
	}
	p.add("risk", string(f.Risk))
	p.add("suppressed", boolString(f.Suppressed))
	if ex := f.Exception; ex != nil {
		p.add("exception", location(ex.Source))
		p.add("exception_status", ex.Status)
	}
	v.Properties = p.list()
	return v
}

// sourceName names the database (of those OSV aggregates) an ID comes
// from, by its prefix.
func sourceName(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	switch strings.ToUpper(prefix) {
	case "GHSA":
		return "GitHub Advisory Database"
	case "CVE":
		return "NVD"
	case "GO":
		return "Go Vulnerability Database"
	case "PYSEC":
		return "PyPA Advisory Database"
	case "RUSTSEC":
		return "RustSec Advisory Database"
	case "DSA", "DLA", "DTSA", "DEBIAN":
		return "Debian Security Tracker"
	case "USN", "UBUNTU":
		return "Ubuntu Security Notices"
	case "MAL":
		return "OpenSSF Malicious Packages"
	}
	return "OSV"
}

// source names the database an ID comes from and links its OSV record.
func source(id string) *cdx.Source {
	return &cdx.Source{Name: sourceName(id), URL: osvURL + url.PathEscape(id)}
}

// aliasReferences lists the finding's aliases, each with its own source.
func aliasReferences(id string, aliases []string) *[]cdx.VulnerabilityReference {
	sorted := slices.Clone(aliases)
	slices.Sort(sorted)
	var out []cdx.VulnerabilityReference
	for _, a := range slices.Compact(sorted) {
		if a != "" && a != id {
			out = append(out, cdx.VulnerabilityReference{ID: a, Source: source(a)})
		}
	}
	return ptr(out)
}

// ratings gives the finding's severity, with the CVSS score and vector it
// came from when there is one.
func ratings(f vuln.Finding) *[]cdx.VulnerabilityRating {
	r := cdx.VulnerabilityRating{Severity: severity(f.Severity)}
	if f.CVSS > 0 {
		score := f.CVSS
		r.Score = &score
	}
	r.Method = cdx.ScoringMethodOther // the source's own rating; cyclonedx-go writes "other" for none
	if f.CVSSVector != "" {
		r.Method = scoringMethod(f.CVSSVector)
		r.Vector = f.CVSSVector
	}
	return &[]cdx.VulnerabilityRating{r}
}

// severity maps fnaudit's severities onto CycloneDX's.
func severity(s vuln.Severity) cdx.Severity {
	switch s {
	case vuln.SeverityCritical:
		return cdx.SeverityCritical
	case vuln.SeverityHigh:
		return cdx.SeverityHigh
	case vuln.SeverityMedium:
		return cdx.SeverityMedium
	case vuln.SeverityLow:
		return cdx.SeverityLow
	}
	return cdx.SeverityUnknown
}

// scoringMethod tells the CVSS version from a vector's prefix; a vector
// without one ("AV:N/AC:L/Au:N/...") is CVSS v2.
func scoringMethod(vector string) cdx.ScoringMethod {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		return cdx.ScoringMethodCVSSv4
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		return cdx.ScoringMethodCVSSv31
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		return cdx.ScoringMethodCVSSv3
	case strings.HasPrefix(vector, "CVSS:2.0/"), strings.HasPrefix(vector, "AV:"), strings.HasPrefix(vector, "(AV:"):
		return cdx.ScoringMethodCVSSv2
	}
	return cdx.ScoringMethodOther
}

// recommendation says which versions fix the package ("" when none does).
func recommendation(pkg string, fixed []string) string {
	switch len(fixed) {
	case 0:
		return ""
	case 1:
		return "Upgrade " + pkg + " to " + fixed[0]
	}
	return "Upgrade " + pkg + " to one of " + strings.Join(fixed, ", ")
}

// advisories lists the record's reference URLs that are absolute http(s)
// URLs, in the record's order.
func advisories(refs []string) *[]cdx.Advisory {
	var out []cdx.Advisory
	for _, r := range refs {
		u, err := url.Parse(strings.TrimSpace(r))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		out = append(out, cdx.Advisory{URL: u.String()})
	}
	return ptr(out)
}

// affects names the affected component and, for a package, its version.
func affects(ref, version string, isPackage bool) *[]cdx.Affects {
	a := cdx.Affects{Ref: ref}
	if isPackage && version != "" {
		a.Range = &[]cdx.AffectedVersions{{Version: version, Status: cdx.VulnerabilityStatusAffected}}
	}
	return &[]cdx.Affects{a}
}

// timestamp formats a known time as RFC 3339 in UTC ("" for the zero time).
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
