package cyclonedx

import (
	"fmt"
	"slices"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// definedRefs returns every bom-ref a document defines, and the ones it
// defines more than once.
func definedRefs(b *cdx.BOM) (defined map[string]bool, repeated []string) {
	defined = map[string]bool{}
	define := func(ref string) {
		if ref == "" {
			return
		}
		if defined[ref] {
			repeated = append(repeated, ref)
		}
		defined[ref] = true
	}
	var walk func(cs *[]cdx.Component)
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for _, c := range *cs {
			define(c.BOMRef)
			walk(c.Components)
		}
	}
	if b.Metadata != nil && b.Metadata.Component != nil {
		define(b.Metadata.Component.BOMRef)
		walk(b.Metadata.Component.Components)
	}
	walk(b.Components)
	if b.Services != nil {
		for _, s := range *b.Services {
			define(s.BOMRef)
		}
	}
	return defined, repeated
}

// usedRefs returns every bom-ref a document refers to, with where.
func usedRefs(b *cdx.BOM) map[string]string {
	used := map[string]string{}
	if b.Dependencies != nil {
		for _, d := range *b.Dependencies {
			used[d.Ref] = "dependencies[].ref"
			if d.Dependencies != nil {
				for _, on := range *d.Dependencies {
					used[on] = "dependsOn of " + d.Ref
				}
			}
		}
	}
	if b.Vulnerabilities != nil {
		for _, v := range *b.Vulnerabilities {
			for _, a := range *v.Affects {
				used[a.Ref] = "affects of " + v.ID
			}
		}
	}
	if b.Compositions != nil {
		for _, c := range *b.Compositions {
			for _, refs := range []*[]cdx.BOMReference{c.Assemblies, c.Dependencies} {
				if refs != nil {
					for _, r := range *refs {
						used[string(r)] = fmt.Sprintf("composition %s", c.Aggregate)
					}
				}
			}
		}
	}
	return used
}

// TestReferencesResolve checks every document of every fixture: bom-refs
// are unique, and every ref used in dependencies, affects and compositions
// is defined.
func TestReferencesResolve(t *testing.T) {
	all := fixtures()
	for _, name := range sortedKeys(all) {
		for _, d := range documents(all[name]()) {
			t.Run(name+"/"+d.file, func(t *testing.T) {
				defined, repeated := definedRefs(d.bom)
				if len(repeated) > 0 {
					t.Errorf("bom-refs defined more than once: %q", repeated)
				}
				used := usedRefs(d.bom)
				for _, ref := range sortedKeys(used) {
					if !defined[ref] {
						t.Errorf("%q (%s) is not defined", ref, used[ref])
					}
				}
				if len(used) == 0 {
					t.Error("the document refers to nothing: not even the dependency graph?")
				}
			})
		}
	}
}

// TestFunctionRefsCarryOver checks that the application document uses the
// same bom-refs as the function documents.
func TestFunctionRefsCarryOver(t *testing.T) {
	r := reportstest.Sample()
	app, _ := definedRefs(ApplicationBOM(r))
	for i := range r.Functions {
		fn, _ := definedRefs(FunctionBOM(r, &r.Functions[i]))
		for _, ref := range sortedKeys(fn) {
			if !app[ref] {
				t.Errorf("%s: bom-ref %q is not in the application document", r.Functions[i].Name, ref)
			}
		}
	}
}

// outline is the shape of a document: what is where, by bom-ref.
type outline struct {
	Subject      string
	Components   []string
	Nested       map[string][]string
	Services     []string
	Dependencies map[string][]string
	Vulns        []string
}

func outlineOf(b *cdx.BOM) outline {
	o := outline{Subject: b.Metadata.Component.BOMRef, Nested: map[string][]string{}, Dependencies: map[string][]string{}}
	for _, c := range deref(b.Components) {
		o.Components = append(o.Components, string(c.Type)+" "+c.BOMRef)
		for _, n := range deref(c.Components) {
			o.Nested[c.BOMRef] = append(o.Nested[c.BOMRef], string(n.Type)+" "+n.BOMRef)
		}
	}
	for _, s := range deref(b.Services) {
		o.Services = append(o.Services, s.BOMRef)
	}
	for _, d := range deref(b.Dependencies) {
		o.Dependencies[d.Ref] = append([]string{}, deref(d.Dependencies)...)
	}
	for _, v := range deref(b.Vulnerabilities) {
		o.Vulns = append(o.Vulns, v.ID+" → "+deref(v.Affects)[0].Ref)
	}
	return o
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// TestStructure pins the structure of the thumbnail (image) function's
// document and of the application document, as doc.go describes them.
func TestStructure(t *testing.T) {
	const (
		fn    = "function:thumbnail"
		image = fn + "/image:thumbnail"
		deb   = image + "/pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
		sax   = image + "/pkg:npm/sax@1.2.1"
		s3    = fn + "/trigger:s3:bucket uploads s3:ObjectCreated:*"
	)
	r := reportstest.Sample()
	i := slices.IndexFunc(r.Functions, func(f reports.Function) bool { return f.Name == "thumbnail" })
	got := outlineOf(FunctionBOM(r, &r.Functions[i]))
	want := outline{
		Subject:      fn,
		Components:   []string{"container " + image, "library " + deb, "library " + sax},
		Nested:       map[string][]string{},
		Services:     []string{s3},
		Dependencies: map[string][]string{fn: {image, s3}, image: {deb, sax}, s3: {}},
		Vulns:        []string{"DSA-5000-1 → " + deb, "GHSA-2gwj-7jmv-h26r → " + sax},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("thumbnail document (-want +got):\n%s", diff)
	}

	app := outlineOf(ApplicationBOM(r))
	if diff := cmp.Diff([]string{"application function:listOrders", "application function:processPayment", "application " + fn}, app.Components); diff != "" {
		t.Errorf("application components (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Components, app.Nested[fn]); diff != "" {
		t.Errorf("components nested in thumbnail (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"function:listOrders", "function:processPayment", fn}, app.Dependencies["application:orders-api"]); diff != "" {
		t.Errorf("application dependencies (-want +got):\n%s", diff)
	}
	if len(app.Services) != 4 || len(app.Vulns) != 5 {
		t.Errorf("application document has %d services and %d vulnerabilities, want every trigger (4) and finding (5)", len(app.Services), len(app.Vulns))
	}
}
