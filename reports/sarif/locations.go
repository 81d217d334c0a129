package sarif

import (
	"cmp"
	"net/url"
	"path"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/reports"
)

// findingLocation points a result at the manifest line that defines the
// function, names the function as a logical location, and says in its
// properties where the package was found: the artifact's file and the
// package's place inside it (the artifact's name is in the result's
// properties).
func findingLocation(r *reports.Report, o occurrence) *gosarif.Location {
	loc := functionLocation(r, o.fn, o.f.Artifact)
	p := gosarif.NewPropertyBag()
	if a, ok := artifactOf(o.fn, o.f.Artifact); ok && a.Path != "" {
		p.Add("artifactPath", slashes(a.Path))
	}
	if o.f.Location != "" {
		p.Add("packageLocation", o.f.Location)
	}
	if len(p.Properties) == 0 {
		return loc
	}
	return loc.WithProperties(p)
}

// functionLocation is where a function is defined: its manifest file and
// line, else the file of the named artifact, else the application's
// manifest; plus the function as a logical location.
func functionLocation(r *reports.Report, fn *reports.Function, artifact string) *gosarif.Location {
	loc := gosarif.NewLocation().WithLogicalLocations([]*gosarif.LogicalLocation{functionLogical(r, fn)})
	file, line := fn.Source.File, fn.Source.Line
	if file == "" {
		a, _ := artifactOf(fn, artifact)
		file, line = cmp.Or(a.Path, r.Application.Manifest), 0
	}
	if file == "" {
		return loc
	}
	return loc.WithPhysicalLocation(physicalLocation(file, line))
}

// functionLogical names the function: kind "function", fully qualified as
// "<application>/<function>".
func functionLogical(r *reports.Report, fn *reports.Function) *gosarif.LogicalLocation {
	fqn := fn.Name
	if r.Application.Name != "" {
		fqn = r.Application.Name + "/" + fn.Name
	}
	return gosarif.NewLogicalLocation().WithName(fn.Name).WithFullyQualifiedName(fqn).WithKind("function")
}

// physicalLocation points at a line of a file; line 0 (unknown) becomes 1,
// the first line, since SARIF lines start at 1.
func physicalLocation(file string, line int) *gosarif.PhysicalLocation {
	region := gosarif.NewRegion().WithStartLine(max(line, 1))
	return gosarif.NewPhysicalLocation().WithArtifactLocation(artifactLocation(file)).WithRegion(region)
}

// artifactLocation turns a path of the report into a URI. A relative path
// becomes a relative reference with forward slashes against %SRCROOT%,
// which is what GitHub matches against the repository's files; an absolute
// one becomes a file:// URI.
func artifactLocation(p string) *gosarif.ArtifactLocation {
	p = slashes(p)
	if abs, ok := absolutePath(p); ok {
		return gosarif.NewSimpleArtifactLocation((&url.URL{Scheme: "file", Path: abs}).String())
	}
	rel := (&url.URL{Path: path.Clean(p)}).String()
	return gosarif.NewSimpleArtifactLocation(rel).WithURIBaseID(SourceRootID)
}

// absolutePath reports whether p (forward slashes) is absolute, on Unix
// ("/srv/app") or Windows ("C:/app"), and returns it with a leading slash.
func absolutePath(p string) (string, bool) {
	if strings.HasPrefix(p, "/") {
		return p, true
	}
	if len(p) >= 3 && p[1] == ':' && p[2] == '/' && isLetter(p[0]) {
		return "/" + p, true
	}
	return "", false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// slashes turns Windows separators into forward slashes, whatever the
// system the log is written on.
func slashes(p string) string { return strings.ReplaceAll(p, `\`, "/") }
