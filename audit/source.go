package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// declaredDeps reads the dependency manifests at the root of a code folder
// and returns, by OSV ecosystem, the file that declares dependencies the
// function would need installed: requirements.txt, package.json
// ("dependencies"), Gemfile, composer.json ("require" beyond PHP and its
// extensions), go.mod, pom.xml or build.gradle, Cargo.toml, *.csproj. A
// folder that declares dependencies but ships none of them is source, not
// a build (see unbuiltSource).
func declaredDeps(dir string) map[string]string {
	out := map[string]string{}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(b) > 4<<20 {
			return nil
		}
		return b
	}
	if b := read("requirements.txt"); anyLine(b, func(l string) bool { return !strings.HasPrefix(l, "#") }) {
		out["PyPI"] = "requirements.txt"
	}
	var pkg struct {
		Dependencies map[string]any `json:"dependencies"`
		Require      map[string]any `json:"require"`
	}
	if b := read("package.json"); b != nil && json.Unmarshal(b, &pkg) == nil && len(pkg.Dependencies) > 0 {
		out["npm"] = "package.json"
	}
	pkg.Require = nil
	if b := read("composer.json"); b != nil && json.Unmarshal(b, &pkg) == nil {
		for name := range pkg.Require {
			if name != "php" && !strings.HasPrefix(name, "ext-") && !strings.HasPrefix(name, "lib-") {
				out["Packagist"] = "composer.json"
			}
		}
	}
	if b := read("Gemfile"); anyLine(b, func(l string) bool { return strings.HasPrefix(l, "gem ") }) {
		out["RubyGems"] = "Gemfile"
	}
	if b := read("go.mod"); anyLine(b, func(l string) bool { return strings.HasPrefix(l, "require") }) {
		out["Go"] = "go.mod"
	}
	for _, name := range []string{"pom.xml", "build.gradle", "build.gradle.kts"} {
		if b := read(name); b != nil && bytes.Contains(b, []byte("dependenc")) {
			out["Maven"] = name
			break
		}
	}
	if b := read("Cargo.toml"); anyLine(b, func(l string) bool { return l == "[dependencies]" }) {
		out["crates.io"] = "Cargo.toml"
	}
	if projects, _ := filepath.Glob(filepath.Join(dir, "*.csproj")); len(projects) > 0 {
		if b := read(filepath.Base(projects[0])); bytes.Contains(b, []byte("<PackageReference")) {
			out["NuGet"] = filepath.Base(projects[0])
		}
	}
	return out
}

// anyLine says whether a trimmed, non-blank line of b satisfies keep.
func anyLine(b []byte, keep func(string) bool) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && keep(l) {
			return true
		}
	}
	return false
}

// unbuiltSource explains, for each code folder of a function that declares
// dependencies of an ecosystem none of whose packages the function ships
// (code or layers), that the folder is source rather than what the
// platform runs: scanning a SAM template before `sam build`, for one.
// Such a function is incomplete, never clean.
func unbuiltSource(parts []layered, declared map[string]map[string]string) []string {
	shipped := map[string]bool{}
	for _, part := range parts {
		for _, p := range part.packages {
			shipped[p.Ecosystem] = true
		}
	}
	var out []string
	for _, part := range parts {
		a := part.artifact
		if a.Role != bundle.RoleCode {
			continue
		}
		decl := declared[key(a)]
		for _, eco := range slices.Sorted(maps.Keys(decl)) {
			if shipped[eco] {
				continue
			}
			out = append(out, fmt.Sprintf("%s: %s declares %s dependencies, but none is installed in the function's code or layers: "+
				"this folder is source, not a build; build the function (sam build, whose .aws-sam/build fnaudit reads when it exists; "+
				"pip install -t, npm ci, ...) or ship the dependencies in a layer, then scan again",
				a.Path, decl[eco], eco))
		}
	}
	return out
}
