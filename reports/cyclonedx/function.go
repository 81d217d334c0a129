package cyclonedx

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom"
)

// functionParts is what one function contributes to a document.
type functionParts struct {
	// component is the function (type application), without nested
	// components.
	component cdx.Component
	// components are its artifacts and packages.
	components      []cdx.Component
	services        []cdx.Service
	dependencies    []cdx.Dependency
	vulnerabilities []cdx.Vulnerability
	compositions    []cdx.Composition
}

// artifactEntry is an artifact's bom-ref and role, found by name.
type artifactEntry struct {
	ref  string
	role bundle.ArtifactRole
}

// buildFunction builds the parts of fn, whose bom-ref is fnRef.
func buildFunction(fn *reports.Function, fnRef string) functionParts {
	refs := refSet{fnRef: true}
	parts := functionParts{component: functionComponent(fn, fnRef)}

	artComps, arts := artifactComponents(fn, fnRef, refs)
	pkgComps, children, index := packageComponents(fn, fnRef, arts, refs)
	parts.components = slices.Concat(artComps, pkgComps)
	parts.services = services(fn, fnRef, refs)

	parts.dependencies = functionDependencies(fn, fnRef, artComps, parts.services, children)
	for _, f := range fn.Findings {
		ref, ok := index.lookup(f)
		if !ok {
			ref = fnRef
		}
		parts.vulnerabilities = append(parts.vulnerabilities, vulnerability(fn.Name, f, ref, ok))
	}
	parts.compositions = functionCompositions(fn, fnRef, pkgComps)
	return parts
}

// functionComponent describes the function itself.
func functionComponent(fn *reports.Function, ref string) cdx.Component {
	var p props
	p.add("runtime", fn.Runtime)
	p.add("handler", fn.Handler)
	p.add("package_type", fn.PackageType)
	p.add("manifest", fn.Source.File)
	if fn.Source.Line > 0 {
		p.add("manifest_line", strconv.Itoa(fn.Source.Line))
	}
	p.add("exposure", string(fn.Exposure))
	p.add("privilege", string(fn.Privilege))
	p.addAll("privilege_reason", fn.PrivilegeReasons)
	p.add("status", fn.Status)
	p.addAll("error", fn.Errors)
	p.add("risk_level", string(fn.Risk.Level))
	p.add("risk_score", strconv.Itoa(fn.Risk.Score))
	p.addAll("risk_reason", fn.Risk.Reasons)
	c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeApplication, Name: fn.Name, Properties: p.list()}
	if fn.Source.File != "" {
		// No occurrence line: cyclonedx-go v0.12.0 writes it as an XML
		// attribute, which the 1.6 XSD rejects; fnaudit:manifest_line has it.
		c.Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: fn.Source.File}}}
	}
	return c
}

// artifactComponents describes the function's artifacts (in load order) and
// indexes them by name; when two artifacts share a name, packages naming it
// belong to the first.
func artifactComponents(fn *reports.Function, fnRef string, refs refSet) ([]cdx.Component, map[string]artifactEntry) {
	comps := make([]cdx.Component, 0, len(fn.Artifacts))
	byName := map[string]artifactEntry{}
	for _, a := range fn.Artifacts {
		ref := refs.claim(artifactRef(fnRef, a))
		if _, ok := byName[a.Name]; !ok {
			byName[a.Name] = artifactEntry{ref: ref, role: a.Role}
		}
		comps = append(comps, artifactComponent(a, ref))
	}
	return comps, byName
}

// sha256Hex matches a hex SHA-256 digest, the only form CycloneDX accepts in
// a SHA-256 hash.
var sha256Hex = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// artifactComponent describes one artifact: a file (zip or folder) or a
// container image.
func artifactComponent(a bundle.Artifact, ref string) cdx.Component {
	c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeFile, Name: a.Name}
	if a.Role == bundle.RoleImage {
		c.Type = cdx.ComponentTypeContainer
	}
	var p props
	p.add("artifact_role", string(a.Role))
	p.add("path", a.Path)
	p.add("image_ref", a.Ref)
	if sha256Hex.MatchString(a.SHA256) {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: strings.ToLower(a.SHA256)}}
	} else {
		p.add("sha256", a.SHA256)
	}
	c.Properties = p.list()
	return c
}

// packageComponents describes the function's packages (in package order),
// says which artifact (or, for a package naming no known artifact, the
// function) holds each, and indexes them for the findings.
func packageComponents(fn *reports.Function, fnRef string, arts map[string]artifactEntry, refs refSet) ([]cdx.Component, map[string][]string, packageIndex) {
	pkgs := slices.Clone(fn.Packages)
	sbom.Sort(pkgs)
	comps := make([]cdx.Component, 0, len(pkgs))
	children := map[string][]string{}
	index := packageIndex{}
	for _, p := range pkgs {
		parent, known := arts[p.Artifact]
		if !known {
			parent.ref = fnRef
		}
		ref := refs.claim(parent.ref + "/" + packageID(p))
		children[parent.ref] = append(children[parent.ref], ref)
		index.add(p, ref)
		comps = append(comps, packageComponent(p, ref, parent.role))
	}
	return comps, children, index
}

