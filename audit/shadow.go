package audit

import (
	"path"
	"regexp"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/sbom"
)

// layered is one artifact's packages as the function loads them.
type layered struct {
	artifact bundle.Artifact
	packages []sbom.Package
}

// markShadowed marks the layer packages the runtime never loads, in place:
//   - a later layer extracts over an earlier one at /opt, so a package at
//     the same path in a later layer replaces the earlier copy;
//   - Node resolves require() from the handler's folder up to /var/task
//     before NODE_PATH (/opt/nodejs/node_modules, /opt/nodejs/nodeNN/...),
//     so a top-level layer module is shadowed by the same module installed
//     in a node_modules folder on that path in the code;
//   - Python puts /var/task before /opt/python on sys.path, so a layer
//     distribution is shadowed by the same distribution at the code's root.
func markShadowed(parts []layered, handler string) {
	var code []sbom.Package
	for _, p := range parts {
		if p.artifact.Role == bundle.RoleCode {
			code = append(code, p.packages...)
		}
	}
	nodeDirs := handlerDirs(handler)
	for i, p := range parts {
		if p.artifact.Role != bundle.RoleLayer {
			continue
		}
		for j := range p.packages {
			pkg := &p.packages[j]
			pkg.Shadowed = overwrittenLater(parts[i+1:], pkg.Location) ||
				shadowedByCode(code, *pkg, nodeDirs)
		}
	}
}

// overwrittenLater says whether a later layer has a package at loc.
func overwrittenLater(later []layered, loc string) bool {
	for _, l := range later {
		if l.artifact.Role != bundle.RoleLayer {
			continue
		}
		for _, p := range l.packages {
			if p.Location == loc {
				return true
			}
		}
	}
	return false
}

// layerNodeModule matches a layer's top-level Node module manifest:
// nodejs/node_modules/<name>/package.json or nodejs/nodeNN/node_modules/...
var layerNodeModule = regexp.MustCompile(`^nodejs/(?:node\d+/)?node_modules/((?:@[^/]+/)?[^/@][^/]*)/package\.json$`)

// layerPython matches a layer's top-level Python distribution:
// python/<dist>.dist-info/METADATA or python/lib/pythonX.Y/site-packages/...
var layerPython = regexp.MustCompile(`^python/(?:lib/python[^/]+/site-packages/)?[^/]+\.(?:dist-info|egg-info)/`)

func shadowedByCode(code []sbom.Package, pkg sbom.Package, nodeDirs []string) bool {
	switch pkg.Ecosystem {
	case "npm":
		m := layerNodeModule.FindStringSubmatch(pkg.Location)
		if m == nil {
			return false
		}
		for _, c := range code {
			if c.Ecosystem == "npm" && c.Name == pkg.Name && onNodePath(c.Location, m[1], nodeDirs) {
				return true
			}
		}
	case "PyPI":
		if !layerPython.MatchString(pkg.Location) {
			return false
		}
		for _, c := range code {
			if c.Ecosystem == "PyPI" && strings.EqualFold(c.Name, pkg.Name) && strings.Count(c.Location, "/") == 1 {
				return true // <dist>.dist-info/METADATA at /var/task
			}
		}
	}
	return false
}

// onNodePath says whether a code module manifest at loc is
// <dir>/node_modules/<name>/package.json for one of the folders Node
// searches from the handler.
func onNodePath(loc, name string, dirs []string) bool {
	for _, d := range dirs {
		if loc == path.Join(d, "node_modules", name, "package.json") {
			return true
		}
	}
	return false
}

// handlerDirs are the folders of the code Node searches for node_modules,
// from the handler's file up to the root ("src/list/index.handler" → src/list,
// src, .). Without a handler only the root is searched.
func handlerDirs(handler string) []string {
	dirs := []string{"."}
	file, _, _ := strings.Cut(handler, ".")
	for d := path.Dir(file); d != "." && d != "/" && d != ""; d = path.Dir(d) {
		dirs = append(dirs, d)
	}
	return dirs
}
