package cyclonedx

import (
	"cmp"
	"slices"
	"strconv"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/vuln"
)

// metadata describes the document: the tool that wrote it, the component it
// is about, and the audit's context. It has no timestamp: documents are
// deterministic.
func metadata(r *reports.Report, subject cdx.Component) *cdx.Metadata {
	return &cdx.Metadata{
		Tools:      tools(r.Tool),
		Component:  &subject,
		Properties: metadataProperties(r).list(),
	}
}

// tools lists fnaudit, in the components form of CycloneDX 1.5 and later.
// Only versions the report holds are written (the libraries fnaudit links
// are not: reading build info would make documents depend on the build).
func tools(t reports.Tool) *cdx.ToolsChoice {
	c := cdx.Component{Type: cdx.ComponentTypeApplication, Name: cmp.Or(t.Name, "fnaudit"), Version: t.Version}
	return &cdx.ToolsChoice{Components: &[]cdx.Component{c}}
}

// metadataProperties describe the application, the advisory database
// snapshot, the policy and the gate verdict.
func metadataProperties(r *reports.Report) props {
	var p props
	p.add("application:name", r.Application.Name)
	p.add("application:kind", string(r.Application.Kind))
	p.add("application:manifest", r.Application.Manifest)
	p.addAll("application:warning", r.Application.Warnings)
	p = append(p, databaseProperties(r.Database)...)
	p = append(p, policyProperties(r)...)
	return p
}

// databaseProperties describe each ecosystem of the database snapshot, by
// name.
func databaseProperties(db reports.Database) props {
	ecos := slices.Clone(db.Ecosystems)
	slices.SortStableFunc(ecos, func(a, b vuln.EcosystemInfo) int { return cmp.Compare(a.Name, b.Name) })
	var p props
	for _, e := range ecos {
		key := "database:" + e.Name + ":"
		p.add("database:ecosystem", e.Name)
		p.add(key+"records", strconv.Itoa(e.Records))
		if e.Undecodable > 0 {
			p.add(key+"undecodable", strconv.Itoa(e.Undecodable))
		}
		p.add(key+"modified", timestamp(e.Modified))
		p.add(key+"sha256", e.SHA256)
	}
	p.addAll("database:warning", db.Warnings)
	return p
}

// policyProperties describe the policy file, its threshold per exposure and
// the application's gate verdict.
func policyProperties(r *reports.Report) props {
	var p props
	if pol := r.Policy; pol != nil {
		p.add("policy:file", pol.File)
		for _, e := range []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown} {
			p.add("policy:fail_on:"+string(e), string(pol.FailOn[e]))
		}
	}
	g := r.Summary.Gate
	p.add("gate:fail_on", string(g.FailOn))
	p.add("gate:passed", boolString(g.Passed))
	p.add("gate:exit_code", strconv.Itoa(g.ExitCode))
	return p
}

// applicationComponent describes the application.
func applicationComponent(a reports.Application, ref string) cdx.Component {
	var p props
	p.add("kind", string(a.Kind))
	p.add("manifest", a.Manifest)
	return cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeApplication, Name: a.Name, Properties: p.list()}
}