// packageID names a package inside a bom-ref: its purl, else
// "<ecosystem>:<name>@<version>".
func packageID(p sbom.Package) string {
	if p.PURL != "" {
		return p.PURL
	}
	return p.Ecosystem + ":" + p.Name + "@" + p.Version
}

// packageComponent describes one package occurrence.
func packageComponent(p sbom.Package, ref string, role bundle.ArtifactRole) cdx.Component {
	group, name := splitName(p.Ecosystem, p.Name)
	var pr props
	pr.add("ecosystem", p.Ecosystem)
	pr.add("artifact", p.Artifact)
	pr.add("artifact_role", string(role))
	pr.add("location", p.Location)
	pr.add("evidence", p.Evidence)
	if p.Shadowed {
		pr.add("shadowed", "true")
	}
	c := cdx.Component{
		BOMRef: ref, Type: cdx.ComponentTypeLibrary, Group: group, Name: name,
		Version: p.Version, PackageURL: p.PURL, Properties: pr.list(),
	}
	if p.Location != "" {
		c.Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: p.Location}}}
	}
	return c
}

// splitName splits the names that carry a namespace CycloneDX keeps in
// "group": an npm scope ("@types/node" → "@types", "node") and a Maven
// group ("org.x:y" → "org.x", "y"). Other names are kept whole.
func splitName(ecosystem, name string) (group, rest string) {
	switch ecosystem {
	case "npm":
		if scope, n, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") && n != "" {
			return scope, n
		}
	case "Maven":
		if g, a, ok := strings.Cut(name, ":"); ok && g != "" && a != "" {
			return g, a
		}
	}
	return "", name
}

// functionDependencies links the function to its services and artifacts
// (and to packages of no known artifact), and each artifact to its packages.
// Services and the artifacts of a completely audited function have no
// dependencies of their own and are declared as empty elements, as the spec
// asks; packages are left out of the graph (their own dependencies are not
// known, which a composition says).
func functionDependencies(fn *reports.Function, fnRef string, arts []cdx.Component, svcs []cdx.Service, children map[string][]string) []cdx.Dependency {
	var top []string
	var deps []cdx.Dependency
	for _, s := range svcs {
		top = append(top, s.BOMRef)
		deps = append(deps, cdx.Dependency{Ref: s.BOMRef})
	}
	for _, a := range arts {
		top = append(top, a.BOMRef)
		kids := children[a.BOMRef]
		if len(kids) > 0 || fn.Status != reports.StatusIncomplete {
			deps = append(deps, cdx.Dependency{Ref: a.BOMRef, Dependencies: ptr(kids)})
		}
	}
	top = append(top, children[fnRef]...)
	return append(deps, cdx.Dependency{Ref: fnRef, Dependencies: ptr(top)})
}

// functionCompositions says what is known to be incomplete: the inventory
// of a function that could not be audited completely, and the dependency
// graph of its packages (fnaudit records where each package was found, not
// what it depends on).
func functionCompositions(fn *reports.Function, fnRef string, pkgs []cdx.Component) []cdx.Composition {
	var out []cdx.Composition
	if fn.Status == reports.StatusIncomplete {
		out = append(out, cdx.Composition{Aggregate: cdx.CompositionAggregateIncomplete, Assemblies: &[]cdx.BOMReference{cdx.BOMReference(fnRef)}})
	}
	if len(pkgs) > 0 {
		refs := make([]cdx.BOMReference, len(pkgs))
		for i, c := range pkgs {
			refs[i] = cdx.BOMReference(c.BOMRef)
		}
		slices.Sort(refs)
		out = append(out, cdx.Composition{Aggregate: cdx.CompositionAggregateUnknown, Dependencies: &refs})
	}
	return out
}

// packageKey identifies a package occurrence as a finding names it.
type packageKey struct{ ecosystem, name, version, artifact, location string }

// packageIndex finds the component of the package a finding affects.
type packageIndex map[packageKey]string

// add indexes p under its full key and, when not yet taken, under the
// looser keys a finding without location or artifact would use.
func (x packageIndex) add(p sbom.Package, ref string) {
	keys := []packageKey{
		{p.Ecosystem, p.Name, p.Version, p.Artifact, p.Location},
		{p.Ecosystem, p.Name, p.Version, p.Artifact, ""},
		{p.Ecosystem, p.Name, p.Version, "", ""},
	}
	for _, k := range keys {
		if _, ok := x[k]; !ok {
			x[k] = ref
		}
	}
}

// lookup returns the bom-ref of the package f affects, trying the exact
// occurrence first; ok is false when the function lists no such package.
func (x packageIndex) lookup(f reports.Finding) (ref string, ok bool) {
	keys := []packageKey{
		{f.Ecosystem, f.Package, f.Version, f.Artifact, f.Location},
		{f.Ecosystem, f.Package, f.Version, f.Artifact, ""},
		{f.Ecosystem, f.Package, f.Version, "", ""},
	}
	for _, k := range keys {
		if ref, ok := x[k]; ok {
			return ref, true
		}
	}
	return "", false
}
