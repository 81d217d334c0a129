package cyclonedx

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"slices"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/reports"
)

// The schema and namespace of CycloneDX 1.6, set on every document built
// here, so that it encodes as 1.6 without conversion (see [EncodeBOM]).
const (
	jsonSchema1_6 = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	xmlNS1_6      = "http://cyclonedx.org/schema/bom/1.6"
)

// FunctionBOM builds the document of one function of the report:
// metadata.component is the function, components are its artifacts and
// packages, services its triggers, vulnerabilities its findings (with VEX
// analysis from policy exceptions). See the package documentation for the
// structure. fn is normally one of r.Functions; r supplies the tool, the
// application and the database snapshot.
func FunctionBOM(r *reports.Report, fn *reports.Function) *cdx.BOM {
	parts := buildFunction(fn, functionRef(r, fn))
	var d document
	d.components = parts.components
	d.add(parts)
	return d.bom(metadata(r, parts.component))
}

// ApplicationBOM builds the application's document: metadata.component is
// the application, every function is a component (type application) with
// its artifacts and packages nested under it, services are all the
// functions' triggers and vulnerabilities all their findings. See the
// package documentation for the structure.
func ApplicationBOM(r *reports.Report) *cdx.BOM {
	appRef := applicationRef(r.Application.Name)
	var d document
	fnRefs := functionRefs(r)
	for i := range r.Functions {
		parts := buildFunction(&r.Functions[i], fnRefs[i])
		c := parts.component
		c.Components = ptr(parts.components)
		d.components = append(d.components, c)
		d.add(parts)
	}
	d.dependencies = append(d.dependencies, cdx.Dependency{Ref: appRef, Dependencies: ptr(slices.Clone(fnRefs))})
	return d.bom(metadata(r, applicationComponent(r.Application, appRef)))
}

// document collects the lists of a BOM before they are sorted.
type document struct {
	components      []cdx.Component
	services        []cdx.Service
	dependencies    []cdx.Dependency
	vulnerabilities []cdx.Vulnerability
	compositions    []cdx.Composition
}

// add takes a function's services, dependencies, vulnerabilities and
// compositions (its components are placed by the caller).
func (d *document) add(p functionParts) {
	d.services = append(d.services, p.services...)
	d.dependencies = append(d.dependencies, p.dependencies...)
	d.vulnerabilities = append(d.vulnerabilities, p.vulnerabilities...)
	d.compositions = append(d.compositions, p.compositions...)
}

// bom sorts the lists, assembles the BOM and gives it its serial number.
func (d *document) bom(meta *cdx.Metadata) *cdx.BOM {
	sortComponents(d.components)
	slices.SortFunc(d.services, func(a, b cdx.Service) int { return cmp.Compare(a.BOMRef, b.BOMRef) })
	sortDependencies(d.dependencies)
	slices.SortStableFunc(d.vulnerabilities, compareVulnerabilities)
	slices.SortStableFunc(d.compositions, compareCompositions)
	b := &cdx.BOM{
		JSONSchema:      jsonSchema1_6,
		XMLNS:           xmlNS1_6,
		BOMFormat:       cdx.BOMFormat,
		SpecVersion:     cdx.SpecVersion1_6,
		Version:         1,
		Metadata:        meta,
		Components:      ptr(d.components),
		Services:        ptr(d.services),
		Dependencies:    ptr(d.dependencies),
		Compositions:    ptr(d.compositions),
		Vulnerabilities: ptr(d.vulnerabilities),
	}
	if serial, err := serialNumber(b); err == nil {
		b.SerialNumber = serial
	}
	return b
}

// sortComponents sorts components, and the components nested in them, by
// bom-ref.
func sortComponents(cs []cdx.Component) {
	slices.SortFunc(cs, func(a, b cdx.Component) int { return cmp.Compare(a.BOMRef, b.BOMRef) })
	for i := range cs {
		if cs[i].Components != nil {
			sortComponents(*cs[i].Components)
		}
	}
}

// sortDependencies sorts dependencies by ref, and each one's dependsOn,
// without repeats (the schema wants them unique).
func sortDependencies(deps []cdx.Dependency) {
	slices.SortFunc(deps, func(a, b cdx.Dependency) int { return cmp.Compare(a.Ref, b.Ref) })
	for i := range deps {
		if on := deps[i].Dependencies; on != nil {
			slices.Sort(*on)
			*on = slices.Compact(*on)
		}
	}
}

// compareVulnerabilities orders vulnerabilities by ID, then affected ref.
func compareVulnerabilities(a, b cdx.Vulnerability) int {
	return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(firstAffected(a), firstAffected(b)))
}

func firstAffected(v cdx.Vulnerability) string {
	if v.Affects == nil || len(*v.Affects) == 0 {
		return ""
	}
	return (*v.Affects)[0].Ref
}

// compareCompositions orders compositions by aggregate, then by the first
// ref they describe.
func compareCompositions(a, b cdx.Composition) int {
	return cmp.Or(cmp.Compare(a.Aggregate, b.Aggregate), cmp.Compare(firstRef(a), firstRef(b)))
}

func firstRef(c cdx.Composition) cdx.BOMReference {
	for _, refs := range []*[]cdx.BOMReference{c.Assemblies, c.Dependencies} {
		if refs != nil && len(*refs) > 0 {
			return (*refs)[0]
		}
	}
	return ""
}

// serialNumber derives the document's serial number from its content: the
// SHA-256 of its compact JSON encoding without serial number, cut to 128
// bits and marked as an RFC 9562 version 8 (custom) UUID. The same content
// gives the same serial; any change gives another.
func serialNumber(b *cdx.BOM) (string, error) {
	unsigned := *b
	unsigned.SerialNumber = ""
	h := sha256.New()
	if err := cdx.NewBOMEncoder(h, cdx.BOMFileFormatJSON).SetEscapeHTML(false).Encode(&unsigned); err != nil {
		return "", fmt.Errorf("hashing the document for its serial number: %w", err)
	}
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // variant RFC 9562
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}
