package cyclonedx

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// propertyPrefix namespaces fnaudit's properties, as the CycloneDX property
// taxonomy asks of tools.
const propertyPrefix = "fnaudit:"

// refSet hands out bom-refs that are unique within one document.
type refSet map[string]bool

// claim returns ref, or ref with the first free "#2", "#3", ... suffix when
// ref is taken, and marks the result taken. Callers claim in a deterministic
// order, so the same input always gets the same refs.
func (s refSet) claim(ref string) string {
	r := ref
	for i := 2; s[r]; i++ {
		r = fmt.Sprintf("%s#%d", ref, i)
	}
	s[r] = true
	return r
}

// applicationRef is the bom-ref of the application component.
func applicationRef(name string) string { return "application:" + name }

// functionRefs returns the bom-refs of the report's functions, by index:
// "function:<name>", made unique in report order (function names are unique
// in practice; the suffix only guards against a report that repeats one).
func functionRefs(r *reports.Report) []string {
	refs := refSet{}
	out := make([]string, len(r.Functions))
	for i := range r.Functions {
		out[i] = refs.claim("function:" + r.Functions[i].Name)
	}
	return out
}

// functionRef returns fn's bom-ref: the one it has in the application
// document when fn is one of r's functions, else "function:<name>".
func functionRef(r *reports.Report, fn *reports.Function) string {
	refs := functionRefs(r)
	for i := range r.Functions {
		if &r.Functions[i] == fn {
			return refs[i]
		}
	}
	return "function:" + fn.Name
}

// artifactRef is the bom-ref an artifact asks for:
// "<function ref>/<role>:<name>".
func artifactRef(fnRef string, a bundle.Artifact) string {
	role := string(a.Role)
	if role == "" {
		role = "artifact"
	}
	return fnRef + "/" + role + ":" + a.Name
}

// props collects fnaudit properties, skipping empty values.
type props []cdx.Property

// add appends the property fnaudit:<name> when value is not empty.
func (p *props) add(name, value string) {
	if value != "" {
		*p = append(*p, cdx.Property{Name: propertyPrefix + name, Value: value})
	}
}

// addAll appends one fnaudit:<name> property per value.
func (p *props) addAll(name string, values []string) {
	for _, v := range values {
		p.add(name, v)
	}
}

// list returns the properties for a CycloneDX field: nil when there are none.
func (p props) list() *[]cdx.Property {
	if len(p) == 0 {
		return nil
	}
	out := []cdx.Property(p)
	return &out
}

// ptr returns a pointer to s, or nil when s is empty, so that empty lists
// are left out of the document.
func ptr[T any](s []T) *[]T {
	if len(s) == 0 {
		return nil
	}
	return &s
}
