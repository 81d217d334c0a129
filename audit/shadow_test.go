package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/sbom"
)

func TestMarkShadowed(t *testing.T) {
	npm := func(name, loc string) sbom.Package {
		return sbom.Package{Ecosystem: "npm", Name: name, Version: "1", Location: loc}
	}
	py := func(name, loc string) sbom.Package {
		return sbom.Package{Ecosystem: "PyPI", Name: name, Version: "1", Location: loc}
	}
	code := func(pkgs ...sbom.Package) layered {
		return layered{artifact: bundle.Artifact{Role: bundle.RoleCode, Name: "fn"}, packages: pkgs}
	}
	layer := func(name string, pkgs ...sbom.Package) layered {
		return layered{artifact: bundle.Artifact{Role: bundle.RoleLayer, Name: name}, packages: pkgs}
	}
	tests := []struct {
		name    string
		handler string
		parts   []layered
		want    []bool // Shadowed of every package, in order
	}{
		{"code node_modules on the handler's path shadows a layer module", "src/list/index.handler",
			[]layered{code(npm("lodash", "src/node_modules/lodash/package.json")), layer("common", npm("lodash", "nodejs/node_modules/lodash/package.json"))},
			[]bool{false, true}},
		{"a node_modules beside another handler does not", "src/list/index.handler",
			[]layered{code(npm("lodash", "src/other/node_modules/lodash/package.json")), layer("common", npm("lodash", "nodejs/node_modules/lodash/package.json"))},
			[]bool{false, false}},
		{"a module nested in a layer package is resolved there first", "index.handler",
			[]layered{code(npm("ms", "node_modules/ms/package.json")), layer("common", npm("ms", "nodejs/node_modules/debug/node_modules/ms/package.json"))},
			[]bool{false, false}},
		{"versioned node folder and scoped names", "index.handler",
			[]layered{code(npm("@aws-sdk/client-s3", "node_modules/@aws-sdk/client-s3/package.json")), layer("sdk", npm("@aws-sdk/client-s3", "nodejs/node18/node_modules/@aws-sdk/client-s3/package.json"))},
			[]bool{false, true}},
		{"a later layer overwrites the same path", "",
			[]layered{code(), layer("a", npm("uuid", "nodejs/node_modules/uuid/package.json")), layer("b", npm("uuid", "nodejs/node_modules/uuid/package.json"))},
			[]bool{true, false}},
		{"python at the code root shadows the layer's", "app.handler",
			[]layered{code(py("requests", "requests-2.31.0.dist-info/METADATA")), layer("py", py("requests", "python/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA"), py("idna", "python/idna-3.3.dist-info/METADATA"))},
			[]bool{false, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			markShadowed(tt.parts, tt.handler)
			var got []bool
			for _, p := range tt.parts {
				for _, pkg := range p.packages {
					got = append(got, pkg.Shadowed)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("shadowed (-want +got):\n%s", diff)
			}
		})
	}
}
